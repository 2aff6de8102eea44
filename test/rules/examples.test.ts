import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkRuleExamples } from '../../src/diagnosis/rule-examples';
import {
  formatExampleFailure,
  formatLoadError,
  loadRulesOrThrow,
  loadRuleTests,
  runRuleExamples,
  type RuleTest,
} from '../../src/rules';
import { exampleSource } from './helpers';

const forbidden =
  '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\""}}';

/** A rules folder with one rule, its tests and the shared fixtures, as an author would write them. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-rule-tests-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  dirs.push(dir);
  return dir;
}
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const RULE = `id: teammate-api-access-disabled
priority: 80
confidence: high
variants:
  pasted:
    when:
      all:
        - { fact: error.status, equals: 403 }
        - { fact: error.message, matches: 'not allowed' }
        - { fact: owner.private_access, equals: denied }
  live: { when: { fact: conversation.status, equals: 403 }, priority: 70 }
headline:
  - if: confirmed
    text: '{{owner.name|The owner}} has API access turned off'
  - Possibly the owner's preference
why: e
steps: { agent: [a] }
customer_can_fix: false
`;

const TESTS = `- pasted: forbidden
  with: [owner-off]
  facts: { owner.name: Ada }
  headline_contains: Ada has
- pasted: forbidden
- pasted: forbidden
  expect: possible
  variant: pasted
- pasted: forbidden
  with: [owner-off]
  expect: possible
- paste: '{"error.status": 404}'
- pasted: forbidden
  with: [owner-off]
  headline_contains: Grace
- paste: '{"error.status": 404}'
  expect: none
- pasted: forbidden
  with: [owner-off]
  expect: none
- paste: ''
  facts: { conversation.status: 403 }
  variant: pasted
`;

const FIXTURES = {
  'fixtures/pastes.yml': `forbidden: '${forbidden.replace(/'/g, "''")}'\n`,
  'fixtures/facts.yml': 'owner-off: { owner.private_access: denied }\n',
};

async function failures(dir: string): Promise<string[]> {
  const rules = loadRulesOrThrow(dir);
  const tests = loadRuleTests(dir, rules);
  if (!tests.ok) throw new Error(tests.errors.map(formatLoadError).join('\n'));
  return (await runRuleExamples(rules, tests.tests, exampleSource)).map(formatExampleFailure);
}

describe('rule tests beside the rule', () => {
  test('each failing test is named by its file and line, with what was expected and what happened', async () => {
    const dir = folder({
      'teammate-api-access-disabled.yml': RULE,
      'teammate-api-access-disabled.test.yml': TESTS,
      ...FIXTURES,
    });
    const file = path.join(path.relative(process.cwd(), dir), 'teammate-api-access-disabled.test.yml');
    const shown = dir.startsWith(process.cwd()) ? file : path.join(dir, 'teammate-api-access-disabled.test.yml');
    expect(await failures(dir)).toEqual([
      `${shown}:5: expected confirmed, got possible (variant pasted) (unknown: owner.private_access)`,
      `${shown}:9: expected possible, got confirmed (variant pasted)`,
      `${shown}:12: expected confirmed, got none`,
      `${shown}:13: headline "The owner has API access turned off" does not contain "Grace"`,
      `${shown}:18: expected none, got confirmed (variant pasted)`,
      `${shown}:21: expected variant pasted, got live`,
    ]);
  });

  test('a source that throws fails that test only', async () => {
    const dir = folder({
      'teammate-api-access-disabled.yml': RULE,
      'teammate-api-access-disabled.test.yml': TESTS,
      ...FIXTURES,
    });
    const rules = loadRulesOrThrow(dir);
    const tests = loadRuleTests(dir, rules) as { ok: true; tests: RuleTest[] };
    const found = await runRuleExamples(rules, tests.tests, (paste, facts) => {
      if (paste.includes('404')) throw new Error('parser exploded');
      return exampleSource(paste, facts);
    });
    expect(found.filter((f) => f.message.startsWith('could not run')).map((f) => [f.line, f.message])).toEqual([
      [12, 'could not run: parser exploded'],
      [16, 'could not run: parser exploded'],
    ]);
  });

  test('unknown shared pastes and fact sets, unknown variants, orphan test files and rules without tests are load errors', () => {
    const dir = folder({
      'teammate-api-access-disabled.yml': RULE,
      'teammate-api-access-disabled.test.yml': '- pasted: forbiden\n  with: [owner-of]\n  variant: lives\n',
      'rate-limited.yml': RULE.replace('teammate-api-access-disabled', 'rate-limited'),
      'rate-limted.test.yml': '- paste: x\n',
      ...FIXTURES,
    });
    const rules = loadRulesOrThrow(dir);
    const result = loadRuleTests(dir, rules);
    const shown = path.relative(process.cwd(), dir).startsWith('..') ? dir : path.relative(process.cwd(), dir);
    expect(result.ok ? [] : result.errors.map(formatLoadError)).toEqual([
      `${shown}/rate-limted.test.yml:1:1: no rule "rate-limted" for these tests; did you mean "rate-limited"?: name the file <rule id>.test.yml`,
      `${shown}/teammate-api-access-disabled.test.yml:1:3 rule=teammate-api-access-disabled: no shared paste "forbiden"; did you mean "forbidden"? (shared pastes live in fixtures/pastes.yml)`,
      `${shown}/teammate-api-access-disabled.test.yml:2:10 rule=teammate-api-access-disabled: no shared fact set "owner-of"; did you mean "owner-off"? (fact sets live in fixtures/facts.yml)`,
      `${shown}/teammate-api-access-disabled.test.yml:3:3 rule=teammate-api-access-disabled: "lives" is not a variant of teammate-api-access-disabled; did you mean "live"? (its variants: pasted, live)`,
      `${shown}/rate-limited.yml:1:1 rule=rate-limited: the rule has no tests: add rate-limited.test.yml beside it`,
    ]);
  });

  test("a test's facts are probe facts, typed as the catalogue says; a test names its paste once", () => {
    const dir = folder({
      'teammate-api-access-disabled.yml': RULE,
      'teammate-api-access-disabled.test.yml':
        "- paste: ''\n  facts:\n    error.status: 404\n    token.scopes: private\n    owner.name: null\n- facts: {}\n- pasted: forbidden\n  expect: none\n  variant: live\n",
      ...FIXTURES,
    });
    const result = loadRuleTests(dir, loadRulesOrThrow(dir));
    expect(result.ok ? [] : result.errors.map((e) => `${e.line}:${e.col} ${e.message}`)).toEqual([
      '3:5 "error.status" comes from the paste: put it in paste, not facts',
      '4:5 "token.scopes" is a string[], got string "private"',
      '6:3 a test has "paste" (the text itself) or "pasted" (the name of a shared paste), not both or neither',
      '8:3 a test that expects none cannot name a variant or a headline',
    ]);
  });

  test('a fallback rule is tested on its own, so its tests can match', async () => {
    const dir = folder({
      'unknown.yml':
        'id: unknown\npriority: 0\nconfidence: low\nfallback: true\nwhen: { fact: input.has_error, equals: true }\nheadline: s\nwhy: e\nsteps: { agent: [a] }\ncustomer_can_fix: false\n',
      'unknown.test.yml': `- paste: '{"input.has_error": true}'\n`,
    });
    expect(await failures(dir)).toEqual([]);
  });

  test('every test of the shipped rules passes, its paste read by the real parser', async () => {
    const dir = path.join(__dirname, '..', '..', 'rules');
    const rules = loadRulesOrThrow(dir);
    const tests = loadRuleTests(dir, rules);
    expect(tests.ok ? [] : tests.errors.map(formatLoadError)).toEqual([]);
    expect(((await checkRuleExamples(rules, tests.ok ? tests.tests : [])) ?? []).map(formatExampleFailure)).toEqual([]);
  });
});
