import type { Observation, Wording } from './types';
import { charge } from './work';

/**
 * Front's wordings come from the rules (`wordings:` in rules/*.yml), so a rule author adds one without a build.
 * They are searched as one case-insensitive alternation, each in a named group (`w0`, `w1`, …): a pass over the
 * paste, whatever the number of wordings, and a rule's own groups do not shift which wording matched. (The
 * alternation is run in two parts, see `searches`, with the same result.)
 */
export interface WordingSet {
  readonly wordings: readonly Wording[];
  /**
   * The alternation, cut in two (`wordingMatches` puts it back together): the wordings that open with a lookbehind
   * apart from the others. A lookbehind may hold at any character, so in one alternation it makes the search try
   * every wording at every character, where the others alone are tried only where one of them can start.
   */
  readonly searches: readonly RegExp[];
  /**
   * For each search, words one of which a text must hold for it to match anything (undefined: no such words known).
   * A lookbehind search is tried at every character; a text without any of its words is not searched at all.
   */
  readonly needs?: readonly (readonly RegExp[] | undefined)[];
}

const LOOKBEHIND = /^\(\?<[=!]/;

export function wordingSet(wordings: readonly Wording[]): WordingSet {
  const seen = new Set<string>();
  const kept: Wording[] = [];
  for (const wording of wordings) {
    if (seen.has(wording.pattern.source)) continue;
    seen.add(wording.pattern.source);
    kept.push(wording);
  }
  const named = kept.map((w, i) => ({
    source: w.pattern.source,
    group: `(?<w${i}>${w.pattern.source})`,
    behind: LOOKBEHIND.test(w.pattern.source),
  }));
  const parts = [named.filter((w) => !w.behind), named.filter((w) => w.behind)].filter((part) => part.length > 0);
  const searches = parts.map((part) => new RegExp(part.map((w) => w.group).join('|'), 'gi'));
  const needs = parts.map((part) => {
    const words = part.map((w) => w.behind && literalBehind(w.source));
    return words.every((word) => typeof word === 'string')
      ? words.map((word) => new RegExp(word as string, 'i'))
      : undefined;
  });
  return { wordings: kept, searches, needs };
}

/** Characters that stand for themselves in a pattern (outside a class) and need no escape in a new one. */
const PLAIN = /[A-Za-z0-9 :_,'"-]/;
const QUANTIFIER = /[?*+{]/;

/**
 * The longest run of plain characters inside the positive lookbehind that opens `source`, when every match of
 * `source` needs it: the source has no alternative (`|`) and the lookbehind no group of its own. Otherwise undefined.
 */
function literalBehind(source: string): string | undefined {
  if (!source.startsWith('(?<=') || source.includes('|')) return undefined;
  let best = '';
  let run = '';
  for (let i = 4; i < source.length; i += 1) {
    const ch = source[i] as string;
    if (ch === ')') return best === '' ? undefined : best;
    if (ch === '(') return undefined;
    if (PLAIN.test(ch)) {
      if (QUANTIFIER.test(source[i + 1] ?? '')) run = '';
      else run += ch;
    } else {
      run = '';
      if (ch === '\\') {
        // Only escapes that stand for one character class or punctuation; `\u0041`, `\x41`, `\1`… are let be.
        const escaped = source[i + 1] ?? '';
        if (/[A-Za-z0-9]/.test(escaped) && !'bBsSdDwWtnrfv'.includes(escaped)) return undefined;
        i += 1;
      } else if (ch === '[') {
        // A class ends at its first unescaped `]`.
        for (i += 1; i < source.length && source[i] !== ']'; i += 1) if (source[i] === '\\') i += 1;
      } else if (ch === '{') i = source.indexOf('}', i);
      if (i < 0) return undefined;
    }
    if (run.length > best.length) best = run;
  }
  return undefined;
}

/** Which wording of `set` a match of one of its `searches` is. */
export function wordingOf(set: WordingSet, match: RegExpExecArray): Wording | undefined {
  return set.wordings[wordingIndex(set, match)];
}

function wordingIndex(set: WordingSet, match: RegExpExecArray): number {
  const groups = match.groups ?? {};
  return set.wordings.findIndex((_w, i) => groups[`w${i}`] !== undefined);
}

/**
 * Every match in `text`, exactly as the one alternation of all the wordings in order would find them: the leftmost
 * match of either search, the earlier wording when both start at the same place, then on from its end. A search's
 * next match is kept while it starts past where the last one ended (the alternation would find it there too), so
 * each search reads the text once.
 */
export function wordingMatches(set: WordingSet, text: string): RegExpExecArray[] {
  if (set.searches.length === 0) return [];
  charge(text.length);
  const next: (RegExpExecArray | null | undefined)[] = set.searches.map((_s, i) => {
    const words = set.needs?.[i];
    return words && !words.some((word) => word.test(text)) ? null : undefined;
  });
  const found: RegExpExecArray[] = [];
  let at = 0;
  while (at <= text.length) {
    let first: RegExpExecArray | undefined;
    for (let i = 0; i < set.searches.length; i++) {
      const search = set.searches[i] as RegExp;
      let candidate = next[i];
      if (candidate === undefined || (candidate !== null && candidate.index < at)) {
        search.lastIndex = at;
        candidate = next[i] = search.exec(text);
      }
      if (candidate && (!first || before(set, candidate, first))) first = candidate;
    }
    if (!first) break;
    found.push(first);
    at = first.index + Math.max(first[0].length, 1);
  }
  return found;
}

function before(set: WordingSet, a: RegExpExecArray, b: RegExpExecArray): boolean {
  return a.index < b.index || (a.index === b.index && wordingIndex(set, a) < wordingIndex(set, b));
}

const NOT_ALLOWED =
  /not allowed to ([A-Za-z_]+) the \\?["']([^"'\\\n]{1,80})\\?["'] with ID:?[ \t]*\\?["']?([A-Za-z0-9][^"'\\\s]{0,119})(?:\\?["'])?/i;
const UNKNOWN_ID = /\bUnknown ([a-z_]+(?: [a-z_]+)?) ID:?[ \t]*["']?([^"'\s,;]{1,120})/i;

/**
 * Where a wording starting at `from` ends: past the quoted ID of a "not allowed" sentence, which has quotes of
 * its own. Only [from, limit) is read: the part of the line the wording was found in.
 */
export function wordingEnd(text: string, from: number, matchEnd: number, limit: number = text.length): number {
  const window = text.slice(from, Math.min(limit, from + 400));
  charge(window.length);
  const refused = NOT_ALLOWED.exec(window);
  return refused && refused.index <= 'This agent is '.length ? from + refused.index + refused[0].length : matchEnd;
}

/** What was refused: `This agent is not allowed to read the "conversation" with ID: "cnv_1"`, or `Unknown conversation ID cn_123`. */
export function resourceFromMessage(message: string | undefined): Observation['resource'] | undefined {
  if (!message) return undefined;
  const refused = NOT_ALLOWED.exec(message);
  if (refused?.[1] && refused[2] && refused[3]) {
    return {
      verb: refused[1].toLowerCase(),
      kind: refused[2].trim().toLowerCase(),
      id: refused[3].replace(/[.,;]+$/, ''),
    };
  }
  const unknown = UNKNOWN_ID.exec(message);
  if (unknown?.[1] && unknown[2] && unknown[1].toLowerCase() !== 'token') {
    return { kind: unknown[1].toLowerCase().replace(/ /g, '_'), id: unknown[2].replace(/[.,;]+$/, '') };
  }
  return undefined;
}

export const NO_WORDINGS: WordingSet = { wordings: [], searches: [] };
