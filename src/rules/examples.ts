import { matchRules } from './engine';
import type { RuleTest } from './rule-tests';
import type { Rule } from './schema';
import type { FactSource, FactValue } from './source';
import { renderRuleText } from './text';

export interface ExampleFailure {
  ruleId: string;
  file: string;
  line: number;
  message: string;
}

/** Builds the facts a test stands for: its paste run through the real parser, plus its probe facts. */
export type ExampleSourceFactory = (paste: string, facts: Record<string, FactValue>) => FactSource;

/**
 * Runs each test against its own rule alone (all its variants), the way the bot would see it offline: facts the
 * test does not state stay unknown. A factory that throws fails that test, not the run.
 */
export async function runRuleExamples(
  rules: Rule[],
  tests: RuleTest[],
  makeSource: ExampleSourceFactory,
): Promise<ExampleFailure[]> {
  const failures: ExampleFailure[] = [];
  for (const test of tests) {
    const message = await judge(
      rules.filter((rule) => rule.id === test.ruleId),
      test,
      makeSource,
    );
    if (message !== undefined) failures.push({ ruleId: test.ruleId, file: test.file, line: test.line, message });
  }
  return failures;
}

async function judge(variants: Rule[], test: RuleTest, makeSource: ExampleSourceFactory): Promise<string | undefined> {
  try {
    const source = makeSource(test.paste, test.facts);
    const [match] = await matchRules(variants, source);
    const outcome = match?.outcome ?? 'none';
    if (outcome !== test.expect) {
      const unknown =
        match?.outcome === 'possible' && match.unknownFacts.length > 0
          ? ` (unknown: ${match.unknownFacts.join(', ')})`
          : '';
      return `expected ${test.expect}, got ${outcome}${match?.rule.variant ? ` (variant ${match.rule.variant})` : ''}${unknown}`;
    }
    if (match === undefined) return undefined;
    if (test.variant !== undefined && match.rule.variant !== test.variant)
      return `expected variant ${test.variant}, got ${match.rule.variant ?? 'none'}`;
    if (test.headlineContains === undefined) return undefined;
    const { headline } = renderRuleText(match.rule, source, match.outcome);
    return headline.includes(test.headlineContains)
      ? undefined
      : `headline ${JSON.stringify(headline)} does not contain ${JSON.stringify(test.headlineContains)}`;
  } catch (error) {
    return `could not run: ${typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error)}`;
  }
}

/** `rules/x.test.yml:12: expected confirmed, got possible`. */
export function formatExampleFailure(failure: ExampleFailure): string {
  return `${failure.file}:${failure.line}: ${failure.message}`;
}
