import { AUDIENCE_TITLES, type Audience, type DiagnoseOutcome, type Diagnosis, type Evidence } from '../../diagnosis';
import {
  actions,
  contexts,
  divider,
  escapedFallback,
  packMessages,
  sections,
  simpleMessage,
  type Block,
  type SlackMessage,
} from './block-kit';
import { escapeText, inlineCode, oneLine, slackLink, truncate } from './escape';

export { LIMITS, type SlackMessage, type Block } from './block-kit';

export const ACTION_IDS = {
  checkAgain: 'front_why_check_again',
  customerMessage: 'front_why_customer_message',
} as const;

export interface OutcomeView {
  /** The tenant whose token the checks used; absent when the answer comes from the paste alone. */
  tenant?: string;
  /** Why there were no live checks, in a few words ("no tenant is bound to this channel"). */
  offlineReason?: string;
  /** Carried by both buttons; absent means no buttons (an ephemeral answer cannot be re-run in place). */
  buttonValue?: string;
}

const AUDIENCES: Audience[] = ['agent', 'teammate', 'admin'];
const MAX_CHECK_LINES = 20;
const MAX_CHECK_LINE_CHARS = 220;
const MAX_UNREADABLE_CHARS = 1_000;

/**
 * A diagnosis outcome as one or more thread replies. Every value that came from the paste, from Front or from a
 * rule's rendered template is escaped here; only our own wording carries mrkdwn.
 */
export function renderOutcome(outcome: DiagnoseOutcome, view: OutcomeView): SlackMessage[] {
  if (!outcome.ok) {
    // Our own words from the parser today; cut anyway, so this reply is one message whatever it says.
    return [simpleMessage(`I could not read that: ${escapeText(truncate(outcome.message, MAX_UNREADABLE_CHARS))}`)];
  }
  const blocks: Block[] = [...contexts(headline(outcome, view))];
  if (outcome.diagnoses.length === 0) {
    blocks.push(...sections(noMatchText(outcome)));
  }
  outcome.diagnoses.forEach((d, i) => {
    if (i > 0) blocks.push(divider());
    blocks.push(...diagnosisBlocks(d, i, outcome.diagnoses.length));
  });
  const checked = checkedLines(outcome);
  if (checked) {
    blocks.push(divider(), ...contexts(checked));
  }
  const tail = view.buttonValue
    ? actions([
        { actionId: ACTION_IDS.checkAgain, label: 'Check again', value: view.buttonValue },
        { actionId: ACTION_IDS.customerMessage, label: 'Message for the customer', value: view.buttonValue },
      ])
    : undefined;
  return packMessages(blocks, fallbackFor(outcome), tail);
}

function headline(outcome: Extract<DiagnoseOutcome, { ok: true }>, view: OutcomeView): string {
  const parts: string[] = [];
  if (outcome.targets.length > 0) parts.push(outcome.targets.map((t) => inlineCode(t)).join(', '));
  if (outcome.live && view.tenant) {
    parts.push(`checked live with tenant *${escapeText(view.tenant)}*`, `${outcome.calls} request(s) to Front`);
  } else {
    parts.push(`explained from the paste alone${view.offlineReason ? ` (${escapeText(view.offlineReason)})` : ''}`);
  }
  return parts.join(' · ');
}

function noMatchText(outcome: Extract<DiagnoseOutcome, { ok: true }>): string {
  if (!outcome.sawError && outcome.targets.length === 0) {
    return '*Nothing to check.* I found no Front error and no conversation ID (`cnv_…`) in that. Paste the error Front returned, a conversation ID or a Front app link.';
  }
  return '*No known cause matched.* None of the rules fits what the paste and the checks show; the details are below. If the error persists, share the full response (status, body and headers) with the Front API team.';
}

function diagnosisBlocks(d: Diagnosis, index: number, total: number): Block[] {
  const label = d.status === 'confirmed' ? 'Cause' : 'Possible cause';
  const number = total > 1 ? `${index + 1}. ` : '';
  const blocks: Block[] = [...sections(`${number}*${label}:* ${escapeText(oneLine(d.headline))}`)];
  const meta = [inlineCode(d.cause), `confidence ${escapeText(d.confidence)}`, `rule ${escapeText(d.rule)}`];
  if (d.target) meta.push(inlineCode(d.target));
  blocks.push(...contexts(meta.join(' · ')));
  // What to do comes first; the reasoning follows for whoever reads on.
  for (const audience of AUDIENCES) {
    const steps = d.steps[audience];
    if (steps.length === 0) continue;
    const list = steps.map((step, i) => `${i + 1}. ${escapeText(oneLine(step))}`).join('\n');
    blocks.push(...sections(`*${AUDIENCE_TITLES[audience]}*\n${list}`));
  }
  if (d.decidedBy.length > 0) {
    blocks.push(
      ...sections(`*What would decide it*\n${d.decidedBy.map((c) => `• ${escapeText(oneLine(c))}`).join('\n')}`),
    );
  }
  if (d.why.trim() !== '') blocks.push(...sections(`*Why:* ${escapeText(d.why.trim())}`));
  if (d.links.length > 0) {
    blocks.push(...contexts(`*Links:* ${d.links.map((l) => slackLink(l.url, l.title)).join(' · ')}`));
  }
  return blocks;
}

/** Every check once, however many diagnoses cite it: paste evidence first, then the live calls in order. */
function checkedLines(outcome: Extract<DiagnoseOutcome, { ok: true }>): string | undefined {
  const seen = new Set<string>();
  const all: Evidence[] = [];
  for (const e of [
    ...outcome.diagnoses.flatMap((d) => d.evidence.filter((x) => x.source === 'paste')),
    ...outcome.checks,
  ]) {
    const key = `${e.source}|${e.check}|${e.result}`;
    if (seen.has(key)) continue;
    seen.add(key);
    all.push(e);
  }
  if (all.length === 0) return undefined;
  const lines = all.slice(0, MAX_CHECK_LINES).map((e) => {
    const ms = e.ms !== undefined ? ` (${e.ms} ms)` : '';
    return `${mark(e)} ${escapeText(truncate(oneLine(`${e.check}: ${e.result}`), MAX_CHECK_LINE_CHARS))}${ms}`;
  });
  if (all.length > MAX_CHECK_LINES) lines.push(`… and ${all.length - MAX_CHECK_LINES} more`);
  return `*What was checked*\n${lines.join('\n')}`;
}

function mark(e: Evidence): string {
  if (e.ok === null) return '?';
  return e.ok ? '✓' : '✗';
}

function fallbackFor(outcome: Extract<DiagnoseOutcome, { ok: true }>): string {
  const first = outcome.diagnoses[0];
  if (!first) return outcome.sawError || outcome.targets.length > 0 ? 'No known cause matched.' : 'Nothing to check.';
  const label = first.status === 'confirmed' ? 'Cause' : 'Possible cause';
  const more = outcome.diagnoses.length > 1 ? ` (+${outcome.diagnoses.length - 1} more)` : '';
  return escapedFallback(`${label}: ${oneLine(first.headline)}${more}`);
}
