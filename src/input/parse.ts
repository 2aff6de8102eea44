import { findErrors } from './assemble';
import { distinctIds, scanFrontIds, type IdOccurrence } from './id-scan';
import { normalisePaste } from './normalise';
import { isRecheckInput, readRecheckInput } from './recheck-input';
import { MAX_PASTE_BYTES, type ParseResult } from './types';
import { charge, metered, type WorkMeter } from './work';
import { NO_WORDINGS, type WordingSet } from './wordings';

export interface ParseOptions {
  /** Counts the characters the readers visit (see work.ts). */
  meter?: WorkMeter;
  /** Front's wordings, from the rule set in use (they live in the rules); none when absent. */
  wordings?: WordingSet;
}

function empty(): ParseResult {
  return {
    ok: false,
    reason: 'empty',
    message: 'Nothing to read: paste the error (the response body, curl output or log line).',
  };
}

function tooLarge(bytes: number): ParseResult {
  return { ok: false, reason: 'too_large', message: tooLargeMessage(bytes) };
}

function size(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${mib.toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * The refusal of a paste of `bytes` (its real size, also when a reader kept only the first part of it);
 * `atLeast` when the reader stopped counting.
 */
export function tooLargeMessage(bytes: number, atLeast = false): string {
  return (
    `That paste is ${atLeast ? 'over ' : ''}${size(bytes)}, over the ${size(MAX_PASTE_BYTES)} limit. Paste just the ` +
    'error: the status line and the `{"_error": …}` body, or the one log line that shows it.'
  );
}

/** "Our OAuth app…", an /oauth/ URL, a token response's refresh_token: the paste says the request used OAuth. */
const OAUTH_MENTION = /\boauth|\brefresh_token\b/i;

/** A reader bug must not cost the agent a reply: what could be read is kept, the rest left out. */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** Reads whatever an agent pasted into the Front errors and Front IDs it holds. Never throws. */
export function parsePaste(text: string, options: ParseOptions = {}): ParseResult {
  const wordings = options.wordings ?? NO_WORDINGS;
  return metered(options.meter, () => parseMetered(text, wordings));
}

function parseMetered(text: string, wordings: WordingSet): ParseResult {
  if (typeof text !== 'string') return empty();
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PASTE_BYTES) return tooLarge(bytes);
  // What a button or a watch carries; a malformed one is read as the text it is.
  const carried = isRecheckInput(text) ? safely(() => readRecheckInput(text), undefined) : undefined;
  if (carried) return carried;
  const normalised = safely(() => normalisePaste(text), text);
  if (normalised.trim() === '') return empty();

  const occurrences = safely(() => scanFrontIds(normalised), []);
  const errors = safely(() => findErrors(normalised, occurrences, wordings), []);
  // An error body can hold an ID only its unescaping reveals (a JSON string wrapped with a literal "\n"):
  // it joins the paste's IDs after the ones seen as written.
  const revealed: IdOccurrence[] = [];
  for (const error of errors)
    for (const o of scanFrontIds(error.ids.join(' ')))
      revealed.push({ id: o.id, prefix: o.prefix, kind: o.kind, fromLink: o.fromLink, index: Infinity });
  charge(normalised.length);
  const mentionsOAuth = OAUTH_MENTION.test(normalised);
  return { ok: true, errors, ids: distinctIds([...occurrences, ...revealed]), mentionsOAuth };
}
