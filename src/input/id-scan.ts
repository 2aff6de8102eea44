import { FRONT_ID_KINDS } from '../front/ids';
import type { FrontIdRef } from './types';
import { matchesIn } from './range-search';
import { charge } from './work';

/** Front IDs (`cnv_yo1kg5q`: prefix, `_`, lowercase base 36) and the app links that carry them. */

/** Prefixes Front uses, with a human name (one table for the whole project: the client validates against it). */
export const KIND_BY_PREFIX = FRONT_ID_KINDS;

export interface IdOccurrence extends FrontIdRef {
  index: number;
}

// `\b` before a letter is "no letter, digit or _ before it" (without the u and i flags \w is exactly those): the
// same as a lookbehind, but the search can skip to where a candidate may start instead of testing every character.
const ID_CANDIDATE = /\b([a-z]{2,4})_([0-9a-z]{1,24})(?![A-Za-z0-9_])/g;
/** snake_case words that look like a known prefix followed by base 36: `tag_ids`, `msg_id`, `com_port`. */
const NOT_AN_ID_SUFFIX = new Set([
  'id',
  'ids',
  'name',
  'names',
  'type',
  'types',
  'url',
  'urls',
  'uri',
  'key',
  'keys',
  'count',
  'data',
  'info',
  'ref',
  'refs',
  'obj',
  'link',
  'links',
  'body',
  'text',
  'value',
  'values',
  'list',
  'map',
  'set',
  'str',
  'num',
  'idx',
  'index',
  'limit',
  'json',
  'html',
  'xml',
  'api',
  'token',
  'user',
  'users',
  'object',
  'objects',
  'item',
  'items',
  'status',
  'error',
  'errors',
  'port',
  'size',
  'file',
  'path',
  'date',
  'time',
  'mode',
  'flag',
  'only',
  'all',
  'new',
  'old',
]);
/** Unlisted prefixes are only trusted when they look like generated IDs; these are common words or standards. */
const NOT_AN_ID_PREFIX = new Set([
  'utf',
  'sha',
  'iso',
  'api',
  'tls',
  'ssl',
  'md',
  'win',
  'x86',
  'arm',
  'amd',
  'var',
  'let',
  'def',
  'get',
  'set',
  'is',
  'has',
]);

const URL = /https?:\/\/[^\s<>"'`|]+/g;

function kindOf(prefix: string, suffix: string): string | undefined {
  const known = KIND_BY_PREFIX[prefix];
  if (known !== undefined) return NOT_AN_ID_SUFFIX.has(suffix) ? undefined : known;
  const looksGenerated = prefix.length === 3 && suffix.length >= 3 && /\d/.test(suffix) && /[a-z]/.test(suffix);
  return looksGenerated && !NOT_AN_ID_PREFIX.has(prefix) ? 'unknown' : undefined;
}

/** True for a string that is exactly one Front ID. */
export function isFrontId(value: string): boolean {
  const m = /^([a-z]{2,4})_([0-9a-z]{1,24})$/.exec(value);
  return m !== null && kindOf(m[1] ?? '', m[2] ?? '') !== undefined;
}

/** App (UI) links on frontapp.com; API hosts (`api2.`, `acme.api.`) are not app links. */
function appLinkSpans(text: string): { start: number; end: number }[] {
  charge(text.length);
  if (!text.includes('frontapp.com')) return [];
  const spans: { start: number; end: number }[] = [];
  for (const m of matchesIn(URL, text)) {
    charge(m[0].length);
    const host = (/^https?:\/\/([^/?#:]*)/i.exec(m[0])?.[1] ?? '').toLowerCase();
    const isFront = host === 'frontapp.com' || host.endsWith('.frontapp.com');
    const isApi = host === 'api2.frontapp.com' || host === 'api.frontapp.com' || host.endsWith('.api.frontapp.com');
    const start = m.index ?? 0;
    if (isFront && !isApi) spans.push({ start, end: start + m[0].length });
  }
  return spans;
}

/** Every Front ID occurrence, in order, with the kind of its prefix and whether it sits in an app link. */
export function scanFrontIds(text: string): IdOccurrence[] {
  charge(2 * text.length);
  if (!text.includes('_')) return [];
  const links = appLinkSpans(text);
  const found: IdOccurrence[] = [];
  let link = 0;
  ID_CANDIDATE.lastIndex = 0;
  for (let m = ID_CANDIDATE.exec(text); m !== null; m = ID_CANDIDATE.exec(text)) {
    const prefix = m[1] ?? '';
    const kind = kindOf(prefix, m[2] ?? '');
    if (kind === undefined) continue;
    const index = m.index ?? 0;
    while (link < links.length && (links[link]?.end ?? 0) <= index) link++;
    const fromLink = (links[link]?.start ?? Infinity) <= index;
    found.push({ id: m[0], prefix, kind, fromLink, index });
  }
  return found;
}

/** Distinct IDs in order of first appearance; an ID counts as from a link if any of its occurrences is. */
export function distinctIds(occurrences: readonly IdOccurrence[]): FrontIdRef[] {
  const byId = new Map<string, FrontIdRef>();
  for (const o of occurrences) {
    const seen = byId.get(o.id);
    if (seen) seen.fromLink ||= o.fromLink;
    else byId.set(o.id, { id: o.id, prefix: o.prefix, kind: o.kind, fromLink: o.fromLink });
  }
  return [...byId.values()];
}

/** The Front IDs in a short piece of text (a path, a Location), in order. */
export function idsIn(text: string): string[] {
  return scanFrontIds(text).map((o) => o.id);
}
