import { countNewlines, lineStartAt } from './lines';
import { findRequest, mentionsRequest } from './context';
import type { ErrorFormat } from './types';

/**
 * One error being put together before it becomes an Observation. The pieces of a single error are often
 * found apart (Python prints `HTTPError: 403 … for url: …` on one line and the body on the next; a status
 * and a Front wording sit on consecutive lines), so this module decides which pieces belong together.
 */
export interface Candidate {
  format: ErrorFormat;
  /** The error's own text: status line to body end, the envelope, the page, the line. */
  start: number;
  end: number;
  /** Where the error proper begins: requests shown before this point belong to it. */
  focus: number;
  status?: number;
  statusInferred?: boolean;
  title?: string;
  message?: string;
  details?: string[];
  /** Headers of an HTTP response. */
  headers?: ReadonlyMap<string, string>;
  /** Builds the excerpt once the stretch of paste owned by the error is known. */
  quote: (contextStart: number) => string;
  /** Already took in a text line that followed it. */
  tookFollower?: boolean;
}

/** How far a Python traceback may sit between a printed body and the `HTTPError` line that repeats its status. */
const MAX_SAME_STATUS_GAP = 2000;
const MAX_LINES_APART = 2;

function statusesAgree(a: Candidate, b: Candidate): boolean {
  return a.status === undefined || b.status === undefined || a.status === b.status;
}

function sameKnownStatus(a: Candidate, b: Candidate): boolean {
  return a.status !== undefined && a.status === b.status && !a.statusInferred && !b.statusInferred;
}

function fill(into: Candidate, from: Candidate): void {
  into.start = Math.min(into.start, from.start);
  into.end = Math.max(into.end, from.end);
  if (from.status !== undefined && (into.status === undefined || (into.statusInferred && !from.statusInferred))) {
    into.status = from.status;
    if (from.statusInferred) into.statusInferred = true;
    else delete into.statusInferred;
  }
  into.title ??= from.title;
  into.message ??= from.message;
}

/** Two text hits on consecutive lines that complete each other: `403 Forbidden` / `You do not have access …`. */
function textLinesJoin(text: string, a: Candidate, b: Candidate): boolean {
  return (
    countNewlines(text, a.end, b.start) <= 1 &&
    statusesAgree(a, b) &&
    !(a.title && b.title) &&
    !(a.message && b.message) &&
    !mentionsRequest(text, a.end, b.focus)
  );
}

/** A text line announcing the error just before its body: Python's `HTTPError: 403 …` then `{"_error":…}`. */
function joinsForward(text: string, line: Candidate, error: Candidate): boolean {
  if (!statusesAgree(line, error) || mentionsRequest(text, line.end, error.focus)) return false;
  return sameKnownStatus(line, error) || countNewlines(text, line.end, error.start) <= MAX_LINES_APART;
}

/** A text line after the body repeating its status (a traceback ending in `HTTPError: 403 …`), not another call. */
function joinsBackward(text: string, error: Candidate, line: Candidate, previousEnd: number): boolean {
  if (!statusesAgree(error, line) || mentionsRequest(text, error.end, line.focus)) return false;
  const near = sameKnownStatus(error, line)
    ? line.start - error.end <= MAX_SAME_STATUS_GAP
    : countNewlines(text, error.end, line.start) <= MAX_LINES_APART;
  if (!near) return false;
  const lineRequest = findRequest(text, line.focus, line.focus, line.end)?.path;
  const errorRequest = findRequest(
    text,
    Math.max(previousEnd, lineStartAt(text, error.start) - 1000),
    error.focus,
    error.focus,
  )?.path;
  return !lineRequest || !errorRequest || lineRequest === errorRequest;
}

/** Candidates sorted by position in; one candidate per error out, in order. */
export function joinPieces(text: string, sorted: readonly Candidate[]): Candidate[] {
  const lines: Candidate[] = [];
  for (const c of sorted) {
    const previous = lines[lines.length - 1];
    if (previous && previous.format === 'text' && c.format === 'text' && textLinesJoin(text, previous, c))
      fill(previous, c);
    else lines.push(c);
  }

  const joined: Candidate[] = [];
  let waiting: Candidate[] = [];
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i] as Candidate;
    if (c.format !== 'text') {
      for (const line of waiting) fill(c, line);
      waiting = [];
      joined.push(c);
      continue;
    }
    const next = lines[i + 1];
    if (next && next.format !== 'text' && joinsForward(text, c, next)) {
      waiting.push(c);
      continue;
    }
    const previous = joined[joined.length - 1];
    const beforePrevious = joined[joined.length - 2]?.end ?? 0;
    if (
      previous &&
      previous.format !== 'text' &&
      !previous.tookFollower &&
      joinsBackward(text, previous, c, beforePrevious)
    ) {
      fill(previous, c);
      previous.tookFollower = true;
      continue;
    }
    joined.push(c);
  }
  joined.push(...waiting);
  return joined;
}
