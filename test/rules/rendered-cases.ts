import path from 'node:path';
import { exampleFactSource } from '../../src/diagnosis/rule-examples';
import { ownerFinding } from '../../src/diagnosis/owner';
import type { Diagnosis } from '../../src/diagnosis';
import { wordingsOfRules } from '../../src/diagnosis/wordings';
import { loadRulesOrThrow, loadRuleTests, renderRuleText, type Rule, type RuleTest } from '../../src/rules';
import { matchRules, type FactSource } from '../../src/rules/engine';

/** Every rule, and every case of the rule tests, as the bot would answer it: what the audience checks read. */

const RULES_DIR = path.join(__dirname, '..', '..', 'rules');
export const rules = loadRulesOrThrow(RULES_DIR);
const loaded = loadRuleTests(RULES_DIR, rules);
if (!loaded.ok) throw new Error(`rule tests do not load: ${JSON.stringify(loaded.errors)}`);
const cases = loaded.tests;
const wordings = wordingsOfRules(rules);

export const variantName = (rule: Rule) => `${rule.id}${rule.variant ? ` (${rule.variant})` : ''}`;

export interface Rendered {
  test: RuleTest;
  rule: Rule;
  diagnosis: Diagnosis;
  /** The case's facts, those of the paste included, as the rule's text read them. */
  source: Pick<FactSource, 'get'>;
}

/** Every rule test case as the bot would answer it: the rule's text rendered in the state the case reaches. */
export async function renderCases(): Promise<Rendered[]> {
  const out: Rendered[] = [];
  for (const test of cases) {
    const source = exampleFactSource(test.paste, test.facts, wordings);
    const [match] = await matchRules(
      rules.filter((r) => r.id === test.ruleId),
      source,
    );
    if (!match) continue;
    const text = renderRuleText(match.rule, source, match.outcome);
    const target = source.get('input.resource');
    const owner = ownerFinding(
      match.rule.declared.traits,
      match.outcome,
      typeof target === 'string' ? target : undefined,
      source,
    );
    out.push({
      test,
      rule: match.rule,
      diagnosis: {
        cause: match.rule.cause,
        rule: match.rule.id,
        status: match.outcome,
        confidence: match.rule.confidence,
        ...text,
        evidence: [],
        decidedBy: [],
        ...(owner ? { owner } : {}),
      },
      source,
    });
  }
  return out;
}
