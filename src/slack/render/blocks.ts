import { MAX_BARE_TARGETS, type DiagnoseOutcome } from '../../diagnosis';
import { actions, contexts, escapedFallback, sections, simpleMessage, type SlackMessage } from './block-kit';
import { renderDetails } from './blocks-details';
import { glance } from './blocks-glance';
import { notCheckable, recheckScope, type AnsweredOutcome, type OutcomeView } from './blocks-parts';
import { escapeText, oneLine, truncate } from './escape';

export { LIMITS, type SlackMessage, type Block } from './block-kit';
export { GLANCE_MAX_CHARS } from './blocks-glance';
export type { OutcomeView } from './blocks-parts';

export const ACTION_IDS = {
  checkAgain: 'front_why_check_again',
  customerMessage: 'front_why_customer_message',
  details: 'front_why_details',
  watch: 'front_why_watch',
} as const;

const MAX_UNREADABLE_CHARS = 1_000;

/**
 * A diagnosis outcome as thread replies. The first is what the agent acts on (see `glance`), with the buttons;
 * the why and the evidence come from its Details button. Without buttons (an answer nobody could click on) the
 * details follow at once, since there would be no other way to get them.
 */
export function renderOutcome(outcome: DiagnoseOutcome, view: OutcomeView): SlackMessage[] {
  if (!outcome.ok) return [unreadable(outcome.message)];
  if (!view.buttonValue) {
    const first = glance(outcome, view, 'in the details below');
    return [{ text: fallbackFor(outcome), blocks: first.blocks }, ...renderDetails(outcome, view, first.stepsCut)];
  }
  const first = glance(outcome, view, 'under *Details*');
  const checkAgain = { actionId: ACTION_IDS.checkAgain, label: 'Check again', value: view.buttonValue };
  // Nothing was checked: there is nothing to tell the customer nor any details, only a check to run once bound.
  const buttons = notCheckable(outcome)
    ? actions([checkAgain])
    : actions([
        checkAgain,
        { actionId: ACTION_IDS.customerMessage, label: 'Message for the customer', value: view.buttonValue },
        { actionId: ACTION_IDS.details, label: 'Details', value: view.buttonValue },
        ...(view.watchable
          ? [{ actionId: ACTION_IDS.watch, label: 'Watch until fixed', value: view.buttonValue }]
          : []),
      ]);
  const scope = recheckScope(outcome, view, MAX_BARE_TARGETS);
  const note = scope ? contexts(scope) : [];
  return [{ text: fallbackFor(outcome), blocks: [...first.blocks, buttons, ...note] }];
}

/**
 * A check that was not run because the tenant's share of Front requests is spent: how long to wait and why
 * (`text` is plain and escaped here), with "Check again" to run it once the wait is over.
 */
export function renderWait(text: string, buttonValue?: string): SlackMessage {
  const blocks = sections(`:hourglass_flowing_sand: ${escapeText(text)}`);
  if (buttonValue)
    blocks.push(actions([{ actionId: ACTION_IDS.checkAgain, label: 'Check again', value: buttonValue }]));
  return { text: escapedFallback(text), blocks };
}

/** What the Details button posts: everything the first reply for this outcome left out. */
export function renderOutcomeDetails(outcome: DiagnoseOutcome, view: OutcomeView): SlackMessage[] {
  if (!outcome.ok) return [unreadable(outcome.message)];
  return renderDetails(outcome, view, glance(outcome, view, '').stepsCut);
}

function unreadable(message: string): SlackMessage {
  // Our own words from the parser today; cut anyway, so this reply is one message whatever it says.
  return simpleMessage(`I could not read that: ${escapeText(truncate(message, MAX_UNREADABLE_CHARS))}`);
}

function fallbackFor(outcome: AnsweredOutcome): string {
  const first = outcome.diagnoses[0];
  if (!first) {
    if (notCheckable(outcome))
      return escapedFallback(`Not checked: ${outcome.targets.join(', ')} needs the customer's token`);
    return outcome.sawError || outcome.targets.length > 0 ? 'No known cause matched.' : 'Nothing to check.';
  }
  const label = first.status === 'confirmed' ? 'Cause' : 'Possible cause';
  const more = outcome.diagnoses.length > 1 ? ` (+${outcome.diagnoses.length - 1} more)` : '';
  return escapedFallback(`${label}: ${oneLine(first.headline)}${more}`);
}
