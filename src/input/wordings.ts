import type { Observation, Wording } from './types';
import { charge } from './work';

/**
 * Front's wordings come from the rules (`wordings:` in rules/*.yml), so a rule author adds one without a build.
 * They are searched as one case-insensitive alternation, each in a named group (`w0`, `w1`, …): a pass over the
 * paste, whatever the number of wordings, and a rule's own groups do not shift which wording matched.
 */
export interface WordingSet {
  readonly wordings: readonly Wording[];
  /** Undefined when there are none. */
  readonly search?: RegExp;
}

export function wordingSet(wordings: readonly Wording[]): WordingSet {
  const seen = new Set<string>();
  const kept: Wording[] = [];
  for (const wording of wordings) {
    if (seen.has(wording.pattern.source)) continue;
    seen.add(wording.pattern.source);
    kept.push(wording);
  }
  if (kept.length === 0) return { wordings: kept };
  const search = new RegExp(kept.map((w, i) => `(?<w${i}>${w.pattern.source})`).join('|'), 'gi');
  return { wordings: kept, search };
}

/** Which wording of `set` a match of its `search` is. */
export function wordingOf(set: WordingSet, match: RegExpExecArray): Wording | undefined {
  const groups = match.groups ?? {};
  const index = set.wordings.findIndex((_w, i) => groups[`w${i}`] !== undefined);
  return set.wordings[index];
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

export const NO_WORDINGS: WordingSet = { wordings: [] };
