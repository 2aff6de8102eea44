import { unescapeLayers } from './json-unescape';
import { skipSpace } from './lines';
import { parseLoose, type LooseObject, type LooseParse, type LooseValue } from './loose-json';
import { charge } from './work';

/** One `_error` envelope found in the paste, wherever it sits: bare JSON, a log line, an object dump, a string. */
export interface Envelope {
  /** The `{` of the object holding `_error` (or the key itself when that brace is not right before it). */
  start: number;
  /** Just past the `_error` value (and the closing brace of its holder, when it follows). */
  end: number;
  status?: number;
  title?: string;
  message?: string;
  details?: string[];
}

/** A real envelope is a few hundred characters; this only bounds the work a hostile paste can cause. */
const MAX_ENVELOPE_CHARS = 32 * 1024;
const KEY = '_error';
const BACKSLASH = 92;

export function findEnvelopes(text: string): Envelope[] {
  const found: Envelope[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf(KEY, from);
    charge((at < 0 ? text.length : at + KEY.length) - from);
    if (at < 0) return found;
    const read = readEnvelopeAt(text, at);
    if (read.envelope) found.push(read.envelope);
    // Nothing reading this one looked at is read again: an `_error` inside it (quoted in its message, say) is
    // part of it, and one after a string left open on its line is past text already given up on. Resuming any
    // earlier would read the same stretch again for every key in it.
    from = Math.max(read.readTo, at + KEY.length);
  }
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

/** 1 backslash before the quote: JSON inside a JSON string; 3: two layers deep; 7: three. */
function layersFromBackslashes(count: number): number | undefined {
  const layers = Math.log2(count + 1);
  return Number.isInteger(layers) && layers <= 3 ? layers : undefined;
}

interface EnvelopeRead {
  envelope?: Envelope;
  /** Where the search for the next key may resume. */
  readTo: number;
}

function readEnvelopeAt(text: string, at: number): EnvelopeRead {
  const keyEnd = at + KEY.length;
  if (isWordChar(text.charCodeAt(at - 1)) || isWordChar(text.charCodeAt(keyEnd))) return { readTo: keyEnd };

  let keyStart = at;
  let afterKey = at + KEY.length;
  let backslashes = 0;
  const opening = text.charCodeAt(at - 1);
  if (opening === 34 || opening === 39) {
    let b = at - 2;
    while (b >= 0 && text.charCodeAt(b) === BACKSLASH) b--;
    backslashes = at - 2 - b;
    charge(backslashes + 1);
    keyStart = b + 1;
    let a = afterKey;
    while (a - afterKey < backslashes && text.charCodeAt(a) === BACKSLASH) a++;
    charge(a - afterKey + 1);
    if (a - afterKey !== backslashes || text.charCodeAt(a) !== opening) return { readTo: keyEnd };
    afterKey = a + 1;
  } else if (opening === 58) {
    keyStart = at - 1; // Ruby symbol :_error
  }
  const layers = layersFromBackslashes(backslashes);
  if (layers === undefined) return { readTo: keyEnd };

  let p = skipSpace(text, afterKey);
  if (text.startsWith('=>', p)) p += 2;
  else if (text[p] === ':' || text[p] === '=') p++;
  p = skipSpace(text, p);

  const start = holderStart(text, keyStart);
  // util.inspect stops at depth 2: axios dumps print `data: { _error: [Object] }`; the status is elsewhere.
  if (text.startsWith('[Object]', p))
    return { envelope: { start, end: p + '[Object]'.length }, readTo: p + '[Object]'.length };
  if (text.charCodeAt(p) !== 123) return { readTo: keyEnd };

  // `'{"_error": …}'`: Python and util.inspect print a body as a single-quoted string, doubling its backslashes.
  const inQuotedRepr = layers === 0 && text.charAt(start) === '{' && text.charAt(start - 1) === "'";
  const parsed = inQuotedRepr
    ? parseInLayers(text, p, 1, "'")
    : layers === 0
      ? parseLoose(text, p, p + MAX_ENVELOPE_CHARS)
      : parseInLayers(text, p, layers, '"');
  // A key may start on the last character the reader peeked at (the one that ended a run of spaces).
  const readTo = Math.max(parsed.end, parsed.furthest - 1);
  if (!(parsed.value instanceof Map)) return { readTo };
  const end = closeHolder(text, parsed.end);
  return { envelope: { start, end, ...envelopeFields(parsed.value) }, readTo: Math.max(end, readTo) };
}

/** Unescaping starts with this many characters of the paste and doubles while the envelope wants more. */
const FIRST_STRETCH = 16;
/** A stretch cut in the middle of an escape garbles at most this many characters at its end. */
const CUT_MARGIN = 8;

/**
 * An envelope inside a string (`\"_error\":{…}`) is read from its unescaped text. A long paste of short
 * escaped envelopes must not cost a full-size unescape per key, so only as much is unescaped as the reader
 * turns out to need: a stretch, doubled whenever reading got near its end.
 */
function parseInLayers(text: string, p: number, layers: number, outerQuote: '"' | "'"): LooseParse {
  const limit = Math.min(text.length, p + MAX_ENVELOPE_CHARS);
  for (let to = Math.min(limit, p + FIRST_STRETCH); ; to = Math.min(limit, p + 2 * (to - p))) {
    const unescaped = unescapeLayers(text, p, to, layers, outerQuote);
    const parsed = parseLoose(unescaped.text, 0);
    const wantsMore = to < limit && unescaped.cut && parsed.furthest + CUT_MARGIN >= unescaped.text.length;
    if (!wantsMore) {
      const furthest = unescaped.toSource(Math.min(parsed.furthest, unescaped.text.length));
      return { ...parsed, end: unescaped.toSource(parsed.end), furthest };
    }
  }
}

function holderStart(text: string, keyStart: number): number {
  let i = keyStart - 1;
  while (i >= 0 && /\s/.test(text.charAt(i))) i--;
  charge(keyStart - i);
  return text.charAt(i) === '{' ? i : keyStart;
}

function closeHolder(text: string, valueEnd: number): number {
  const next = skipSpace(text, valueEnd);
  return text.charAt(next) === '}' ? next + 1 : valueEnd;
}

function envelopeFields(error: LooseObject): Omit<Envelope, 'start' | 'end'> {
  const fields: Omit<Envelope, 'start' | 'end'> = {};
  const status = asStatus(error.get('status'));
  if (status !== undefined) fields.status = status;
  const title = asText(error.get('title'));
  if (title !== undefined) fields.title = title;
  const message = asText(error.get('message'));
  if (message !== undefined) fields.message = message;
  const details = asDetails(error.get('details'));
  if (details !== undefined) fields.details = details;
  return fields;
}

export function asStatus(value: LooseValue): number | undefined {
  const n = typeof value === 'string' && /^\s*\d{3}\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

function asText(value: LooseValue): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function asDetails(value: LooseValue): string[] | undefined {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const texts = items.map(describe).filter((t) => t !== '');
  return texts.length > 0 ? texts : undefined;
}

/** Details are usually strings; anything else is shown compactly rather than dropped. */
function describe(value: LooseValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(describe).join(', ');
  return [...value.entries()].map(([k, v]) => `${k}: ${describe(v)}`).join(', ');
}
