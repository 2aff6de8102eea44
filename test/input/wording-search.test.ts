import fc from 'fast-check';
import { builtInWordings } from '../../src/diagnosis/wordings';
import type { Wording } from '../../src/input';
import { wordingMatches, wordingSet, type WordingSet } from '../../src/input/wordings';
import { ALL_PASTES } from './pastes';

/**
 * The wordings are searched in two parts (those opening with a lookbehind apart, see `WordingSet.searches`); what is
 * found must be what one alternation of every wording, in order, finds: the same places, the same wording at each.
 */

interface Found {
  index: number;
  text: string;
  groups: [string, string][];
}

function view(match: RegExpExecArray): Found {
  const groups = Object.entries(match.groups ?? {}).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return { index: match.index, text: match[0], groups };
}

function oneAlternation(set: WordingSet, text: string): Found[] {
  if (set.wordings.length === 0) return [];
  const all = new RegExp(set.wordings.map((w, i) => `(?<w${i}>${w.pattern.source})`).join('|'), 'gi');
  const found: Found[] = [];
  for (let m = all.exec(text); m; m = all.exec(text)) {
    if (m[0].length === 0) all.lastIndex++;
    found.push(view(m));
  }
  return found;
}

const wording = (source: string): Wording => ({ pattern: new RegExp(source), frontOnly: true, source: 'test' });

// Wordings that meet at the same places, lookbehinds among them, some matching the empty string.
const PIECES = [
  String.raw`(?<=\bFrontError:[ \t]*)\S`,
  String.raw`(?<=error:[ \t]*)\S+`,
  String.raw`(?<=x{2}y)z`,
  String.raw`(?<=\u0041)z`,
  String.raw`(?<!x)a+`,
  String.raw`(?<=a)`,
  String.raw`\S+ed\b`,
  'b*',
  'Rate limit exceeded',
  String.raw`rate limit exceeded for tier-?\d+ route`,
  'frontError: a',
];
const TEXT_PIECES = [
  'FrontError: ',
  'frontError:\t',
  'error: ',
  'a',
  'aa',
  'xa',
  'b',
  'bb',
  ' ',
  '\n',
  'refused ',
  'ed',
  'xxyz',
  'xyz',
  'Az',
];
const text = fc.oneof(
  fc
    .array(fc.constantFrom(...TEXT_PIECES, 'Rate limit exceeded for tier-2 route'), { maxLength: 30 })
    .map((p) => p.join('')),
  fc.constantFrom(...Object.values(ALL_PASTES)),
);

describe('the wordings are found as one alternation would find them', () => {
  it("the rules' own wordings, on every paste of the tests", () => {
    const set = builtInWordings();
    for (const paste of Object.values(ALL_PASTES))
      expect(wordingMatches(set, paste).map(view)).toEqual(oneAlternation(set, paste));
  });

  it('any wordings in any order, lookbehinds and empty matches among them, on text where they meet', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(PIECES, { minLength: 1 }), text, (sources, paste) => {
        const set = wordingSet(sources.map(wording));
        expect(wordingMatches(set, paste).map(view)).toEqual(oneAlternation(set, paste));
      }),
      { numRuns: 2_000 },
    );
  });
});
