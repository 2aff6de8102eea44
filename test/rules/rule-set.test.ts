import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as loader from '../../src/rules/loader';
import { formatLoadError, loadRulesOrThrow, RuleSetError, type RuleLoadError } from '../../src/rules';

const BUILT_IN = path.join(__dirname, '../../rules');
const VALID = path.join(__dirname, '../fixtures/rules-valid');

let dir: string;
let cacheDir: string;
let rulesDir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-rule-set-'));
  cacheDir = path.join(dir, 'cache');
  rulesDir = path.join(dir, 'rules');
  fs.cpSync(VALID, rulesDir, { recursive: true });
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** How many times the files were checked (the loader run) while `load` ran, and what it gave. */
function checks<T>(load: () => T): { checked: number; result: T } {
  const spy = jest.spyOn(loader, 'loadRules');
  try {
    return { result: load(), checked: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

function errorsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof RuleSetError) return err.errors.map((e: RuleLoadError) => formatLoadError(e));
    throw err;
  }
  throw new Error('expected the rule set not to load');
}

test('a rule set checked once loads again from the cache, unchecked, as the same rules', () => {
  const dirs = [BUILT_IN, rulesDir];
  const first = checks(() => loadRulesOrThrow(dirs, { cacheDir }));
  expect(first.checked).toBe(1);
  const second = checks(() => loadRulesOrThrow(dirs, { cacheDir }));
  expect(second.checked).toBe(0);
  expect(second.result).toEqual(first.result);
  const fresh = loader.loadRules(dirs);
  if (!fresh.ok) throw new Error('the rule set should load');
  expect(second.result).toEqual(fresh.rules);
  // Patterns come back as regular expressions, flags included.
  const patterns = second.result.flatMap((rule) => rule.wordings.map((w) => w.pattern));
  expect(patterns.length).toBeGreaterThan(0);
  expect(patterns.every((p) => p instanceof RegExp)).toBe(true);
  expect(patterns.map(String)).toEqual(first.result.flatMap((rule) => rule.wordings.map((w) => String(w.pattern))));
});

test('without a cache folder every load checks the files', () => {
  expect(checks(() => loadRulesOrThrow(rulesDir)).checked).toBe(1);
  expect(checks(() => loadRulesOrThrow(rulesDir)).checked).toBe(1);
});

test('a rule file changed after a good load is checked again, and every error in it reported as without the cache', () => {
  loadRulesOrThrow([BUILT_IN, rulesDir], { cacheDir });
  fs.writeFileSync(
    path.join(rulesDir, 'rate-limited.yml'),
    fs.readFileSync(path.join(rulesDir, 'rate-limited.yml'), 'utf8').replace('priority:', 'priorty: 1\npriority:'),
  );
  fs.writeFileSync(path.join(rulesDir, 'broken.yml'), 'id: broken\ncause: not_a_cause\n');
  const cached = errorsOf(() => loadRulesOrThrow([BUILT_IN, rulesDir], { cacheDir }));
  const plain = errorsOf(() => loadRulesOrThrow([BUILT_IN, rulesDir]));
  expect(cached).toEqual(plain);
  expect(cached.some((line) => /rate-limited\.yml:\d+:\d+ rule=rate-limited: .*priorty/.test(line))).toBe(true);
  expect(cached.some((line) => /broken\.yml:\d+:\d+ rule=broken: /.test(line))).toBe(true);
});

test('a file added, removed or a named condition changed is checked again', () => {
  loadRulesOrThrow(rulesDir, { cacheDir });
  fs.writeFileSync(path.join(rulesDir, 'notes.txt'), 'not a rule');
  expect(checks(() => loadRulesOrThrow(rulesDir, { cacheDir })).checked).toBe(1);
  fs.rmSync(path.join(rulesDir, 'notes.txt'));
  expect(checks(() => loadRulesOrThrow(rulesDir, { cacheDir })).checked).toBe(0);
  fs.mkdirSync(path.join(rulesDir, 'conditions'));
  fs.writeFileSync(path.join(rulesDir, 'conditions', 'shared.yml'), 'is-403: { fact: error.status, equals: 403 }\n');
  expect(checks(() => loadRulesOrThrow(rulesDir, { cacheDir })).checked).toBe(1);
  fs.writeFileSync(path.join(rulesDir, 'conditions', 'shared.yml'), 'is-403: { fact: error.statuz, equals: 403 }\n');
  expect(errorsOf(() => loadRulesOrThrow(rulesDir, { cacheDir }))).toEqual(errorsOf(() => loadRulesOrThrow(rulesDir)));
});

test('a kept rule set that another user could have written is not used', () => {
  loadRulesOrThrow(rulesDir, { cacheDir });
  const [kept] = fs.readdirSync(cacheDir);
  const file = path.join(cacheDir, kept as string);
  expect(fs.statSync(file).mode & 0o077).toBe(0);
  fs.chmodSync(file, 0o666);
  expect(checks(() => loadRulesOrThrow(rulesDir, { cacheDir })).checked).toBe(1);
});

test('a cache folder that cannot be written costs only the check', () => {
  const blocked = path.join(dir, 'blocked');
  fs.writeFileSync(blocked, 'a file where the folder would be');
  const rules = checks(() => loadRulesOrThrow(rulesDir, { cacheDir: path.join(blocked, 'cache') }));
  expect(rules.checked).toBe(1);
  expect(rules.result.map((rule) => rule.id)).toEqual(['rate-limited', 'teammate-api-access-disabled', 'unknown']);
});
