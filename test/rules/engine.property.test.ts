import fc from 'fast-check';
import type { FactPath } from '../../src/facts';
import {
  evaluateRule,
  matchRules,
  UNKNOWN,
  type Condition,
  type FactSource,
  type FactValue,
  type Rule,
} from '../../src/rules';
import { leaf, PROBE_FACTS, value, world } from './arbitraries';
import { makeRule, objectSource } from './helpers';

const { tree } = fc.letrec<{ tree: Condition; all: Condition; any: Condition; not: Condition }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('all'), tie('any'), tie('not')),
  all: fc.array(tie('tree'), { minLength: 1, maxLength: 4 }).map((all) => ({ all })),
  any: fc.array(tie('tree'), { minLength: 1, maxLength: 4 }).map((any) => ({ any })),
  not: tie('tree').map((not) => ({ not })),
}));

/** Any value for any fact, even an unknown paste fact: the engine must not rely on the source's good manners. */
function rawSource(values: Partial<Record<FactPath, FactValue | typeof UNKNOWN>>): FactSource {
  return { get: (p) => (p in values ? values[p] : UNKNOWN), canResolve: () => false, resolve: async () => undefined };
}

function ruleOf(when: Condition, id = 'r', extra: Partial<Rule> = {}): Rule {
  return { ...makeRule({ id, when: { fact: 'error.status', exists: true } }), when, ...extra };
}

function summary(when: Condition, values: Partial<Record<FactPath, FactValue | typeof UNKNOWN>>) {
  const { outcome, unknownFacts, anyTrue } = evaluateRule({ when }, rawSource(values));
  return { outcome, unknownFacts: [...unknownFacts].sort(), anyTrue };
}

describe('evaluator properties', () => {
  it('never throws, and is unknown exactly when some unknown fact could still decide it', () => {
    fc.assert(
      fc.property(tree, world, (when, values) => {
        const result = evaluateRule({ when }, rawSource(values));
        expect(['true', 'false', 'unknown']).toContain(result.outcome);
        expect(result.outcome === 'unknown').toBe(result.unknownFacts.length > 0);
        if (result.outcome === 'true') expect(result.anyTrue).toBe(true);
        expect(result.trace.length).toBe(countLeaves(when));
      }),
      { numRuns: 500 },
    );
  });

  it('not(not(c)) is c in three-valued logic', () => {
    fc.assert(
      fc.property(tree, world, (c, values) => {
        expect(summary({ not: { not: c } }, values)).toEqual(summary(c, values));
      }),
      { numRuns: 500 },
    );
  });

  it('De Morgan: not(all(cs)) = any(not cs), not(any(cs)) = all(not cs)', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 4 }), world, (cs, values) => {
        const negated = cs.map((c): Condition => ({ not: c }));
        expect(summary({ not: { all: cs } }, values)).toEqual(summary({ any: negated }, values));
        expect(summary({ not: { any: cs } }, values)).toEqual(summary({ all: negated }, values));
      }),
      { numRuns: 500 },
    );
  });

  it('lazy resolution gives the same answer as knowing every probe fact up front', async () => {
    const answers = fc.record(
      Object.fromEntries(PROBE_FACTS.map((f) => [f, value])) as Record<
        string,
        fc.Arbitrary<FactValue | typeof UNKNOWN>
      >,
    );
    const paste = fc.record({
      'error.status': fc.constantFrom(403, 404, undefined),
      'error.message': fc.constantFrom('a', 'b', undefined),
      'input.has_error': fc.boolean(),
    });
    const rules = fc.array(fc.tuple(tree, fc.integer({ min: 0, max: 100 }), fc.boolean()), {
      minLength: 1,
      maxLength: 5,
    });
    await fc.assert(
      fc.asyncProperty(rules, paste, answers, async (specs, pasted, probes) => {
        const ruleSet = specs.map(([when, priority, fallback], i) => ruleOf(when, `r${i}`, { priority, fallback }));
        const lazy = objectSource(pasted, probes);
        const known = Object.fromEntries(Object.entries(probes).filter(([, v]) => v !== UNKNOWN)) as Record<
          string,
          FactValue
        >;
        const eager = objectSource({ ...pasted, ...known });
        const view = (ms: Awaited<ReturnType<typeof matchRules>>) =>
          ms.map((m) => [m.rule.id, m.outcome, [...m.unknownFacts].sort()]);
        expect(view(await matchRules(ruleSet, lazy))).toEqual(view(await matchRules(ruleSet, eager)));
        // Every fact is asked for at most once.
        const asked = lazy.calls.flat();
        expect(new Set(asked).size).toBe(asked.length);
      }),
      { numRuns: 300 },
    );
  });
});

function countLeaves(c: Condition): number {
  if ('all' in c) return c.all.reduce((n, x) => n + countLeaves(x), 0);
  if ('any' in c) return c.any.reduce((n, x) => n + countLeaves(x), 0);
  if ('not' in c) return countLeaves(c.not);
  return 1;
}
