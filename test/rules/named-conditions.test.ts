import path from 'node:path';
import { formatLoadError, loadRules, loadRulesOrThrow, matchRules, parseRuleText } from '../../src/rules';
import { parseExpression } from '../../src/rules/expression';
import { objectSource } from './helpers';

const fixture = (name: string) => path.relative(process.cwd(), path.join(__dirname, '..', 'fixtures', name));

function errorLines(dir: string): string[] {
  const result = loadRules(dir);
  return result.ok ? [] : result.errors.map(formatLoadError);
}

describe('a line of logic over named conditions', () => {
  const shape = (source: string): unknown => {
    const parsed = parseExpression(source);
    if (!parsed.ok) return parsed.message;
    const strip = (e: unknown): unknown => {
      const node = e as { kind: string; name?: string; items?: unknown[]; item?: unknown };
      if (node.kind === 'name') return node.name;
      if (node.kind === 'not') return ['not', strip(node.item)];
      return [node.kind, ...(node.items ?? []).map(strip)];
    };
    return strip(parsed.expression);
  };

  test.each([
    ['a', 'a'],
    ['a and b or c', ['or', ['and', 'a', 'b'], 'c']],
    ['a or b and c', ['or', 'a', ['and', 'b', 'c']]],
    ['not a and b', ['and', ['not', 'a'], 'b']],
    ['not (a or b)', ['not', ['or', 'a', 'b']]],
    ['a and (b or not c) and d', ['and', 'a', ['or', 'b', ['not', 'c']], 'd']],
  ])('%s', (source, expected) => {
    expect(shape(source)).toEqual(expected);
  });

  test.each([
    ['', /empty/],
    ['a and', /ends too early/],
    ['(a or b', /"\(" is not closed/],
    ['a or b)', /"\)" has no "\("/],
    ['a b', /"b" follows a complete condition; join them with and \/ or/],
    ['error.status', /not a condition name; fact tests go in a named condition/],
    ['a && b', /unexpected "&"/],
    ['and a', /"and" where a condition name should be/],
  ])('%j is refused: %s', (source, message) => {
    const parsed = parseExpression(source);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toMatch(message);
  });
});

describe('named conditions shared across rules', () => {
  test('rules use the names from rules/conditions/, and match as if the conditions were written inline', async () => {
    const rules = loadRulesOrThrow(fixture('rules-named'));
    expect(rules.map((r) => r.id).sort()).toEqual(['rate-limited', 'rate-limited-burst']);
    const match = async (facts: Record<string, number | string>) =>
      (await matchRules(rules, objectSource(facts))).map((m) => `${m.rule.id}:${m.outcome}`);
    expect(await match({ 'error.status': 429, 'error.rate_limit.remaining': 0 })).toEqual(['rate-limited:confirmed']);
    expect(await match({ 'error.status': 429, 'error.rate_limit.tier': 'tier-2' })).toEqual([
      'rate-limited-burst:confirmed',
    ]);
    expect(await match({ 'error.status': 429, 'error.rate_limit.remaining': 4 })).toEqual([
      'rate-limited-burst:confirmed',
    ]);
    expect(await match({ 'error.status': 403 })).toEqual([]);
  });

  test('a rule file alone cannot use names it was not given', () => {
    const result = parseRuleText(
      'id: unknown\npriority: 1\nconfidence: low\nwhen: pasted-429\nheadline: s\nwhy: e\nsteps: {agent: [a]}\ncustomer_can_fix: false\n',
      'unknown.yml',
      'unknown',
    );
    expect(result.ok ? [] : result.errors.map(formatLoadError)).toEqual([
      'unknown.yml:4:7 rule=unknown: unknown condition "pasted-429" (named conditions live in rules/conditions/*.yml)',
    ]);
  });

  test('an unknown name, a cycle, a duplicate, a broken definition and a broken line are each a load error with its position', () => {
    const dir = fixture('rules-named-broken');
    expect(errorLines(dir)).toEqual([
      `${dir}/conditions/a.yml:3:15: condition "loop-one" depends on itself (loop-one → loop-two → loop-one); a condition cannot be part of its own definition`,
      `${dir}/conditions/a.yml:4:13: unknown fact path "error.stauts"; did you mean "error.status"? (\`front-why rules facts\` lists them)`,
      `${dir}/conditions/a.yml:5:1: "Bad_Name" is not a condition name: use lowercase words joined by dashes`,
      `${dir}/conditions/b.yml:2:1: condition "pasted-429" is defined twice; the first is in ${dir}/conditions/a.yml:1. Rename one, or keep one definition`,
      `${dir}/unknown.yml:6:7 rule=unknown: unknown condition "pasted-492"; did you mean "pasted-429"? (named conditions live in rules/conditions/*.yml)`,
      `${dir}/unknown.yml:7:30 rule=unknown: a "(" is not closed`,
    ]);
  });
});
