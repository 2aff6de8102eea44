import { namesAnotherService } from './foreign';
import { lineEndAt, lineStartAt } from './lines';
import { REASON_ALTERNATIVES, STATUS_IN_WORDS, STATUS_NUMBER, STATUS_THEN_REASON, statusOfReason } from './reasons';
import { lowerBound, matchesIn } from './range-search';
import type { Span } from './spans';
import { trimTrailingNoise } from './trim';
import { wordingEnd, wordingMatches, wordingOf, type WordingSet } from './wordings';
import { charge } from './work';

/**
 * Front errors written out without an envelope: `403 Forbidden: You do not have access to the resources of
 * this teammate`, `Front API error 429: Rate limit exceeded for tier-2 route. …`, Python's
 * `403 Client Error: Forbidden for url: …`. Conservative: a 4xx/5xx next to a reason phrase or a Front
 * wording, or one of Front's unmistakable sentences on its own.
 */
export interface TextHit {
  /** The line (or the part of it outside envelopes and responses) the hit is on. */
  start: number;
  end: number;
  /** Where the first recognised words start, for the excerpt and the request lookup. */
  focus: number;
  status?: number;
  statusInferred?: boolean;
  title?: string;
  message?: string;
  /**
   * The status was read from words alone (`Request failed with status code 404`), with no reason phrase or
   * Front wording: anyone's client writes that, so it counts only in a paste that is about Front.
   */
  statusInWordsOnly?: boolean;
}

const MAX_MESSAGE_CHARS = 500;
const STATUS_TOKEN = new RegExp(STATUS_NUMBER, 'g');
/** A previous line may carry the status for a wording on the next one (axios: `Request failed with status code 403`). */
const STATUS_KEYWORD = /\bstatus(?:[ _-]?code)?["']?[ \t]*(?:=>|[:=]|is)?[ \t]*["']?([45]\d\d)(?!\d)/i;
/** Keys whose strings are content (a subject, a message body), not an error report. */
const ERRORISH_KEY =
  /err|msg|mess|reason|detail|exception|response|stack|trace|log|output|result|status|fault|problem|warn|cause/i;
/** An email or message field written out (`Subject: Re: 403 Forbidden on API`): what someone wrote, not what Front answered. */
const CONTENT_LINE = /^[ \t>*-]*(?:subject|blurb|preview|snippet|summary|topic|description)[ \t]*:/i;
/** A key as data writes it (quoted, after `{` or `,`, or starting an indented line), not prose like `Customer sees: "…"`. */
const KEY_BEFORE_QUOTE = /(?:^[ \t]*|[{,][ \t]*|["':])([A-Za-z_$][\w$-]*)["']?[ \t]*(?::|=>|=)[ \t]*$/;

interface Match {
  index: number;
  end: number;
  /** `reason`: 403 Forbidden; `status`: a status in words (status code 429); `wording`: one of Front's. */
  kind: 'reason' | 'status' | 'wording';
  exec: RegExpExecArray;
  segment: Span;
}

export function findTextHits(text: string, segments: readonly Span[], wordings: WordingSet): TextHit[] {
  charge(3 * text.length);
  const matches = [
    ...withinSegments(matchesIn(STATUS_THEN_REASON, text), segments, 'reason'),
    ...withinSegments(matchesIn(STATUS_IN_WORDS, text), segments, 'status'),
    ...withinSegments(wordingMatches(wordings, text), segments, 'wording'),
  ].sort((a, b) => a.index - b.index);

  const hits: TextHit[] = [];
  const contentEnds = new Map<number, number>();
  let i = 0;
  while (i < matches.length) {
    const first = matches[i] as Match;
    const segment = first.segment;
    const lineStart = lineStartAt(text, first.index);
    const start = Math.max(segment.start, lineStart);
    const end = Math.min(segment.end, lineEndAt(text, first.index));
    const onLine: Match[] = [];
    while (i < matches.length && (matches[i] as Match).index < end) onLine.push(matches[i++] as Match);
    if (
      insideContentString(text, lineStart, start, first.index) ||
      isContentLine(text, lineStart, first.index, contentEnds)
    )
      continue;
    const hit = hitFromLine(text, start, end, onLine, segment, wordings);
    if (hit) hits.push(hit);
  }
  return hits;
}

/**
 * `Subject: …` and the like before `pos` on its line. Each hit on a line asks; the line's start is read once
 * (`contentEnds` keeps where its label ends, or Infinity).
 */
function isContentLine(text: string, lineStart: number, pos: number, contentEnds: Map<number, number>): boolean {
  if (pos - lineStart >= 200) return false;
  let labelEnd = contentEnds.get(lineStart);
  if (labelEnd === undefined) {
    charge(200);
    const m = CONTENT_LINE.exec(text.slice(lineStart, lineStart + 200));
    labelEnd = m ? lineStart + m[0].length : Infinity;
    contentEnds.set(lineStart, labelEnd);
  }
  return labelEnd <= pos;
}

/** The matches that lie wholly inside one of the (sorted, disjoint) segments. */
function withinSegments(found: RegExpExecArray[], segments: readonly Span[], kind: Match['kind']): Match[] {
  const kept: Match[] = [];
  for (const m of found) {
    const end = m.index + m[0].length;
    const segment = segments[lowerBound(segments, m.index + 1, (s) => s.end)];
    if (segment && segment.start <= m.index && end <= segment.end)
      kept.push({ index: m.index, end, kind, exec: m, segment });
  }
  return kept;
}

function hitFromLine(
  text: string,
  start: number,
  end: number,
  onLine: Match[],
  segment: Span,
  wordings: WordingSet,
): TextHit | undefined {
  const reason = onLine.find((m) => m.kind === 'reason');
  const stated = reason ?? onLine.find((m) => m.kind === 'status');
  const wording = onLine.find((m) => m.kind === 'wording');
  const hit: TextHit = { start, end, focus: (onLine[0] as Match).index };
  if (reason) {
    hit.status = Number(reason.exec[1]);
    hit.title = reason.exec[2];
  } else if (stated) {
    hit.status = Number(stated.exec[1] ?? stated.exec[2]);
  }
  if (wording) {
    hit.message = messageAt(text, wording.index, wordingEnd(text, wording.index, wording.end, end), end);
    hit.status ??=
      lastStatusIn(text, start, wording.index) ??
      statusRightAfter(text, wording.end, end) ??
      statusOnLineBefore(text, start, segment);
    const known = wordingOf(wordings, wording.exec);
    // Only words nobody but Front writes are read without a status beside them, and then imply Front's.
    if (hit.status === undefined && !known?.frontOnly) return undefined;
    if (!known?.frontOnly && namesAnotherService(text.slice(start, end))) return undefined;
    if (hit.status === undefined && known?.status !== undefined) {
      hit.status = known.status;
      hit.statusInferred = true;
    }
  } else if (stated) {
    // A bare status and reason could be anyone's: another service named on the line says whose.
    if (namesAnotherService(text.slice(start, end))) return undefined;
    if (reason) {
      const rest = trailingMessage(text.slice(reason.end, end));
      if (rest) hit.message = rest;
    } else {
      Object.assign(hit, reasonAfterStatus(text.slice(stated.end, end)));
      hit.statusInWordsOnly = true;
    }
  }
  return hit;
}

function lastStatusIn(text: string, from: number, to: number): number | undefined {
  charge(to - from);
  const found = matchesIn(STATUS_TOKEN, text, from, to);
  const last = found[found.length - 1];
  return last ? Number(last[1]) : undefined;
}

/** `Rate limit exceeded (429)`: a tool that prints the status in parentheses after the words. */
const STATUS_IN_PARENTHESES = /^[ \t]*\((?:HTTP[ _-]?(?:Status:?)?[ \t]*)?([45]\d\d)\)/i;

function statusRightAfter(text: string, from: number, lineEnd: number): number | undefined {
  const after = text.slice(from, Math.min(lineEnd, from + 40));
  charge(after.length);
  const m = STATUS_IN_PARENTHESES.exec(after);
  return m?.[1] ? Number(m[1]) : undefined;
}

function statusOnLineBefore(text: string, lineStart: number, segment: Span): number | undefined {
  if (lineStart - 1 <= segment.start) return undefined;
  const previous = text.slice(Math.max(segment.start, lineStartAt(text, lineStart - 1)), lineStart - 1);
  charge(previous.length);
  const m = STATUS_KEYWORD.exec(previous);
  return m?.[1] ? Number(m[1]) : undefined;
}

/** The wording to the end of its quoted string, or of its line; the quotes inside the wording itself do not end it. */
function messageAt(text: string, from: number, wordingEnd: number, lineEnd: number): string {
  const opener = text.charAt(from - 1);
  let message: string;
  if (opener === '"' || opener === "'") {
    let i = Math.min(wordingEnd, lineEnd);
    while (i < lineEnd && text.charAt(i) !== opener) i += text.charAt(i) === '\\' ? 2 : 1;
    charge(i - from);
    message = text.slice(from, Math.min(i, lineEnd)).replace(/\\(.)/g, '$1');
  } else {
    message = trimTrailingNoise(text.slice(from, lineEnd));
    if ((message.match(/"/g) ?? []).length % 2 === 1) message = message.replace(/"$/, '');
  }
  charge(2 * message.length);
  // `… Please retry in 20 seconds. (HTTP Status: 429)`, `Rate limit exceeded (429)`: the status a tool appended
  // is not Front's message.
  message = message
    .replace(/[ \t]*(?:\((?:HTTP[ _-]?Status:?[ \t]*)?|HTTP[ _-]?Status:?[ \t]*)\d{3}\)?[ \t]*$/i, '')
    .trim();
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…` : message;
}

// Built once: it is tried after every status found in words.
const REASON_AFTER_STATUS = new RegExp(
  String.raw`^[ \t)\]]*(${REASON_ALTERNATIVES})\b[ \t]*(?:[:\-–][ \t]*(.+))?$`,
  'i',
);

/** `(HTTP Status: 401) Unauthenticated: Invalid token`: the reason and message a tool prints after the status. */
function reasonAfterStatus(rest: string): Pick<TextHit, 'title' | 'message'> {
  charge(rest.length);
  const m = REASON_AFTER_STATUS.exec(rest);
  if (!m?.[1] || statusOfReason(m[1]) === undefined) {
    // `Front API error 403: <message>`: no reason phrase, the message right after.
    const message = /^[ \t]*:[ \t]*(\S.*)$/.exec(rest)?.[1];
    return message ? { message: trimTrailingNoise(message).trim().slice(0, MAX_MESSAGE_CHARS) } : {};
  }
  const message = m[2] === undefined ? undefined : trimTrailingNoise(m[2]).trim();
  return { title: m[1], ...(message ? { message: message.slice(0, MAX_MESSAGE_CHARS) } : {}) };
}

/** `403 Forbidden: <message>`; Python's `… Forbidden for url: …` carries none. */
function trailingMessage(rest: string): string | undefined {
  const m = /^[ \t]*[:\-–][ \t]*(.+)$/.exec(rest);
  charge(rest.length);
  const message = m?.[1] === undefined ? undefined : trimTrailingNoise(m[1]).trim();
  return message && !/^for url\b/i.test(message) ? message.slice(0, MAX_MESSAGE_CHARS) : undefined;
}

/**
 * True when `pos` sits inside a quoted string whose key is content (`"subject": "Re: 404 Not Found"` in a
 * conversation), where a status and reason are just words. Unkeyed quotes (prose, arrays) do not count.
 */
function insideContentString(text: string, lineStart: number, from: number, pos: number): boolean {
  let quote = '';
  let openedAt = -1;
  // From where this part of the line starts (after an envelope or a response on it, whose quotes are its own)
  // and at most 4096 back: each hit reads only its own part of a minified one-line body.
  const scanFrom = Math.max(from, pos - 4096);
  charge(pos - scanFrom + 80);
  for (let i = scanFrom; i < pos; i++) {
    const c = text.charAt(i);
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
      openedAt = i;
    }
  }
  if (!quote) return false;
  const key = KEY_BEFORE_QUOTE.exec(text.slice(Math.max(lineStart, openedAt - 80), openedAt))?.[1];
  return key !== undefined && !ERRORISH_KEY.test(key);
}
