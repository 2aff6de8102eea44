import type { DiagnoseOutcome, Diagnosis } from '../../diagnosis';
import {
  causeLabel,
  decidingChecks,
  evidenceMark,
  ownerLine,
  ownerLineBesideHeadline,
  rankedByLine,
} from '../../diagnosis/text';
import { escapeText, inlineCode, oneLine, truncate } from './escape';

/** Pieces the first reply and the details share. Every value from a paste, Front or a rule is escaped here. */

export type AnsweredOutcome = Extract<DiagnoseOutcome, { ok: true }>;

export interface OutcomeView {
  /** The tenant whose token the checks used; absent when the answer comes from the paste alone. */
  tenant?: string;
  /** Why there were no live checks, in a few words ("no tenant is bound to this channel"). */
  offlineReason?: string;
  /** Carried by every button; absent means no buttons (an ephemeral answer cannot be re-run in place). */
  buttonValue?: string;
  /** The cause is one the customer can fix and the checks ran live: offer "Watch until fixed". */
  watchable?: boolean;
  /** The paste named more IDs than were checked: how many, since "Check again" re-checks only those. */
  idsInPaste?: number;
  /** The owner is not named yet and the rest of the company's teammates (this many) are checked in the background. */
  ownerFollowUp?: number;
}

/**
 * Said under the buttons when the paste named more Front IDs than one check reads: which ones were checked, that
 * "Check again" re-checks those same ones, and how to check the rest.
 */
export function recheckScope(outcome: AnsweredOutcome, view: OutcomeView, perCheck: number): string | undefined {
  const total = view.idsInPaste ?? 0;
  if (outcome.targets.length === 0 || total <= outcome.targets.length) return undefined;
  const checked = outcome.targets.map((t) => inlineCode(t)).join(', ');
  return `Checked, and *Check again* re-checks, ${checked}: ${outcome.targets.length} of the ${total} Front IDs in the paste. To check others, send them ${perCheck} at a time.`;
}

const MAX_CHECK_LINES = 20;
const MAX_CHECK_LINE_CHARS = 220;

/** What was looked at and how: the targets, and the tenant the live checks used or why there were none. */
export function statusLine(outcome: AnsweredOutcome, view: OutcomeView): string {
  const parts: string[] = [];
  if (outcome.targets.length > 0) parts.push(outcome.targets.map((t) => inlineCode(t)).join(', '));
  if (outcome.live && view.tenant) {
    parts.push(`checked live with tenant *${escapeText(view.tenant)}*`, `${outcome.calls} request(s) to Front`);
    // At a glance too: an answer built on checks that could not be made reads differently.
    const unanswered = decidingChecks(outcome.checks).filter((e) => e.ok === null).length;
    if (unanswered > 0) parts.push(`could not check ${unanswered} of them`);
  } else {
    const reason = view.offlineReason ? ` (${escapeText(view.offlineReason)})` : '';
    parts.push(notCheckable(outcome) ? `not checked${reason}` : `explained from the paste alone${reason}`);
  }
  return parts.join(' · ');
}

export function noMatchText(outcome: AnsweredOutcome, view: OutcomeView): string {
  if (notCheckable(outcome)) {
    const targets = outcome.targets.map((t) => inlineCode(t)).join(', ');
    const why = escapeText(view.offlineReason ?? 'no customer token was used');
    const example = inlineCode(`front-why diagnose --tenant NAME ${outcome.targets[0] ?? ''}`);
    return `*Not checked.* ${targets} can only be checked live with the customer’s token, and ${why}; there is no Front error in it to explain from the paste alone. A Slack admin binds the customer’s tenant here with \`/front-why bind NAME\` (\`/front-why connect NAME\` adds a tenant first), then check again; or run ${example} in a terminal; or paste the Front error the customer got.`;
  }
  if (!outcome.sawError && outcome.targets.length === 0) {
    return '*Nothing to check.* I found no Front error and no Front ID to check in that. Paste the error Front returned, or the ID of what failed: a conversation (`cnv_…`), message (`msg_…`), comment, inbox, tag, contact, message template, signature, channel or rule, or a Front app link to it.';
  }
  return '*No known cause matched.* None of the rules fits what the paste and the checks show. If the error persists, share the full response (status, body and headers) with the Front API team.';
}

/** IDs without a Front error and without the customer's token: nothing can be said about them, nor sent to anyone. */
export function notCheckable(outcome: AnsweredOutcome): boolean {
  return outcome.diagnoses.length === 0 && !outcome.sawError && outcome.targets.length > 0 && !outcome.live;
}

/** `*Cause:* …` or `*Possible cause:* …`, escaped. */
export function causeTitle(d: Diagnosis, number?: number): string {
  return `${number !== undefined ? `${number}. ` : ''}*${causeLabel(d)}:* ${escapeText(oneLine(d.headline))}`;
}

/** Who owns the private resource and how the checks found out; `besideHeadline` leaves out what it already says. */
export function escapedOwner(d: Diagnosis, besideHeadline = false): string | undefined {
  const line = besideHeadline ? ownerLineBesideHeadline(d) : ownerLine(d.owner);
  return line ? escapeText(oneLine(line)) : undefined;
}

export function escapedRankedBy(d: Diagnosis): string | undefined {
  return d.rankedBy ? escapeText(oneLine(rankedByLine(d.rankedBy))) : undefined;
}

/** One step as shown: numbered, on one line, escaped. */
export function stepLine(step: string, index: number): string {
  return `${index + 1}. ${escapeText(oneLine(step))}`;
}

/** The live checks that decided, each once and in the order they ran; undefined when there were none. */
export function decidingCheckLines(outcome: AnsweredOutcome): string[] | undefined {
  const checks = decidingChecks(outcome.checks);
  if (checks.length === 0) return undefined;
  const lines = checks.slice(0, MAX_CHECK_LINES).map((e) => {
    const ms = e.ms !== undefined ? ` (${e.ms} ms)` : '';
    return `${evidenceMark(e)} ${escapeText(truncate(oneLine(`${e.check}: ${e.result}`), MAX_CHECK_LINE_CHARS))}${ms}`;
  });
  if (checks.length > MAX_CHECK_LINES) lines.push(`… and ${checks.length - MAX_CHECK_LINES} more`);
  return lines;
}
