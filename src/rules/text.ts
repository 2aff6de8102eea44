import type { FactPath } from '../facts';
import type { DiagnosisState } from './conditions';
import { lineConditions } from './compile';
import type { Condition, Rule, TextLine } from './schema';
import type { FactSource } from './source';
import { renderTemplate, templateFields } from './template';
import { textLines } from './text-lines';

export type { DiagnosisState } from './conditions';

export interface RuleText {
  /** What the agent reads first: one line naming the person or thing when known, and the fix. */
  headline: string;
  /** What happened, in the customer's own terms: the customer answer opens with it. Absent when the rule has none. */
  whatHappened?: string;
  /** The reasoning, on demand. */
  why: string;
  steps: Record<keyof Rule['steps'], string[]>;
  links: { title: string; url: string }[];
}

/**
 * A rule's text for one diagnosis: the lines whose condition holds for this state and these facts, with their
 * fields filled. A line whose condition is unknown is left out: text is shown only for what is known. The
 * headline is the first line that holds (the schema makes the last one unconditional).
 */
export function renderRuleText(rule: Rule, source: Pick<FactSource, 'get'>, state: DiagnosisState): RuleText {
  const get = (path: FactPath) => source.get(path);
  const conditions = lineConditions(rule, source);
  const holds = (line: TextLine) => line.if === undefined || conditions.truth(line.if[state]) === 'true';
  const render = (lines: TextLine[]) => lines.filter(holds).map((line) => renderTemplate(line.text, get));
  // The alternatives after the first that holds are not looked at.
  const first = (alternatives: TextLine[]) => alternatives.find(holds) ?? alternatives[alternatives.length - 1];
  const headline = first(rule.headline);
  const happened = rule.whatHappened ? first(rule.whatHappened) : undefined;
  return {
    headline: headline === undefined ? '' : renderTemplate(headline.text, get),
    ...(happened === undefined ? {} : { whatHappened: renderTemplate(happened.text, get) }),
    why: render(rule.why)
      .map((paragraph) => paragraph.trim())
      .join('\n\n'),
    steps: { agent: render(rule.steps.agent), teammate: render(rule.steps.teammate), admin: render(rule.steps.admin) },
    links: rule.links.map((link) => ({ title: renderTemplate(link.title, get), url: link.url })),
  };
}

/**
 * Every fact a rule's text may show or depend on: its fields, and the facts its line conditions test. Given what is
 * known (`shown`), only those that can still change the text: a line whose condition is already false shows nothing,
 * and of a condition still open only the facts that could decide it count.
 */
export function textFacts(rule: Rule, shown?: { source: Pick<FactSource, 'get'>; state: DiagnosisState }): string[] {
  const lines = textLines(rule);
  const known = shown && { conditions: lineConditions(rule, shown.source), state: shown.state };
  const paths = new Set<string>();
  for (const line of lines) {
    if (line.if !== undefined && known !== undefined) {
      const condition = line.if[known.state];
      const truth = known.conditions.truth(condition);
      if (truth === 'false') continue;
      if (truth === 'unknown') for (const path of known.conditions.needs(condition)) paths.add(path);
    } else if (line.if !== undefined) conditionFacts(line.if.possible, paths);
    for (const path of templateFields(line.text)) paths.add(path);
  }
  for (const link of rule.links) for (const path of templateFields(link.title)) paths.add(path);
  return [...paths];
}

function conditionFacts(condition: Condition, into: Set<string>): void {
  if ('all' in condition) condition.all.forEach((c) => conditionFacts(c, into));
  else if ('any' in condition) condition.any.forEach((c) => conditionFacts(c, into));
  else if ('not' in condition) conditionFacts(condition.not, into);
  else into.add(condition.fact);
}
