import fc from 'fast-check';
import type { FactPath } from '../../src/facts';
import { compileRegex, UNKNOWN, type Condition, type FactValue } from '../../src/rules';

/**
 * Random conditions and fact values for the engine's property tests: a few facts of every type, paste and probe,
 * so random trees share facts and meet ill-typed and edge values (NaN, ±Infinity, -0, look-alike strings).
 */
export const FACTS: FactPath[] = [
  'error.status',
  'error.message',
  'input.ids',
  'input.has_error',
  'token.private_scope',
  'token.scopes',
  'me.status',
  'owner.name',
];
export const PROBE_FACTS: FactPath[] = ['token.private_scope', 'token.scopes', 'me.status', 'owner.name'];

const fact = fc.constantFrom(...FACTS);
const scalar = fc.oneof(
  fc.integer({ min: -2, max: 5 }),
  fc.constantFrom('a', 'b', 'cnv_1', '', '1', 'true'),
  fc.boolean(),
  fc.constantFrom(Infinity, -Infinity, NaN, -0),
);

export const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ fact, op: fc.constant('equals' as const), value: scalar }),
  fc.record({ fact, op: fc.constant('in' as const), value: fc.array(scalar, { minLength: 1, maxLength: 3 }) }),
  fc
    .record({ fact, op: fc.constant('matches' as const), value: fc.constantFrom('a', '^b', '(?i)A', '', 'cnv_\\d+$') })
    .map((c) => ({ ...c, regex: compileRegex(c.value) })),
  fc.record({ fact, op: fc.constant('exists' as const), value: fc.boolean() }),
  fc.record({ fact, op: fc.constant('includes' as const), value: fc.constantFrom('a', 'cnv_1') }),
  fc.record({
    fact,
    op: fc.constantFrom('gt' as const, 'lt' as const),
    value: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(Infinity, -Infinity)),
  }),
);

export const value: fc.Arbitrary<FactValue | typeof UNKNOWN> = fc.oneof(
  fc.constant(UNKNOWN),
  fc.constant(undefined),
  fc.integer({ min: -2, max: 5 }),
  fc.double(),
  fc.constantFrom('a', 'b', 'A', 'cnv_1', '', 'xcnv_12', '1', 'true'),
  fc.string(),
  fc.boolean(),
  fc.array(fc.constantFrom('a', 'b', 'cnv_1', ''), { maxLength: 3 }),
);
export const world = fc.record(
  Object.fromEntries(FACTS.map((f) => [f, value])) as Record<FactPath, fc.Arbitrary<FactValue | typeof UNKNOWN>>,
);
