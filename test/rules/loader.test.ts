import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  formatLoadError,
  loadRules,
  loadRulesOrThrow,
  parseRuleText,
  RuleSetError,
  type RuleLoadError,
} from '../../src/rules';

/** Fixture dirs are passed relative to the working directory, so errors name them exactly as given. */
function fixture(name: string): string {
  return path.relative(process.cwd(), path.join(__dirname, '..', 'fixtures', name));
}

function errorLines(dir: string): string[] {
  const result = loadRules(dir);
  if (result.ok) throw new Error(`expected ${dir} not to load`);
  return result.errors.map(formatLoadError);
}

describe('loadRules: a valid folder', () => {
  it('loads every rule, with defaults filled in and conditions normalised', () => {
    const result = loadRules(fixture('rules-valid'));
    if (!result.ok) throw new Error(result.errors.map(formatLoadError).join('\n'));
    expect(result.rules.map((r) => [r.id, r.cause])).toEqual([
      ['rate-limited', 'rate_limited'],
      ['teammate-api-access-disabled', 'teammate_api_access_disabled'],
      ['unknown', 'unknown'],
    ]);
    const teammate = result.rules[1]!;
    expect(teammate.fallback).toBe(false);
    expect(teammate.when).toEqual({
      all: [
        { fact: 'error.status', op: 'equals', value: 403 },
        {
          fact: 'error.message',
          op: 'matches',
          value: 'not allowed to read the "conversation"',
          regex: /not allowed to read the "conversation"/,
        },
        { fact: 'owner.private_access', op: 'equals', value: 'denied' },
      ],
    });
    expect(result.rules[2]!.fallback).toBe(true);
    expect(result.rules[2]!.steps).toEqual({
      agent: [{ text: "Send the paste to the bot's maintainers." }],
      teammate: [],
      admin: [],
    });
    expect(result.rules[0]!.links).toEqual([]);
  });

  it('compiles (?i) into a case-insensitive regex', () => {
    const rules = loadRulesOrThrow(fixture('rules-valid'));
    const rate = rules[0]!.when as { any: [unknown, { all: [{ regex: RegExp }] }] };
    expect(rate.any[1].all[0].regex.flags).toBe('i');
    expect(rate.any[1].all[0].regex.source).toBe('too many requests');
  });
});

describe('loadRules: errors carry file:line:col rule=<id>', () => {
  it('rejects unknown keys at every level, pointing at each key', () => {
    const dir = fixture('rules-unknown-key');
    expect(errorLines(dir)).toEqual([
      `${dir}/rate-limited.yml:4:1 rule=rate-limited: unknown key "severity"`,
      `${dir}/rate-limited.yml:9:7 rule=rate-limited: unknown key "note"; did you mean "not"?`,
      `${dir}/rate-limited.yml:15:3 rule=rate-limited: unknown key "customer"`,
    ]);
  });

  it('takes any id as a new cause, but not without saying whether the customer can fix it', () => {
    const dir = fixture('rules-undeclared-cause');
    expect(errorLines(dir)).toEqual([
      `${dir}/rate-limit.yml:1:1 rule=rate-limit: missing required key "customer_can_fix": true when the customer can fix the cause on their side (the answer then offers "Watch until fixed"), false otherwise`,
    ]);
  });

  it('says what a watch of a cause the customer can fix tells the thread, or refuses it', () => {
    const parsed = (extra: string) => {
      const text = `id: rate-limit\npriority: 1\nconfidence: low\nwhen: { fact: error.status, equals: 429 }\nheadline: h\nwhy: w\nsteps: { agent: [a] }\n${extra}`;
      const result = parseRuleText(text, 'rate-limit.yml', 'rate-limit');
      return result.ok ? result.rules[0]?.declared : result.errors.map(formatLoadError);
    };
    expect(parsed('customer_can_fix: true\n')).toEqual([
      `rate-limit.yml:8:1 rule=rate-limit: customer_can_fix: true offers "Watch until fixed", so say what the thread is told when it is fixed: watch: { fixed: '<what changed>' }`,
    ]);
    expect(parsed("customer_can_fix: true\nwatch: { fixed_for_owner: 'it is on' }\n")).toEqual([
      `rate-limit.yml:9:1 rule=rate-limit: customer_can_fix: true offers "Watch until fixed", so say what the thread is told when it is fixed: watch: { fixed: '<what changed>' }`,
      'rate-limit.yml:9:10 rule=rate-limit: watch.fixed_for_owner says whose: put {{owner}} in it',
    ]);
    expect(parsed("customer_can_fix: true\nwatch: { fixed: 'the limit is raised' }\ntraits: [oauth-token]\n")).toEqual({
      customerCanFix: true,
      watch: { fixed: 'the limit is raised', transient: false },
      traits: ['oauth-token'],
    });
  });

  it('rejects fact paths outside the catalogue, in conditions and templates', () => {
    const dir = fixture('rules-bad-fact');
    expect(errorLines(dir)).toEqual([
      `${dir}/teammate-api-access-disabled.yml:8:7 rule=teammate-api-access-disabled: unknown fact path "owner.private_acess"; did you mean "owner.private_access"? (\`front-why rules facts\` lists them)`,
      `${dir}/teammate-api-access-disabled.yml:10:1 rule=teammate-api-access-disabled: unknown fact path "{{owner.nam}}" in text; did you mean "owner.name"?`,
    ]);
  });

  it('rejects a regex that does not compile, and matches on a number fact', () => {
    const dir = fixture('rules-bad-regex');
    expect(errorLines(dir)).toEqual([
      `${dir}/token-missing-private-scope.yml:7:7 rule=token-missing-private-scope: regular expression does not compile: Invalid regular expression: /not allowed to (read/i: Unterminated group`,
      `${dir}/token-missing-private-scope.yml:9:7 rule=token-missing-private-scope: matches needs a text fact; "error.status" is a number (use equals or in)`,
    ]);
  });

  it('reports every error of every file at once, and loads nothing', () => {
    const dir = fixture('rules-many');
    const result = loadRules(dir);
    expect(result.ok).toBe(false);
    expect(errorLines(dir)).toEqual([
      `${dir}/a-syntax.yml:5:6 rule=a-syntax: YAML: bad indentation of a sequence entry`,
      `${dir}/d-empty.yml:1:1 rule=d-empty: the file is empty; a rule starts with "id:"`,
      `${dir}/e-id.yml:2:1 rule=unknown: id must equal the file name without .yml ("e-id")`,
      `${dir}/e-id.yml:2:1 rule=unknown: duplicate id "unknown", also in ${dir}/unknown.yml`,
      `${dir}/notes.yaml:1:1: rule files end in .yml: rename it to notes.yml`,
      `${dir}/resource-not-found.yml:11:7 rule=resource-not-found: regular expression does not compile: Invalid regular expression: /Unknown (conversation/: Unterminated group`,
      `${dir}/resource-not-found.yml:13:7 rule=resource-not-found: gt needs a number fact; "error.message" is a string`,
    ]);
  });

  it('reports a duplicate id on the copy, not on the file named after it', () => {
    const dir = fixture('rules-duplicate');
    expect(errorLines(dir)).toEqual([
      `${dir}/a-copy.yml:1:1 rule=unknown: id must equal the file name without .yml ("a-copy")`,
      `${dir}/a-copy.yml:1:1 rule=unknown: duplicate id "unknown", also in ${dir}/unknown.yml`,
    ]);
  });

  it('names files relative to the working directory when given an absolute folder under it', () => {
    const result = loadRules(path.join(__dirname, '..', 'fixtures', 'rules-undeclared-cause'));
    expect(result.ok ? [] : result.errors.map((e) => e.file)).toEqual([
      `${fixture('rules-undeclared-cause')}/rate-limit.yml`,
    ]);
  });
});

describe('loadRules: the folder itself', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'front-why-rules-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses an empty folder: a wrong path must not start a bot with no rules', () => {
    writeFileSync(path.join(tmp, 'README.md'), 'no rules here');
    const result = loadRules(tmp);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.errors[0]!.message).toBe('no rule files (*.yml) in this folder');
  });

  it('refuses a folder that does not exist', () => {
    const missing = path.join(tmp, 'nope');
    const result = loadRules(missing);
    expect(result.ok ? [] : result.errors).toEqual([
      { file: missing, line: 1, col: 1, message: 'the rules folder does not exist' },
    ]);
  });
});

describe('formatLoadError and loadRulesOrThrow', () => {
  it('formats with and without a rule id', () => {
    const e: RuleLoadError = { file: 'rules/x.yml', line: 3, col: 5, ruleId: 'x', message: 'boom' };
    expect(formatLoadError(e)).toBe('rules/x.yml:3:5 rule=x: boom');
    expect(formatLoadError({ ...e, ruleId: undefined })).toBe('rules/x.yml:3:5: boom');
  });

  it('throws a RuleSetError listing every formatted error', () => {
    const dir = fixture('rules-duplicate');
    let thrown: unknown;
    try {
      loadRulesOrThrow(dir);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RuleSetError);
    const error = thrown as RuleSetError;
    expect(error.errors).toHaveLength(2);
    expect(error.message).toBe(
      [
        'the rule set does not load (2 errors):',
        `  ${dir}/a-copy.yml:1:1 rule=unknown: id must equal the file name without .yml ("a-copy")`,
        `  ${dir}/a-copy.yml:1:1 rule=unknown: duplicate id "unknown", also in ${dir}/unknown.yml`,
      ].join('\n'),
    );
  });

  it('returns the rules when the folder is valid', () => {
    expect(loadRulesOrThrow(fixture('rules-valid'))).toHaveLength(3);
  });
});

describe('loadRules: rules that overrule the paste', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'front-why-rules-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const rule = (extra: string) =>
    [
      'id: company-mismatch',
      'priority: 79',
      'confidence: medium',
      extra,
      'when: { fact: conversation.status, equals: 404 }',
      "headline: 'x'",
      'why: y',
      'steps:',
      "  agent: ['z']",
      'customer_can_fix: false',
      '',
    ].join('\n');

  it('keeps overruled_by and supersedes on the loaded rule', () => {
    writeFileSync(path.join(tmp, 'company-mismatch.yml'), rule('overruled_by: conversation\nsupersedes: [unknown]'));
    writeFileSync(
      path.join(tmp, 'unknown.yml'),
      "id: unknown\npriority: 0\nconfidence: low\nfallback: true\nwhen: { fact: input.has_error, equals: true }\nheadline: 'x'\nwhy: y\nsteps:\n  agent: ['z']\ncustomer_can_fix: false\n",
    );
    const [loaded] = loadRulesOrThrow(tmp);
    expect(loaded).toMatchObject({ id: 'company-mismatch', overruledBy: 'conversation', supersedes: ['unknown'] });
  });

  it('refuses a check that is no probe, and a superseded rule that does not exist, each at its place', () => {
    writeFileSync(
      path.join(tmp, 'company-mismatch.yml'),
      rule('overruled_by: gmail\nsupersedes: [resource-not-found]'),
    );
    const lines = errorLines(tmp).join('\n');
    expect(lines).toMatch(/company-mismatch\.yml:4:\d+ .*overruled_by/);
    writeFileSync(path.join(tmp, 'company-mismatch.yml'), rule('supersedes: [resource-not-found]'));
    expect(errorLines(tmp)).toEqual([
      expect.stringMatching(
        /company-mismatch\.yml:4:\d+ rule=company-mismatch: supersedes "resource-not-found", which is no rule here$/,
      ),
    ]);
  });
});
