import { isFactPath, type FactPath } from '../facts';
import { UNKNOWN, type FactValue } from './source';

/** Rendered for a fact that is absent or unknown when the template gives no default of its own. */
export const PLACEHOLDER = '(unknown)';
export const MAX_VALUE_LENGTH = 200;

// Braces are excluded inside a field so that `{{a|{{b}}}}` never nests, and the default text is literal.
const FIELD = /\{\{([^{}]*)\}\}/g;

interface Field {
  path: string;
  fallback: string | undefined;
}

function parseField(inner: string): Field {
  const bar = inner.indexOf('|');
  if (bar === -1) return { path: inner.trim(), fallback: undefined };
  return { path: inner.slice(0, bar).trim(), fallback: inner.slice(bar + 1).trim() };
}

/**
 * Every path a template refers to, as written (the schema rejects those not in the catalogue). Read from the
 * template's one parse: a diagnosis asks it of every line of the rules it reports.
 */
export function templateFields(template: string): readonly string[] {
  return parsed(template).fields;
}

/** A template cut once into literal text and fields; `path` is undefined for one outside the catalogue. */
type Piece = string | { path: FactPath | undefined; fallback: string | undefined };

interface ParsedTemplate {
  pieces: Piece[];
  /** Every field's path as written, in or outside the catalogue. */
  fields: readonly string[];
}

// Templates come from the rule files, so there are a few hundred; the bound only guards a caller that renders
// arbitrary text.
const MAX_CACHED_TEMPLATES = 5_000;
const cache = new Map<string, ParsedTemplate>();

function parsed(template: string): ParsedTemplate {
  const kept = cache.get(template);
  if (kept !== undefined) return kept;
  const pieces: Piece[] = [];
  const fields: string[] = [];
  let at = 0;
  for (const match of template.matchAll(FIELD)) {
    if (match.index > at) pieces.push(template.slice(at, match.index));
    const field = parseField(match[1] ?? '');
    fields.push(field.path);
    pieces.push({ path: isFactPath(field.path) ? field.path : undefined, fallback: field.fallback });
    at = match.index + match[0].length;
  }
  if (at < template.length) pieces.push(template.slice(at));
  if (cache.size >= MAX_CACHED_TEMPLATES) cache.clear();
  const result = { pieces, fields };
  cache.set(template, result);
  return result;
}

/**
 * Replaces `{{path}}` and `{{path|default}}` in one pass over the template: what a value inserts is never
 * scanned again, so a pasted value that looks like a template stays plain text. Output-specific escaping
 * (Slack's `&<>`) is left to each output; this only keeps values to one short, printable line.
 */
export function renderTemplate(template: string, get: (path: FactPath) => FactValue | typeof UNKNOWN): string {
  const { pieces } = parsed(template);
  let out = '';
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      out += piece;
      continue;
    }
    const value = piece.path === undefined ? UNKNOWN : get(piece.path);
    const text = value === UNKNOWN ? '' : formatValue(value);
    out += text !== '' ? text : (piece.fallback ?? PLACEHOLDER);
  }
  return out;
}

function formatValue(value: FactValue): string {
  if (value === undefined) return '';
  const raw = Array.isArray(value)
    ? value
        .map(sanitize)
        .filter((v) => v !== '')
        .join(', ')
    : String(value);
  return cap(sanitize(raw));
}

const OUTSIDE_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/**
 * Control and invisible formatting characters (bidi overrides, zero-width) are dropped so a paste cannot
 * break a line or visually reorder the reply; line breaks and tabs become one space.
 */
export function sanitize(text: string): string {
  // Most values are plain printable ASCII, which has nothing to drop or fold.
  if (!OUTSIDE_PRINTABLE_ASCII.test(text)) return text.trim();
  let out = '';
  let pendingSpace = false;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (isBreak(code)) {
      pendingSpace = true;
      continue;
    }
    if (isInvisible(code)) continue;
    if (pendingSpace && out !== '') out += ' ';
    pendingSpace = false;
    out += ch;
  }
  return out.trim();
}

function isBreak(code: number): boolean {
  return (
    code === 0x09 ||
    code === 0x0a ||
    code === 0x0b ||
    code === 0x0c ||
    code === 0x0d ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x85
  );
}

function isInvisible(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2069) ||
    code === 0xfeff
  );
}

function cap(text: string): string {
  // Never more code points than UTF-16 units.
  if (text.length <= MAX_VALUE_LENGTH) return text;
  const chars = Array.from(text);
  if (chars.length <= MAX_VALUE_LENGTH) return text;
  return chars.slice(0, MAX_VALUE_LENGTH - 1).join('') + '…';
}
