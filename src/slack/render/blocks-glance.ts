import { AUDIENCE_TITLES, AUDIENCES } from '../../diagnosis/text';
import type { Diagnosis } from '../../diagnosis';
import { contexts, safeCut, sections, type Block } from './block-kit';
import {
  causeTitle,
  escapedOwner,
  escapedRankedBy,
  noMatchText,
  statusLine,
  stepLine,
  type AnsweredOutcome,
  type OutcomeView,
} from './blocks-parts';
import { escapeText, inlineCode } from './escape';

/** What an agent reads before acting, at most: a headline, who it concerns, the steps and the buttons. */
export const GLANCE_MAX_CHARS = 1_500;
/** Room kept for a line a caller puts on top of the answer (":repeat: Checked again just now"). */
const STAMP_CHARS = 60;
// Caps on everything but the steps, so that even at their longest the steps keep room for every audience's first.
const STATUS_CHARS = 160;
const HEADLINE_CHARS = 300;
const OWNER_CHARS = 160;
const META_CHARS = 160;
const OTHER_CAUSE_CHARS = 130;
const MAX_OTHER_CAUSES = 2;
/** A step longer than this is cut on the first screen (the whole text is in the details). */
const STEP_CHARS = 350;
/** A first step is cut to fit rather than left out, if at least this much room is left. */
const MIN_CUT_STEP_CHARS = 60;

export interface Glance {
  blocks: Block[];
  /** Some step of the first cause was cut or left out for room: the details then show every step. */
  stepsCut: boolean;
}

/**
 * The first reply: the likeliest cause (headline, owner, what tipped it), its steps for each audience as far as
 * room allows, the other causes in one line each. Sizes are counted on the escaped mrkdwn, which is never shorter
 * than what Slack shows, so the reply stays within GLANCE_MAX_CHARS visible characters whatever the rules say.
 * `more` names where the rest is ("under *Details*").
 */
export function glance(outcome: AnsweredOutcome, view: OutcomeView, more: string): Glance {
  const status = safeCut(statusLine(outcome, view), STATUS_CHARS);
  const [first, ...others] = outcome.diagnoses;
  if (!first) return { blocks: [...contexts(status), ...sections(noMatchText(outcome, view))], stepsCut: false };

  const head = [safeCut(causeTitle(first), HEADLINE_CHARS)];
  const owner = escapedOwner(first, true);
  const followUp = view.ownerFollowUp
    ? `Checking the other ${view.ownerFollowUp} teammates; I'll post the owner here.`
    : undefined;
  // The follow-up shows even when the headline already names those found so far (and so no owner line is shown).
  const ownerLines = [...(owner ? [safeCut(owner, OWNER_CHARS)] : []), ...(followUp ? [followUp] : [])];
  if (ownerLines.length > 0) head.push(ownerLines.join('\n'));
  const meta = [inlineCode(first.cause), `confidence ${escapeText(first.confidence)}`].join(' · ');
  const ranked = escapedRankedBy(first);
  const metaLine = safeCut(ranked ? `${meta}\n${ranked}` : meta, META_CHARS);
  const otherLines = othersText(others);
  const note = `More steps, the why and the checks that decided: ${more}.`;

  const fixed = [status, ...head, metaLine, otherLines ?? '', note].reduce((sum, text) => sum + text.length + 1, 0);
  const steps = pickSteps(first, GLANCE_MAX_CHARS - STAMP_CHARS - fixed);

  const blocks: Block[] = [...contexts(status), ...sections(head.join('\n')), ...contexts(metaLine)];
  for (const text of steps.sections) blocks.push(...sections(text));
  if (otherLines) blocks.push(...contexts(otherLines));
  if (steps.cut) blocks.push(...contexts(note));
  return { blocks, stepsCut: steps.cut };
}

function othersText(others: Diagnosis[]): string | undefined {
  if (others.length === 0) return undefined;
  const lines = others
    .slice(0, MAX_OTHER_CAUSES)
    .map((d, i) => safeCut(`${causeTitle(d, i + 2)} (${inlineCode(d.cause)})`, OTHER_CAUSE_CHARS));
  if (others.length > MAX_OTHER_CAUSES) lines.push(`… and ${others.length - MAX_OTHER_CAUSES} more`);
  return `*Also found*\n${lines.join('\n')}`;
}

/**
 * As many steps as `room` holds, taken round by round (every audience's first step, then every second step, …) so
 * that no audience is left without its first step for another's third. An audience's steps stop at the first one
 * that does not fit, so what is shown is always steps 1..n; a first step too long is cut rather than dropped.
 */
function pickSteps(d: Diagnosis, room: number): { sections: string[]; cut: boolean } {
  const shown = new Map<string, string[]>();
  const open = new Set(AUDIENCES.filter((a) => d.steps[a].length > 0));
  let left = room;
  let cut = false;
  for (let round = 0; open.size > 0; round++) {
    for (const audience of AUDIENCES) {
      if (!open.has(audience)) continue;
      const step = d.steps[audience][round];
      if (step === undefined) {
        open.delete(audience);
        continue;
      }
      const header = round === 0 ? AUDIENCE_TITLES[audience].length + 3 : 1;
      // In the first round, room is kept for the first steps of the audiences still to come.
      const later = round === 0 ? AUDIENCES.slice(AUDIENCES.indexOf(audience) + 1).filter((a) => open.has(a)) : [];
      const room = left - later.reduce((sum, a) => sum + AUDIENCE_TITLES[a].length + 3 + MIN_CUT_STEP_CHARS, 0);
      const full = stepLine(step, round);
      let line = safeCut(full, STEP_CHARS);
      if (header + line.length > room) {
        const fits = room - header;
        line = round === 0 && fits >= MIN_CUT_STEP_CHARS ? safeCut(full, fits) : '';
      }
      if (line === '') {
        open.delete(audience);
        cut = true;
        continue;
      }
      if (line !== full) {
        open.delete(audience);
        cut = true;
      }
      shown.set(audience, [...(shown.get(audience) ?? []), line]);
      left -= header + line.length;
    }
  }
  for (const audience of AUDIENCES) if ((shown.get(audience)?.length ?? 0) < d.steps[audience].length) cut = true;
  const list = AUDIENCES.filter((a) => shown.has(a)).map(
    (a) => `*${AUDIENCE_TITLES[a]}*\n${(shown.get(a) ?? []).join('\n')}`,
  );
  return { sections: list, cut };
}
