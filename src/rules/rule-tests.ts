import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { z } from 'zod';
import { displayPath } from './display-path';
import { describeIssues } from './issues';
import { layeredFiles, rulesDirList, TEST_SUFFIX, type RuleLoadError, type RulesDirs } from './loader';
import { factFixturesSchema, pasteFixturesSchema, ruleTestFileSchema, type Rule } from './schema';
import type { FactValue } from './source';
import { didYouMean } from './suggest';
import { locate } from './yaml-position';

export { TEST_SUFFIX };
/** Pastes and fact sets that several tests share, each named once. */
export const FIXTURES_FOLDER = 'fixtures';

export interface RuleTest {
  ruleId: string;
  /** Where the test is written, for "file:line: what went wrong". */
  file: string;
  line: number;
  paste: string;
  facts: Record<string, FactValue>;
  expect: 'confirmed' | 'possible' | 'none';
  variant?: string;
  headlineContains?: string;
}

export type RuleTestsResult = { ok: true; tests: RuleTest[] } | { ok: false; errors: RuleLoadError[] };

interface Fixtures {
  pastes: Record<string, string>;
  facts: Record<string, Record<string, FactValue>>;
}

/**
 * Reads every rule's test file and the shared fixtures. Every rule must have tests, and every test file must
 * belong to a rule; a named paste or fact set must exist. As with the rules, every problem is reported at once.
 */
/** `brokenIds`: rules whose files did not load; their tests are left for when they do (their errors are known). */
export function loadRuleTests(dirs: RulesDirs, rules: Rule[], brokenIds: readonly string[] = []): RuleTestsResult {
  const errors: RuleLoadError[] = [];
  // A later folder's fixtures add to the earlier ones', and replace one of the same name.
  const fixtures: Fixtures = { pastes: {}, facts: {} };
  for (const dir of rulesDirList(dirs)) {
    const shown = path.join(displayPath(dir), FIXTURES_FOLDER);
    const full = path.join(dir, FIXTURES_FOLDER);
    const read = <T>(name: string, schema: z.ZodType<T>) =>
      readFixtures(path.join(full, name), path.join(shown, name), schema, errors);
    Object.assign(fixtures.pastes, read('pastes.yml', pasteFixturesSchema));
    Object.assign(fixtures.facts, read('facts.yml', factFixturesSchema));
  }
  const variantsOf = new Map<string, string[]>();
  for (const rule of rules)
    variantsOf.set(rule.id, [...(variantsOf.get(rule.id) ?? []), ...(rule.variant ? [rule.variant] : [])]);

  const files = layeredFiles(dirs, errors, (name) => name.endsWith(TEST_SUFFIX));
  const names = [...files.keys()];
  const tests: RuleTest[] = [];
  for (const [name, { full, shown: file }] of files) {
    const ruleId = name.slice(0, -TEST_SUFFIX.length);
    if (brokenIds.includes(ruleId)) continue;
    if (!variantsOf.has(ruleId)) {
      errors.push({
        file,
        line: 1,
        col: 1,
        message: `no rule "${ruleId}" for these tests${didYouMean(ruleId, [...variantsOf.keys()])}: name the file <rule id>${TEST_SUFFIX}`,
      });
      continue;
    }
    tests.push(...readTestFile(full, file, ruleId, variantsOf.get(ruleId) ?? [], fixtures, errors));
  }
  for (const id of variantsOf.keys()) {
    if (!names.includes(`${id}${TEST_SUFFIX}`))
      errors.push({
        file: rules.find((rule) => rule.id === id)?.file ?? `${id}.yml`,
        line: 1,
        col: 1,
        ruleId: id,
        message: `the rule has no tests: add ${id}${TEST_SUFFIX} beside it`,
      });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, tests };
}

function readTestFile(
  fullPath: string,
  file: string,
  ruleId: string,
  variants: string[],
  fixtures: Fixtures,
  errors: RuleLoadError[],
): RuleTest[] {
  const text = readYaml(fullPath, file, errors);
  if (text === undefined) return [];
  const parsed = ruleTestFileSchema.safeParse(text.data, { reportInput: true });
  const at = (p: (string | number)[], message: string): RuleLoadError => ({
    file,
    ...locate(text.text, p),
    ruleId,
    message,
  });
  if (!parsed.success) {
    errors.push(...describeIssues(parsed.error.issues).map((m) => at(m.path, m.message)));
    return [];
  }
  const tests: RuleTest[] = [];
  parsed.data.forEach((test, i) => {
    const paste = test.pasted === undefined ? test.paste : fixtures.pastes[test.pasted];
    if (paste === undefined)
      errors.push(
        at(
          [i, 'pasted'],
          `no shared paste "${test.pasted}"${didYouMean(test.pasted ?? '', Object.keys(fixtures.pastes))} (shared pastes live in ${FIXTURES_FOLDER}/pastes.yml)`,
        ),
      );
    const facts: Record<string, FactValue> = {};
    test.with.forEach((name, j) => {
      const set = fixtures.facts[name];
      if (set === undefined)
        errors.push(
          at(
            [i, 'with', j],
            `no shared fact set "${name}"${didYouMean(name, Object.keys(fixtures.facts))} (fact sets live in ${FIXTURES_FOLDER}/facts.yml)`,
          ),
        );
      else Object.assign(facts, set);
    });
    Object.assign(facts, test.facts);
    if (test.variant !== undefined && !variants.includes(test.variant)) {
      const known = variants.length === 0 ? 'the rule has no variants' : `its variants: ${variants.join(', ')}`;
      errors.push(
        at(
          [i, 'variant'],
          `"${test.variant}" is not a variant of ${ruleId}${didYouMean(test.variant, variants)} (${known})`,
        ),
      );
    }
    tests.push({
      ruleId,
      file,
      line: locate(text.text, [i]).line,
      paste: paste ?? '',
      facts,
      expect: test.expect,
      ...(test.variant === undefined ? {} : { variant: test.variant }),
      ...(test.headline_contains === undefined ? {} : { headlineContains: test.headline_contains }),
    });
  });
  return tests;
}

function readFixtures<T>(fullPath: string, file: string, schema: z.ZodType<T>, errors: RuleLoadError[]): T | undefined {
  const text = readYaml(fullPath, file, errors, true);
  if (text === undefined || text.data === undefined || text.data === null) return undefined;
  const parsed = schema.safeParse(text.data, { reportInput: true });
  if (parsed.success) return parsed.data;
  errors.push(
    ...describeIssues(parsed.error.issues).map((m) => ({ file, ...locate(text.text, m.path), message: m.message })),
  );
  return undefined;
}

function readYaml(
  fullPath: string,
  file: string,
  errors: RuleLoadError[],
  optional = false,
): { text: string; data: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    if (!(optional && (error as { code?: string }).code === 'ENOENT'))
      errors.push({
        file,
        line: 1,
        col: 1,
        message: `cannot read the file: ${String((error as { code?: string }).code ?? error)}`,
      });
    return undefined;
  }
  try {
    return { text, data: yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file }) };
  } catch (error) {
    if (!(error instanceof yaml.YAMLException)) throw error;
    errors.push({
      file,
      line: error.mark ? error.mark.line + 1 : 1,
      col: error.mark ? error.mark.column + 1 : 1,
      message: `YAML: ${error.reason}`,
    });
    return undefined;
  }
}
