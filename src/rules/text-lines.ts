import type { Rule, TextLine } from './schema';

/** Every line of a rule's text that may carry a condition, in the order written: headline to the admin's steps. */
export function textLines(rule: Rule): TextLine[] {
  return [
    ...rule.headline,
    ...(rule.whatHappened ?? []),
    ...rule.why,
    ...rule.steps.agent,
    ...rule.steps.teammate,
    ...rule.steps.admin,
  ];
}
