import fc from 'fast-check';
import path from 'node:path';
import { BUILT_IN_RULES } from '../../src/config';
import { causesOf } from '../../src/rules';
import { diagnose, pasteFacts, type DiagnoseOutcome } from '../../src/diagnosis';
import { FACTS, factSource, type FactPath, type FactType } from '../../src/facts';
import { parseFrontId, parseTeammateRef } from '../../src/front';
import { parsePaste } from '../../src/diagnosis';
import { loadRulesOrThrow, matchRules, renderRuleText, UNKNOWN, type FactValue, type Rule } from '../../src/rules';
import { renderOutcome } from '../../src/slack/render/blocks';
import { customerMessage } from '../../src/slack/render/blocks-customer';
import { escapeText } from '../../src/slack/render/escape';
import { objectSource } from '../rules/helpers';
import { ALL_PASTES } from '../input/pastes';
import { slackProblems } from './slack-limits';

/** The causes the built-in rules declare. */
const CAUSES = causesOf(loadRulesOrThrow(BUILT_IN_RULES));

/**
 * The shipped rules/ over random worlds and random pastes (the parser and the engine each have their own
 * property tests over synthetic input; these run the real rule set end to end, offline): matching never throws
 * and answers in shape, every template renders, and whatever a paste holds, the Slack answer built from it is
 * within Slack's limits with nothing unescaped.
 */

const RULES: Rule[] = loadRulesOrThrow(path.join(__dirname, '..', '..', 'rules'));
const RULE_IDS = new Set(RULES.map((r) => r.id));
const FIXTURES = Object.values(ALL_PASTES);
const PATHS = Object.keys(FACTS) as FactPath[];

const HOSTILE = [
  '<!channel>',
  '<@U123>',
  '<https://evil.example|front.com>',
  '<!here>',
  '&',
  '&lt;',
  '&amp;gt;',
  '`',
  '```',
  '*',
  '|',
  '\n',
  '😀',
  '\u202e',
  '\u0000',
  '"',
  '\\',
  '{{me.status}}',
];
const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'grapheme', maxLength: 10 })), { maxLength: 8 })
  .map((p) => p.join(''));

/** What Front and the probes really say, so rules get matched, mixed with anything at all. */
const STRINGS = [
  'allowed',
  'denied',
  'forbidden',
  'api',
  'oauth',
  'unknown',
  'json',
  'http',
  'html',
  'text',
  'conversation',
  'read',
  'cnv_yo1kg5q',
  'tea_6r55b',
  'tim_k30',
  'Bruno Keller <bruno@acme.example>',
  'You do not have access to the resources of this teammate',
  'Unknown conversation ID cnv_1',
  'Rate limit exceeded',
  '*',
  'private:*',
  'shared:*',
];
const STATUSES = [200, 201, 301, 400, 401, 403, 404, 405, 409, 422, 429, 500, 502, 503, 504];

const valueOf: Record<FactType, fc.Arbitrary<FactValue>> = {
  number: fc.oneof(fc.constantFrom(...STATUSES), fc.integer({ min: -5, max: 100_000 }), fc.double()),
  string: fc.oneof(fc.constantFrom(...STRINGS), hostileText),
  boolean: fc.boolean(),
  'string[]': fc.array(fc.oneof(fc.constantFrom(...STRINGS), hostileText), { maxLength: 4 }),
};
const illTyped: fc.Arbitrary<FactValue> = fc.oneof(
  valueOf.number,
  valueOf.string,
  valueOf.boolean,
  valueOf['string[]'],
  fc.constant(undefined),
);

/** A value for one fact: usually of its type, sometimes of another, absent, or (probe facts) a probe that failed. */
function factValue(p: FactPath): fc.Arbitrary<FactValue | typeof UNKNOWN> {
  const typed = valueOf[FACTS[p].type];
  return factSource(p) === 'paste'
    ? fc.oneof({ weight: 6, arbitrary: typed }, { weight: 1, arbitrary: illTyped })
    : fc.oneof(
        { weight: 6, arbitrary: typed },
        { weight: 1, arbitrary: illTyped },
        { weight: 2, arbitrary: fc.constant(UNKNOWN) },
      );
}

/** Paste facts from a real (possibly mutated) paste, or random ones; probe answers random. */
const world = fc.record({
  paste: fc.oneof(
    fc.constantFrom(...FIXTURES).map((text) => {
      const parsed = parsePaste(text);
      if (!parsed.ok) return {};
      return pasteFacts(parsed.errors[0], parsed.ids) as Record<string, FactValue>;
    }),
    fc.record(Object.fromEntries(PATHS.filter((p) => factSource(p) === 'paste').map((p) => [p, factValue(p)])), {
      requiredKeys: [],
    }) as fc.Arbitrary<Record<string, FactValue>>,
  ),
  probes: fc.record(Object.fromEntries(PATHS.filter((p) => factSource(p) !== 'paste').map((p) => [p, factValue(p)])), {
    requiredKeys: [],
  }) as fc.Arbitrary<Record<string, FactValue | typeof UNKNOWN>>,
});

describe('matching the shipped rules', () => {
  test('never throws; answers in shape; asks each fact once; every template of a match renders', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ paste, probes }) => {
        const source = objectSource(paste, probes);
        const matches = await matchRules(RULES, source);
        for (const m of matches) {
          expect(RULE_IDS.has(m.rule.id)).toBe(true);
          expect(['confirmed', 'possible']).toContain(m.outcome);
          if (m.outcome === 'possible') expect(m.unknownFacts.length).toBeGreaterThan(0);
          const text = renderRuleText(m.rule, source, m.outcome);
          expect(text.headline).not.toBe('');
          expect(text.steps.agent.length + text.steps.teammate.length + text.steps.admin.length).toBeGreaterThan(0);
        }
        // A fallback rule answers only when no other rule does.
        if (matches.some((m) => !m.rule.fallback)) expect(matches.filter((m) => m.rule.fallback)).toEqual([]);
        const asked = source.calls.flat();
        expect(new Set(asked).size).toBe(asked.length);
      }),
      { numRuns: 400 },
    );
  });
});

/** Pastes as agents make them: real ones, real ones cut and spliced with hostile text, and noise. */
const paste = fc.oneof(
  fc.constantFrom(...FIXTURES),
  fc
    .record({
      base: fc.constantFrom(...FIXTURES),
      edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 30 }), hostileText), { minLength: 1, maxLength: 5 }),
    })
    .map(({ base, edits }) =>
      edits.reduce(
        (t, [at, cut, insert]) =>
          t.length === 0 ? insert : t.slice(0, at % t.length) + insert + t.slice((at % t.length) + cut),
        base,
      ),
    ),
  fc.tuple(hostileText, fc.constantFrom(...FIXTURES), hostileText).map((parts) => parts.join(' ')),
  fc.string({ unit: 'binary', maxLength: 2_000 }),
  fc
    .tuple(fc.constantFrom(...FIXTURES), fc.integer({ min: 2, max: 12 }))
    .map(([t, n]) => Array.from({ length: n }, () => t).join('\n---\n')),
);

function expectWellFormed(outcome: DiagnoseOutcome): void {
  if (!outcome.ok) {
    expect(outcome.message.length).toBeGreaterThan(0);
    return;
  }
  expect(outcome.live).toBe(false);
  expect(outcome.calls).toBe(0);
  expect(outcome.checks).toEqual([]);
  // A conversation, another resource that can be private, or the teammate whose own listing was refused.
  for (const t of outcome.targets) expect(parseFrontId(t).ok || parseTeammateRef(t).ok).toBe(true);
  for (const d of outcome.diagnoses) {
    expect(CAUSES).toContain(d.cause);
    expect(RULE_IDS.has(d.rule)).toBe(true);
    expect(['confirmed', 'possible']).toContain(d.status);
    expect(['high', 'medium', 'low']).toContain(d.confidence);
    if (d.target !== undefined) expect(outcome.targets).toContain(d.target);
    for (const text of [d.headline, d.why, ...d.steps.agent, ...d.steps.teammate, ...d.steps.admin, ...d.decidedBy])
      expect(typeof text).toBe('string');
    for (const e of d.evidence) expect(e.source).toBe('paste');
  }
}

describe('a paste, offline, through the shipped rules to Slack', () => {
  test('diagnose never throws, answers in shape, the same way twice; the Slack answer is within limits and escaped', async () => {
    await fc.assert(
      fc.asyncProperty(paste, async (text) => {
        const outcome = await diagnose(text, { rules: RULES });
        expectWellFormed(outcome);
        expect(await diagnose(text, { rules: RULES })).toEqual(outcome);
        const buttonValue = escapeText(text.trim()).slice(0, 1_900);
        const messages = renderOutcome(outcome, {
          offlineReason: 'no tenant is bound to this channel',
          ...(buttonValue ? { buttonValue } : {}),
        });
        expect(slackProblems(messages)).toEqual([]);
        expect(slackProblems([customerMessage(outcome)])).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
