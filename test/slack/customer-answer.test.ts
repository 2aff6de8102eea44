import type { DiagnoseOutcome, Diagnosis } from '../../src/diagnosis';
import { maskToken } from '../../src/front/mask';
import { blockChars, LIMITS } from '../../src/slack/render/block-kit';
import { customerAnswer, customerWatchNotice } from '../../src/slack/render/blocks-customer-answer';
import { escapeText } from '../../src/slack/render/escape';
import type { FactPath } from '../../src/facts';
import { agentOnlyWord } from '../../src/rules/schema';
import { templateFields } from '../../src/rules/template';
import { renderCases, rules, variantName, type Rendered } from '../rules/rendered-cases';

/**
 * The customer answer (customer mode) is read by the customer in a shared channel. Every rule test case, in every
 * rule and variant, is rendered through it with the agent-only fields filled with marked values (a vendor's email,
 * the token and its masked form, ranking, evidence, the checks): none of them, no rule or cause id and no email of
 * someone outside the customer's company may reach the customer.
 */

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzY29wZXMiOlsicHJpdmF0ZToqIl19.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const MASKED = maskToken(TOKEN);
const VENDOR_EMAIL = 'sam.agent@vendor.example';
const CANARY = 'INTERNAL-ONLY';

const AGENT_ONLY = [
  /front-why/i,
  /tell the customer/i,
  /\bthe customer\b/i,
  /\btenant\b/i,
  /\bevidence\b/i,
  /\branked\b/i,
  /GET \//,
  /token connected here/i,
  new RegExp(CANARY),
];
const TOKEN_SHAPES = [/eyJ[A-Za-z0-9_-]{4,}/, /[A-Za-z0-9]{2,4}…[A-Za-z0-9]{2,4}/, /xox[abp]-/];
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Everything a diagnosis carries for the agent, filled so that a leak shows. */
function withInternals(d: Diagnosis): Diagnosis {
  return {
    ...d,
    why: `${d.why}\n${CANARY} why, asked by ${VENDOR_EMAIL}, token ${MASKED}`,
    steps: { ...d.steps, agent: [...d.steps.agent, `${CANARY} agent step for ${VENDOR_EMAIL} (${TOKEN})`] },
    evidence: [
      {
        source: 'probe',
        check: 'GET /me',
        result: `200 as ${VENDOR_EMAIL}, token ${MASKED}, scopes private:*`,
        ok: true,
      },
    ],
    decidedBy: [`${CANARY} decided by GET /me`],
    rankedBy: `${CANARY} ranked by the token ${MASKED}`,
  };
}

function outcomeOf(diagnoses: Diagnosis[], target: string | undefined): DiagnoseOutcome {
  return {
    ok: true,
    diagnoses,
    targets: target ? [target] : [],
    sawError: true,
    live: true,
    calls: 4,
    callsToDecide: 3,
    depth: 2,
    checks: [{ source: 'probe', check: 'GET /me', result: `200 token ${MASKED} of ${VENDOR_EMAIL}`, ok: true }],
  };
}

/** Every string a person could read in the message: its blocks (text, buttons) and its notification text. */
function visible(message: { text: string; blocks: unknown[] }): string {
  return JSON.stringify(message);
}

/** Rule and cause ids that cannot be mistaken for a word ("unknown" is one). */
const IDS = [...new Set(rules.flatMap((r) => [r.id, r.cause]))].filter((id) => /[-_]/.test(id));

let rendered: Rendered[] = [];
beforeAll(async () => {
  rendered = await renderCases();
});

/** What the customer's people must never read, in `text`: agent-only words, the token, a rule id, an outsider. */
function leaks(text: string, { test, diagnosis }: Rendered): string[] {
  const found: string[] = [];
  for (const pattern of [...AGENT_ONLY, ...TOKEN_SHAPES])
    if (pattern.test(text)) found.push(`${pattern.source}: ${text.match(pattern)?.[0]}`);
  if (text.includes(MASKED) || text.includes(TOKEN.slice(0, 12))) found.push('the token');
  for (const id of IDS) if (new RegExp(`(?<![A-Za-z0-9_-])${id}(?![A-Za-z0-9_-])`).test(text)) found.push(`id ${id}`);
  // The customer's company is the people the case's facts and paste name; anyone else's address is a leak.
  const theirs = new Set((JSON.stringify(test.facts) + test.paste).match(EMAIL) ?? []);
  for (const email of text.match(EMAIL) ?? []) if (!theirs.has(email)) found.push(`email ${email}`);
  for (const line of diagnosis.steps.agent) if (line.length > 30 && text.includes(line)) found.push(`agent step`);
  return found;
}

function answerFor(diagnosis: Diagnosis, test: Rendered['test']) {
  const target = typeof test.facts['input.resource'] === 'string' ? test.facts['input.resource'] : undefined;
  return customerAnswer(outcomeOf([withInternals(diagnosis)], target as string | undefined), {
    asker: 'U0CUSTOMER',
    watchValue: 'cnv_yo1kg5q',
  });
}

function where(r: Rendered): string {
  return `${r.test.file}:${r.test.line} ${variantName(r.rule)}`;
}

function problems(r: Rendered): string[] {
  return leaks(visible(answerFor(r.diagnosis, r.test)), r).map((f) => `${where(r)}: ${f}`);
}

/** A cause the customer answer shows: one with a step for the customer's admin or teammate. */
const shownToCustomer = (r: Rendered) => r.diagnosis.steps.admin.length + r.diagnosis.steps.teammate.length > 0;

/**
 * The line of what happened, checked on its own: the same leaks as the whole answer, and none of the words the
 * rule loader refuses in it. Values from the case (an ID such as "the rule rul_58xhq", a name) are the customer's
 * own, not the rule's words, so they are taken out before the words are looked for.
 */
function lineProblems(r: Rendered): string[] {
  const line = r.diagnosis.whatHappened;
  if (line === undefined) return [`${where(r)}: no line of what happened`];
  let words = line;
  for (const field of (r.rule.whatHappened ?? []).flatMap((l) => templateFields(l.text))) {
    const value = r.source.get(field as FactPath);
    for (const part of [value].flat())
      if (typeof part === 'string' && part.length > 0) words = words.replaceAll(part, '');
  }
  const word = agentOnlyWord(words);
  return [...leaks(line, r), ...(word ? [word] : [])].map((f) => `${where(r)}: ${f} in "${line}"`);
}

test('the rule tests reach every rule and variant, so each is rendered for the customer below', () => {
  const reached = new Set(rendered.map((r) => variantName(r.rule)));
  const missing = rules.filter((rule) => !rule.fallback && !reached.has(variantName(rule))).map(variantName);
  expect(missing).toEqual([]);
  expect(rendered.length).toBeGreaterThan(rules.length);
});

test('no customer answer, for any rule test case, shows agent-only text, the token, a rule id or an outsider’s email', () => {
  expect(rendered.flatMap(problems)).toEqual([]);
});

test('every cause shown to the customer opens with its line of what happened, right after the greeting', () => {
  const offending: string[] = [];
  for (const r of rendered.filter(shownToCustomer)) {
    const [greeting, first] = answerFor(r.diagnosis, r.test).blocks;
    const text = (block: unknown) => (block as { text?: { text?: string } } | undefined)?.text?.text ?? '';
    if (!text(greeting).startsWith('<@U0CUSTOMER> I looked into the Front API error'))
      offending.push(`${where(r)}: greeting "${text(greeting)}"`);
    const line = r.diagnosis.whatHappened;
    if (line === undefined || !text(first).startsWith(escapeText(line)))
      offending.push(`${where(r)}: opens with "${text(first).split('\n')[0]}"`);
  }
  expect(offending).toEqual([]);
});

test('no line of what happened, for any rule test case shown to the customer, holds agent-only words or leaks', () => {
  expect(rendered.filter(shownToCustomer).flatMap(lineProblems)).toEqual([]);
});

test('a possible cause’s line of what happened says both readings and what tells them apart', () => {
  const offending = rendered
    .filter((r) => shownToCustomer(r) && r.diagnosis.status === 'possible')
    .filter(
      (r) =>
        !/\b(?:either|or)\b/i.test(r.diagnosis.whatHappened ?? '') ||
        !/tells which/.test(r.diagnosis.whatHappened ?? ''),
    )
    .map((r) => `${where(r)}: "${r.diagnosis.whatHappened}"`);
  expect(offending).toEqual([]);
});

test('the line checks fail when the agent’s text reaches the line of what happened', () => {
  const shown = rendered.find((r) => shownToCustomer(r) && r.diagnosis.steps.agent.some((s) => /front-why/.test(s)))!;
  const leaky = { ...shown, diagnosis: { ...shown.diagnosis, whatHappened: shown.diagnosis.steps.agent.join(' ') } };
  expect(lineProblems(leaky).length).toBeGreaterThan(0);
  expect(problems(leaky).length).toBeGreaterThan(0);
  const jargon = {
    ...shown,
    diagnosis: { ...shown.diagnosis, whatHappened: 'The probe found the namespace missing.' },
  };
  expect(lineProblems(jargon)).toEqual([expect.stringContaining('"probe" is for the agent')]);
});

test('several causes at once: still nothing internal, and each shown cause keeps its customer steps', () => {
  const diagnoses = rendered.slice(0, 6).map((r) => withInternals(r.diagnosis));
  const text = visible(customerAnswer(outcomeOf(diagnoses, 'cnv_yo1kg5q'), { asker: 'U0CUSTOMER' }));
  expect(text).not.toContain(CANARY);
  expect(text).not.toContain(VENDOR_EMAIL);
  expect(text).not.toContain(MASKED);
});

test('the checks fail when an internal field leaks: an answer built from the agent steps is caught', () => {
  const leaky = rendered.find((r) => r.diagnosis.steps.agent.length > 0 && r.diagnosis.steps.admin.length > 0)!;
  const promoted = {
    ...leaky,
    diagnosis: { ...leaky.diagnosis, steps: { ...leaky.diagnosis.steps, admin: leaky.diagnosis.steps.agent } },
  };
  // The agent's lines moved into the admin's: the renderer shows admin steps, so the check must see them.
  expect(problems(promoted).length).toBeGreaterThan(0);
});

test('a cause with something to change on the customer’s side is told with its steps, addressed to the asker', () => {
  const shown = rendered.find((r) => r.diagnosis.steps.admin.length > 0)!;
  const message = customerAnswer(outcomeOf([shown.diagnosis], 'cnv_yo1kg5q'), { asker: 'U0CUSTOMER' });
  const text = visible(message);
  expect(text).toContain('<@U0CUSTOMER>');
  expect(text).toContain('What your Front admin can do');
  expect(text).not.toContain('Tell me when it works');
});

test('a cause with nothing on the customer’s side says support has it, and shows none of its text', () => {
  const internal = rendered.find(
    (r) => r.diagnosis.steps.admin.length === 0 && r.diagnosis.steps.teammate.length === 0,
  )!;
  const text = visible(customerAnswer(outcomeOf([internal.diagnosis], undefined), { asker: 'U0CUSTOMER' }));
  expect(text).toContain('found nothing you can change on your side');
  expect(text).not.toContain(internal.diagnosis.headline.slice(0, 40));
  expect(text).not.toContain(CANARY);
});

test('however long the steps, the customer answer is one message within Slack’s limits', () => {
  const long = rendered.find((r) => r.diagnosis.steps.admin.length > 0)!.diagnosis;
  const huge = {
    ...long,
    steps: { ...long.steps, admin: Array(20).fill('x'.repeat(3_000)), teammate: Array(20).fill('y'.repeat(3_000)) },
  };
  const message = customerAnswer(outcomeOf([huge, huge, huge], 'cnv_yo1kg5q'), {
    asker: 'U0CUSTOMER',
    watchValue: 'cnv_yo1kg5q',
  });
  expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
  expect(message.blocks.reduce((n, b) => n + blockChars(b), 0)).toBeLessThanOrEqual(LIMITS.messageChars);
  expect(visible(message)).toContain('too long to show here');
  expect(message.blocks.some((b) => b.type === 'actions')).toBe(true);
});

test('what a watch tells a customer names no cause and no tenant, whatever the runner said', () => {
  const watch = { label: 'cnv_yo1kg5q', startedBy: 'U0CUSTOMER' };
  const runner = 'cnv_yo1kg5q still fails, now for another cause: token_invalid with tenant acme';
  for (const kind of ['changed', 'expired', 'stopped'] as const) {
    const text = visible(customerWatchNotice(kind, watch, runner));
    expect(text).toContain('<@U0CUSTOMER>');
    expect(text).not.toMatch(/token_invalid|tenant|acme/);
  }
  expect(
    visible(customerWatchNotice('fixed', watch, 'the token is accepted again; cnv_yo1kg5q reads fine.')),
  ).toContain('It works now: the token is accepted again');
});
