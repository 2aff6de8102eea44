import { AUDIENCE_TITLES, AUDIENCES } from '../../diagnosis/text';
import type { Diagnosis } from '../../diagnosis';
import { contexts, divider, escapedFallback, packMessages, sections, type Block, type SlackMessage } from './block-kit';
import {
  causeTitle,
  decidingCheckLines,
  escapedOwner,
  escapedRankedBy,
  statusLine,
  stepLine,
  type AnsweredOutcome,
  type OutcomeView,
} from './blocks-parts';
import { escapeText, inlineCode, oneLine, slackLink } from './escape';

/**
 * What the first reply leaves out, for whoever asks: for each cause the why, what would decide it and the links
 * (and every step, where the first reply had no room for them all), then the live checks that decided. What was
 * read in the paste is not echoed back: the agent pasted it.
 */
export function renderDetails(outcome: AnsweredOutcome, view: OutcomeView, firstStepsCut: boolean): SlackMessage[] {
  const blocks: Block[] = [...contexts(`*Details* · ${statusLine(outcome, view)}`)];
  outcome.diagnoses.forEach((d, i) => {
    blocks.push(divider(), ...diagnosisDetails(d, i, outcome.diagnoses.length, i > 0 || firstStepsCut));
  });
  blocks.push(divider(), ...contexts(checksText(outcome, view)));
  const first = outcome.diagnoses[0];
  const fallback = first ? `Details: ${oneLine(first.headline)}` : 'Details: what was checked';
  return packMessages(blocks, escapedFallback(fallback));
}

function diagnosisDetails(d: Diagnosis, index: number, total: number, withSteps: boolean): Block[] {
  const blocks: Block[] = [...sections(causeTitle(d, total > 1 ? index + 1 : undefined))];
  const meta = [inlineCode(d.cause), `confidence ${escapeText(d.confidence)}`, `rule ${escapeText(d.rule)}`];
  if (d.target) meta.push(inlineCode(d.target));
  const lines = [meta.join(' · '), escapedOwner(d), escapedRankedBy(d)].filter((l): l is string => l !== undefined);
  blocks.push(...contexts(lines.join('\n')));
  if (withSteps) {
    for (const audience of AUDIENCES) {
      const steps = d.steps[audience];
      if (steps.length > 0)
        blocks.push(...sections(`*${AUDIENCE_TITLES[audience]}*\n${steps.map(stepLine).join('\n')}`));
    }
  }
  if (d.decidedBy.length > 0) {
    blocks.push(
      ...sections(`*What would decide it*\n${d.decidedBy.map((c) => `• ${escapeText(oneLine(c))}`).join('\n')}`),
    );
  }
  if (d.why.trim() !== '') blocks.push(...sections(`*Why*\n${escapeText(d.why.trim())}`));
  if (d.links.length > 0) {
    blocks.push(...contexts(`*Links:* ${d.links.map((l) => slackLink(l.url, l.title)).join(' · ')}`));
  }
  return blocks;
}

function checksText(outcome: AnsweredOutcome, view: OutcomeView): string {
  const lines = decidingCheckLines(outcome);
  if (lines) return `*What decided it* (the live checks)\n${lines.join('\n')}`;
  if (!outcome.live) {
    const reason = view.offlineReason ? ` (${escapeText(view.offlineReason)})` : '';
    return `*What decided it:* the paste alone${reason}; no live check was made.`;
  }
  return '*What decided it:* the paste alone; no request to Front was needed.';
}
