import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatLoadError, loadRules, loadRulesOrThrow, RuleSetError, type RuleLoadError } from '../../src/rules';

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
    expect(result.rules.map((r) => r.id)).toEqual(['rate-limited', 'teammate-api-access-disabled', 'unknown-error']);
    const teammate = result.rules[1]!;
    expect(teammate.fallback).toBe(false);
    expect(teammate.when).toEqual({
      all: [
        { fact: 'error.status', op: 'equals', value: 403 },
        { fact: 'error.message', op: 'matches', value: 'not allowed to read the "conversation"', regex: /not allowed to read the "conversation"/ },
        { fact: 'owner.private_access', op: 'equals', value: 'denied' },
      ],
    });
    expect(teammate.examples.match[0]).toMatchObject({ expect: 'confirmed', facts: { 'owner.private_access': 'denied' } });
    expect(teammate.examples.no_match[0]!.facts).toEqual({});
    expect(result.rules[2]!.fallback).toBe(true);
    expect(result.rules[2]!.steps).toEqual({ agent: [{ text: "Send the paste to the bot's maintainers." }], teammate: [], admin: [] });
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
      `${dir}/bad-keys.yml:5:1 rule=bad-keys: unknown key "severity"`,
      `${dir}/bad-keys.yml:10:7 rule=bad-keys: unknown key "note"; did you mean "not"?`,
      `${dir}/bad-keys.yml:16:3 rule=bad-keys: unknown key "customer"`,
      `${dir}/bad-keys.yml:21:7 rule=bad-keys: unknown key "expected"; did you mean "expect"?`,
    ]);
  });

  it('rejects a cause outside the vocabulary', () => {
    const dir = fixture('rules-bad-cause');
    const [line, ...rest] = errorLines(dir);
    expect(rest).toEqual([]);
    expect(line).toMatch(new RegExp(`^${dir}/bad-cause\\.yml:2:1 rule=bad-cause: unknown cause "rate_limit"; did you mean "rate_limited"\\? \\(causes: teammate_api_access_disabled, .*, unknown\\)$`));
  });

  it('rejects fact paths outside the catalogue, in conditions, templates and example facts', () => {
    const dir = fixture('rules-bad-fact');
    expect(errorLines(dir)).toEqual([
      `${dir}/bad-fact.yml:9:7 rule=bad-fact: unknown fact path "owner.private_acess"; did you mean "owner.private_access"? (\`front-why rules facts\` lists them)`,
      `${dir}/bad-fact.yml:11:1 rule=bad-fact: unknown fact path "{{owner.nam}}" in text; did you mean "owner.name"?`,
      `${dir}/bad-fact.yml:19:46 rule=bad-fact: unknown fact path "owner.id"`,
    ]);
  });

  it('rejects a regex that does not compile, and matches on a number fact', () => {
    const dir = fixture('rules-bad-regex');
    expect(errorLines(dir)).toEqual([
      `${dir}/bad-regex.yml:8:7 rule=bad-regex: regular expression does not compile: Invalid regular expression: /not allowed to (read/i: Unterminated group`,
      `${dir}/bad-regex.yml:10:7 rule=bad-regex: matches needs a text fact; "error.status" is a number (use equals or in)`,
    ]);
  });

  it('reports every error of every file at once, and loads nothing', () => {
    const dir = fixture('rules-many');
    const result = loadRules(dir);
    expect(result.ok).toBe(false);
    expect(errorLines(dir)).toEqual([
      `${dir}/a-syntax.yml:6:6 rule=a-syntax: YAML: bad indentation of a sequence entry`,
      `${dir}/b-nested.yml:12:7 rule=b-nested: regular expression does not compile: Invalid regular expression: /Unknown (conversation/: Unterminated group`,
      `${dir}/b-nested.yml:14:7 rule=b-nested: gt needs a number fact; "error.message" is a string`,
      `${dir}/b-nested.yml:24:7 rule=b-nested: "expect" is "maybe"; expected one of "confirmed", "possible"`,
      `${dir}/b-nested.yml:25:15 rule=b-nested: "conversation.status" is a number, got string "404"`,
      `${dir}/b-nested.yml:28:7 rule=b-nested: "summary_contains" does not belong here`,
      `${dir}/d-empty.yml:1:1 rule=d-empty: the file is empty; a rule starts with "id:"`,
      `${dir}/e-id.yml:2:1 rule=c-ok: id must equal the file name without .yml ("e-id")`,
      `${dir}/e-id.yml:2:1 rule=c-ok: duplicate id "c-ok", also in ${dir}/c-ok.yml`,
      `${dir}/notes.yaml:1:1: rule files end in .yml: rename it to notes.yml`,
    ]);
  });

  it('reports a duplicate id on the copy, not on the file named after it', () => {
    const dir = fixture('rules-duplicate');
    expect(errorLines(dir)).toEqual([
      `${dir}/a.yml:1:1 rule=b: id must equal the file name without .yml ("a")`,
      `${dir}/a.yml:1:1 rule=b: duplicate id "b", also in ${dir}/b.yml`,
    ]);
  });

  it('names files relative to the working directory when given an absolute folder under it', () => {
    const result = loadRules(path.join(__dirname, '..', 'fixtures', 'rules-bad-cause'));
    expect(result.ok ? [] : result.errors.map((e) => e.file)).toEqual([`${fixture('rules-bad-cause')}/bad-cause.yml`]);
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
    expect(result.ok ? [] : result.errors).toEqual([{ file: missing, line: 1, col: 1, message: 'the rules folder does not exist' }]);
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
        `  ${dir}/a.yml:1:1 rule=b: id must equal the file name without .yml ("a")`,
        `  ${dir}/a.yml:1:1 rule=b: duplicate id "b", also in ${dir}/b.yml`,
      ].join('\n'),
    );
  });

  it('returns the rules when the folder is valid', () => {
    expect(loadRulesOrThrow(fixture('rules-valid'))).toHaveLength(3);
  });
});
