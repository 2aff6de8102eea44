import fc from 'fast-check';
import type { FactPath } from '../../src/facts';
import { evaluateRule, matchRules, UNKNOWN, type Condition, type FactValue, type Rule } from '../../src/rules';
import { lineConditions } from '../../src/rules/compile';
import * as reference from './reference-engine';
import { leaf, PROBE_FACTS, value, world } from './arbitraries';
import { makeRule, objectSource } from './helpers';

/**
 * The compiled engine against the tree walk it replaced (reference-engine.ts): the same outcome, trace, facts that
 * would decide, support, matches and requests, on random conditions, random fact values and random rule sets whose
 * rules share pieces (as rules share named conditions), both the same objects and equal copies.
 */

/** Trees over a pool of pieces: a piece may appear in several places and several rules, as a named condition does. */
const pooled = (pool: Condition[]) =>
  fc.letrec<{ tree: Condition }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.constantFrom(...pool),
      fc.constantFrom(...pool).map((c) => structuredCopy(c)),
      fc.array(tie('tree'), { maxLength: 4 }).map((all) => ({ all })),
      fc.array(tie('tree'), { maxLength: 4 }).map((any) => ({ any })),
      tie('tree').map((not) => ({ not })),
    ),
  })).tree;

const { tree: plainTree } = fc.letrec<{ tree: Condition }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 4 }).map((all) => ({ all })),
    fc.array(tie('tree'), { maxLength: 4 }).map((any) => ({ any })),
    tie('tree').map((not) => ({ not })),
  ),
}));
const pool = fc.array(plainTree, { minLength: 1, maxLength: 4 });
const tree = pool.chain((p) => pooled(p));

/** A copy that is equal but not the same object (regexes are kept: they cannot be cloned as data). */
function structuredCopy(c: Condition): Condition {
  if ('all' in c) return { all: c.all.map(structuredCopy) };
  if ('any' in c) return { any: c.any.map(structuredCopy) };
  if ('not' in c) return { not: structuredCopy(c.not) };
  return { ...c };
}

function rawSource(values: Partial<Record<FactPath, FactValue | typeof UNKNOWN>>) {
  return {
    get: (p: FactPath) => (p in values ? values[p] : UNKNOWN),
    canResolve: () => false,
    resolve: async () => undefined,
  };
}

function ruleOf(when: Condition, id: string, extra: Partial<Rule> = {}): Rule {
  return { ...makeRule({ id, when: { fact: 'error.status', exists: true } }), when, ...extra };
}

describe('the compiled engine equals the tree walk', () => {
  it('one rule: outcome, every leaf of the trace, the facts that would decide, support', () => {
    fc.assert(
      fc.property(tree, world, (when, values) => {
        expect(evaluateRule({ when }, rawSource(values))).toEqual(reference.evaluateRule({ when }, rawSource(values)));
      }),
      { numRuns: 1_000 },
    );
  });

  it("a rule's text lines, compiled together and evaluated in one round: each line's truth and deciding facts", () => {
    const lines = pool.chain((p) => fc.array(fc.tuple(pooled(p), pooled(p)), { minLength: 1, maxLength: 6 }));
    fc.assert(
      fc.property(lines, world, (conditions, values) => {
        const headline = conditions.map(([confirmed, possible]) => ({ text: 'a line', if: { confirmed, possible } }));
        const rule = { ...ruleOf({ all: [] }, 'r0'), headline };
        const compiled = lineConditions(rule, rawSource(values));
        for (const condition of conditions.flat()) {
          const walked = reference.evaluateRule({ when: condition }, rawSource(values));
          expect(compiled.truth(condition)).toBe(walked.outcome);
          expect(compiled.needs(condition)).toEqual(walked.unknownFacts);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a rule set sharing pieces, resolved lazily: the same matches, traces and requests, round by round', async () => {
    const answers = fc.record(
      Object.fromEntries(PROBE_FACTS.map((f) => [f, value])) as Record<
        string,
        fc.Arbitrary<FactValue | typeof UNKNOWN>
      >,
    );
    const paste = fc.record({
      'error.status': fc.constantFrom(403, 404, undefined),
      'error.message': fc.constantFrom('a', 'b', 'cnv_1', undefined),
      'input.has_error': fc.boolean(),
    });
    const ruleSet = pool.chain((p) =>
      fc.array(fc.tuple(pooled(p), fc.integer({ min: 0, max: 3 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
    );
    const costs = fc.record(Object.fromEntries(PROBE_FACTS.map((f) => [f, fc.integer({ min: 0, max: 3 })])));
    await fc.assert(
      fc.asyncProperty(
        ruleSet,
        paste,
        answers,
        costs,
        fc.option(fc.integer({ min: 0, max: 3 })),
        fc.boolean(),
        async (specs, pasted, probes, prices, maxRounds, priced) => {
          const rules = specs.map(([when, priority, fallback], i) => ruleOf(when, `r${i}`, { priority, fallback }));
          const source = () =>
            Object.assign(objectSource(pasted, probes), priced ? { cost: (path: string) => prices[path] ?? 1 } : {});
          const compiled = source();
          const walked = source();
          const opts = maxRounds === null ? {} : { maxRounds };
          expect(await matchRules(rules, compiled, opts)).toEqual(await reference.matchRules(rules, walked, opts));
          expect(compiled.calls).toEqual(walked.calls);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('one leaf written with 0 and again with -0: one node, but each trace entry shows the value as written', async () => {
    // Found by the property above: the trace entries of equal leaves were shared, and -0 showed as 0.
    const rules = [
      ruleOf(
        {
          any: [
            { fact: 'error.status', op: 'exists', value: false },
            { fact: 'owner.name', op: 'equals', value: 0 },
            { fact: 'owner.name', op: 'equals', value: -0 },
          ],
        } as Condition,
        'r0',
      ),
    ];
    // No error status in the paste: the rule holds, and is reported with its trace.
    const compiled = await matchRules(rules, objectSource({ 'error.status': undefined }, {}));
    expect(compiled).toEqual(await reference.matchRules(rules, objectSource({ 'error.status': undefined }, {})));
    const shown = compiled.flatMap((m) => m.trace.map((entry) => entry.expected));
    expect(shown.some((v) => Object.is(v, -0))).toBe(true);
    expect(shown.some((v) => Object.is(v, 0))).toBe(true);
  });

  it('leaves that differ only in a value that prints the same stay apart (1 and "1", Infinity and -Infinity)', async () => {
    const confusable = fc.constantFrom<FactValue>(
      1,
      '1',
      true,
      'true',
      0,
      -0,
      '0',
      Infinity,
      -Infinity,
      'Infinity',
      NaN,
      'NaN',
    );
    const op = fc.constantFrom('equals' as const, 'in' as const, 'gt' as const, 'lt' as const);
    const confusableLeaf = fc.tuple(op, confusable, confusable).map(([o, a, b]): Condition => {
      if (o === 'in') return { fact: 'error.status', op: o, value: [a, b] as (string | number | boolean)[] };
      if (o === 'equals') return { fact: 'error.status', op: o, value: a as string | number | boolean };
      return { fact: 'error.status', op: o, value: typeof a === 'number' ? a : 0 };
    });
    await fc.assert(
      fc.asyncProperty(fc.array(confusableLeaf, { minLength: 2, maxLength: 6 }), confusable, async (leaves, actual) => {
        const rules = leaves.map((when, i) => ruleOf(when, `r${i}`));
        const view = (ms: reference.RuleMatch[]) => ms.map((m) => [m.rule.id, m.outcome]);
        const compiled = await matchRules(rules, objectSource({ 'error.status': actual }));
        expect(view(compiled)).toEqual(
          view(await reference.matchRules(rules, objectSource({ 'error.status': actual }))),
        );
      }),
      { numRuns: 500 },
    );
  });
});
