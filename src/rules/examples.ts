import path from 'node:path';
import { displayPath } from './display-path';
import { matchRules } from './engine';
import type { Rule } from './schema';
import type { FactSource, FactValue } from './source';
import { renderRuleText } from './text';

export interface ExampleFailure {
  ruleId: string;
  /** `match[2]` or `no_match[0]`. */
  which: string;
  message: string;
}

/** Builds the facts an example stands for: its paste run through the real parser, plus its probe facts. */
export type ExampleSourceFactory = (paste: string, facts: Record<string, FactValue>) => FactSource;

type Outcome = 'confirmed' | 'possible' | 'no match';

/**
 * Runs each rule's examples against that rule alone, the way the bot would see them offline: facts the
 * example does not give stay unknown. A factory that throws fails that example, not the run.
 */
export async function runRuleExamples(rules: Rule[], makeSource: ExampleSourceFactory): Promise<ExampleFailure[]> {
  const failures: ExampleFailure[] = [];
  for (const rule of rules) {
    for (const [i, example] of rule.examples.match.entries()) {
      const which = `match[${i}]`;
      const failure = await check(rule, makeSource, example.paste, example.facts, (outcome, source, unknownFacts) => {
        if (outcome !== example.expect) return `expected ${example.expect}, got ${outcome}${unknownNote(outcome, unknownFacts)}`;
        if (example.summary_contains === undefined) return undefined;
        const { summary } = renderRuleText(rule, source, example.expect);
        return summary.includes(example.summary_contains) ? undefined : `summary ${JSON.stringify(summary)} does not contain ${JSON.stringify(example.summary_contains)}`;
      });
      if (failure !== undefined) failures.push({ ruleId: rule.id, which, message: failure });
    }
    for (const [i, example] of rule.examples.no_match.entries()) {
      const failure = await check(rule, makeSource, example.paste, example.facts, (outcome, _source, unknownFacts) =>
        outcome === 'no match' ? undefined : `expected no match, got ${outcome}${unknownNote(outcome, unknownFacts)}`,
      );
      if (failure !== undefined) failures.push({ ruleId: rule.id, which: `no_match[${i}]`, message: failure });
    }
  }
  return failures;
}

async function check(
  rule: Rule,
  makeSource: ExampleSourceFactory,
  paste: string,
  facts: Record<string, FactValue>,
  judge: (outcome: Outcome, source: FactSource, unknownFacts: string[]) => string | undefined,
): Promise<string | undefined> {
  try {
    const source = makeSource(paste, facts);
    const [match] = await matchRules([rule], source);
    return judge(match?.outcome ?? 'no match', source, match?.unknownFacts ?? []);
  } catch (error) {
    return `could not run: ${typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error)}`;
  }
}

function unknownNote(outcome: Outcome, unknownFacts: string[]): string {
  return outcome === 'possible' && unknownFacts.length > 0 ? ` (unknown: ${unknownFacts.join(', ')})` : '';
}

/** `rules/x.yml: match[2]: expected confirmed, got possible`, or `rule=x: …` without a folder. */
export function formatExampleFailure(failure: ExampleFailure, rulesDir?: string): string {
  const where = rulesDir === undefined ? `rule=${failure.ruleId}` : path.join(displayPath(rulesDir), `${failure.ruleId}.yml`);
  return `${where}: ${failure.which}: ${failure.message}`;
}
