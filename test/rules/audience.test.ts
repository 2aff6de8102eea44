import { HELP } from '../../src/commands/help';
import { agentOnlyWord } from '../../src/rules/schema';
import { textLines } from '../../src/rules/text-lines';
import { customerText } from '../../src/slack/render/blocks-customer';
import { renderCases, rules, variantName, type Rendered } from './rendered-cases';

/**
 * Who reads what. The customer's teammate and admin work in Front and do not have front-why; the Message for the
 * customer is sent to them as it is. So none of their lines may ask them to run a front-why command: the agent
 * runs it and sends what it found.
 */

const COMMANDS = Object.keys(HELP).join('|');
/** `/front-why …` in Slack, `npx front-why …` or `front-why <command>` in a terminal. */
const FRONT_WHY_COMMAND = new RegExp(`/front-why\\b|\\bnpx front-why\\b|\\bfront-why (?:${COMMANDS})\\b`, 'i');

let rendered: Rendered[] = [];
beforeAll(async () => {
  rendered = await renderCases();
});

describe('every line for the person who reads it', () => {
  it('no line for the customer’s teammate or admin, in any rule or variant, asks them to run front-why', () => {
    const offending: string[] = [];
    for (const rule of rules) {
      for (const audience of ['teammate', 'admin'] as const) {
        for (const line of rule.steps[audience]) {
          if (FRONT_WHY_COMMAND.test(line.text)) offending.push(`${variantName(rule)} ${audience}: ${line.text}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('no headline, which the Message for the customer quotes, names a front-why command', () => {
    const offending = rules.flatMap((rule) =>
      rule.headline.filter((line) => FRONT_WHY_COMMAND.test(line.text)).map((l) => `${variantName(rule)}: ${l.text}`),
    );
    expect(offending).toEqual([]);
  });

  it('every rule with a step for the customer’s admin or teammate says what happened in the customer’s words', () => {
    // The customer answer (customer mode) shows a cause only when it has such a step, and opens it with this line.
    const missing = rules
      .filter((rule) => rule.steps.admin.length + rule.steps.teammate.length > 0 && !rule.whatHappened)
      .map(variantName);
    expect(missing).toEqual([]);
  });

  it('no line of what happened, in any rule or variant, uses the agent’s words or names a front-why command', () => {
    // The loader refuses them (src/rules/schema.ts); this reads the rules as loaded, operators' folders included.
    const offending = rules.flatMap((rule) =>
      (rule.whatHappened ?? [])
        .map((line) => ({
          line,
          word: agentOnlyWord(line.text) ?? (FRONT_WHY_COMMAND.test(line.text) ? 'command' : ''),
        }))
        .filter(({ word }) => word !== '')
        .map(({ line, word }) => `${variantName(rule)}: ${word} in "${line.text}"`),
    );
    expect([...new Set(offending)]).toEqual([]);
  });

  it('the rule tests reach every variant of every rule, so the checks below read every one', () => {
    const reached = new Set(rendered.map((r) => variantName(r.rule)));
    const missing = rules.filter((rule) => !rule.fallback && !reached.has(variantName(rule))).map(variantName);
    expect(missing).toEqual([]);
  });

  it('the Message for the customer holds no front-why command, for any rule test case', () => {
    // Each offending line once, with the first case that shows it.
    const offending = new Map<string, string>();
    for (const { test, diagnosis } of rendered) {
      for (const line of customerText([diagnosis], []).split('\n'))
        if (FRONT_WHY_COMMAND.test(line) && !offending.has(line)) offending.set(line, `${test.file}:${test.line}`);
    }
    expect([...offending].map(([line, where]) => `${where}: ${line}`)).toEqual([]);
  });

  it('a possible cause does not tell the customer it as a fact, and says the command that decides it', () => {
    const offending: string[] = [];
    for (const { test, diagnosis } of rendered) {
      if (diagnosis.status !== 'possible') continue;
      const [first] = diagnosis.steps.agent;
      if (first?.startsWith('Tell the customer:'))
        offending.push(`${test.file}:${test.line}: opens with "${first.slice(0, 60)}…"`);
      const all = [diagnosis.why, ...diagnosis.steps.agent].join('\n');
      if (/live check/i.test(all) && !(/`\/front-why /.test(all) && /`front-why diagnose --tenant /.test(all)))
        offending.push(`${test.file}:${test.line}: speaks of the live check without the command to run it`);
    }
    expect(offending).toEqual([]);
  });

  it('no line of any rule or variant has a default that prints a placeholder for an unchecked fact', () => {
    // `{{me.status|not checked}}` or `{{error.format|}}`: a line that shows a checked value stands alone, under
    // `if: { fact: …, exists: true }`, and goes when the fact was not checked.
    const placeholderDefault = /\{\{[^{}|]+\|\s*(?:not checked|not run|\(?unknown\)?)?\s*\}\}/;
    const offending = rules.flatMap((rule) =>
      textLines(rule)
        .filter((line) => placeholderDefault.test(line.text))
        .map((line) => `${variantName(rule)}: ${line.text}`),
    );
    expect([...new Set(offending)]).toEqual([]);
  });

  it('no answer shows a placeholder for a fact that was not checked', () => {
    const placeholder = /: not checked\b|\(\)|\(unknown\)|\bnot run\)|listed above/;
    const offending: string[] = [];
    for (const { test, diagnosis } of rendered) {
      const lines = [
        diagnosis.headline,
        ...(diagnosis.whatHappened ? [diagnosis.whatHappened] : []),
        ...diagnosis.why.split('\n'),
        ...Object.values(diagnosis.steps).flat(),
      ];
      for (const line of lines)
        if (placeholder.test(line) && !offending.some((o) => o.endsWith(`"${line}"`)))
          offending.push(`${test.file}:${test.line}: ${line.match(placeholder)?.[0]} in "${line}"`);
    }
    expect(offending).toEqual([]);
  });
});
