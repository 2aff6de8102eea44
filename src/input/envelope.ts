import { unescapeLayers } from './json-unescape';
import { skipSpace } from './lines';
import { parseLoose, type LooseObject, type LooseParse, type LooseValue } from './loose-json';

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
    if (at < 0) return found;
    const envelope = readEnvelopeAt(text, at);
    if (envelope) {
      found.push(envelope);
      // An `_error` inside this one (quoted in its message, say) is part of it, not another error.
      from = Math.max(envelope.end, at + KEY.length);
    } else {
      from = at + KEY.length;
    }
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

function readEnvelopeAt(text: string, at: number): Envelope | undefined {
  if (isWordChar(text.charCodeAt(at - 1)) || isWordChar(text.charCodeAt(at + KEY.length))) return undefined;

  let keyStart = at;
  let afterKey = at + KEY.length;
  let backslashes = 0;
  const opening = text.charCodeAt(at - 1);
  if (opening === 34 || opening === 39) {
    let b = at - 2;
    while (b >= 0 && text.charCodeAt(b) === BACKSLASH) b--;
    backslashes = at - 2 - b;
    keyStart = b + 1;
    let a = afterKey;
    while (a - afterKey < backslashes && text.charCodeAt(a) === BACKSLASH) a++;
    if (a - afterKey !== backslashes || text.charCodeAt(a) !== opening) return undefined;
    afterKey = a + 1;
  } else if (opening === 58) {
    keyStart = at - 1; // Ruby symbol :_error
  }
  const layers = layersFromBackslashes(backslashes);
  if (layers === undefined) return undefined;

  let p = skipSpace(text, afterKey);
  if (text.startsWith('=>', p)) p += 2;
  else if (text[p] === ':' || text[p] === '=') p++;
  p = skipSpace(text, p);

  const start = holderStart(text, keyStart);
  // util.inspect stops at depth 2: axios dumps print `data: { _error: [Object] }`; the status is elsewhere.
  if (text.startsWith('[Object]', p)) return { start, end: p + '[Object]'.length };
  if (text.charCodeAt(p) !== 123) return undefined;

  // `'{"_error": …}'`: Python and util.inspect print a body as a single-quoted string, doubling its backslashes.
  const inQuotedRepr = layers === 0 && text.charAt(start) === '{' && text.charAt(start - 1) === "'";
  const parsed = inQuotedRepr
    ? parseInLayers(text, p, 1, "'")
    : layers === 0
      ? parseLoose(text, p, p + MAX_ENVELOPE_CHARS)
      : parseInLayers(text, p, layers, '"');
  if (!(parsed.value instanceof Map)) return undefined;
  return { start, end: closeHolder(text, parsed.end), ...envelopeFields(parsed.value) };
}

function parseInLayers(text: string, p: number, layers: number, outerQuote: '"' | "'"): LooseParse {
  const unescaped = unescapeLayers(text, p, Math.min(text.length, p + MAX_ENVELOPE_CHARS), layers, outerQuote);
  const parsed = parseLoose(unescaped.text, 0);
  return { ...parsed, end: unescaped.toSource(parsed.end) };
}

function holderStart(text: string, keyStart: number): number {
  let i = keyStart - 1;
  while (i >= 0 && /\s/.test(text.charAt(i))) i--;
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
