import { z } from 'zod';
import { CONDITION_NAME } from './expression';
import { isRecord } from '../is-record';
import { FACTS, PROBE_IDS, isFactPath, type FactPath, type FactType, type ProbeId } from '../facts';
import { compileRegex, regexError } from './regex';
import type { FactValue } from './source';
import { didYouMean } from './suggest';
import { templateFields } from './template';
import { OWNER_FIELD, TRAITS, type Trait } from './cause-set';

export type Scalar = string | number | boolean;

export const OPERATORS = ['equals', 'in', 'matches', 'exists', 'includes', 'gt', 'lt'] as const;
export type Operator = (typeof OPERATORS)[number];

/** A test of one fact, normalised from `{ fact, <operator>: value }`. */
export type LeafCondition =
  | { fact: FactPath; op: 'equals'; value: Scalar }
  | { fact: FactPath; op: 'in'; value: Scalar[] }
  | { fact: FactPath; op: 'matches'; value: string; regex: RegExp }
  | { fact: FactPath; op: 'exists'; value: boolean }
  | { fact: FactPath; op: 'includes'; value: string }
  | { fact: FactPath; op: 'gt' | 'lt'; value: number };

export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

/**
 * A condition as written: it may also be a line of logic over named conditions (`a and not b`), which the
 * loader resolves against the rule set's named conditions once every file is read.
 */
export type ConditionDraft =
  | LeafCondition
  | { all: ConditionDraft[] }
  | { any: ConditionDraft[] }
  | { not: ConditionDraft }
  | { expression: string };

const COMBINATORS = ['all', 'any', 'not'] as const;
const FACT_PATHS = Object.keys(FACTS);

function factType(path: FactPath): FactType {
  return FACTS[path].type;
}

type Ctx = z.core.$RefinementCtx;

function issue(ctx: Ctx, message: string, path: (string | number)[] = []): void {
  ctx.addIssue({ code: 'custom', message, path, input: undefined });
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `${typeof value} ${JSON.stringify(value)}`;
}

// Conditions: one strict object carries every possible key so that an error names the key at fault
// ("one operator per condition") instead of zod's "no union member matched".

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });

export const conditionSchema: z.ZodType<ConditionDraft> = z.lazy(() =>
  z.preprocess(
    // A bare string is a line of logic over named conditions; zod's union would bury the object branch's errors.
    (value) => (typeof value === 'string' ? { expression: value } : value),
    rawCondition.superRefine(checkCondition, { when: (payload) => isRecord(payload.value) }).transform(toCondition),
  ),
);

const notACondition = (i: { code: string; input?: unknown }) =>
  i.code === 'invalid_type' && i.input !== undefined
    ? `a condition is a mapping ({ fact, <operator> }, or all / any / not)${Array.isArray(i.input) ? '; to require every condition of a list, put it under "all:"' : ''}`
    : undefined;

const rawCondition = z
  .object(
    {
      fact: z.string().optional(),
      equals: scalar.optional(),
      in: z.array(scalar).min(1, 'in needs at least one value').optional(),
      matches: z.string().optional(),
      exists: z.boolean().optional(),
      includes: z.string().optional(),
      gt: z.number().optional(),
      lt: z.number().optional(),
      all: z.array(conditionSchema).min(1, 'all needs at least one condition').optional(),
      any: z.array(conditionSchema).min(1, 'any needs at least one condition').optional(),
      not: conditionSchema.optional(),
      expression: z.string().optional(),
    },
    { error: notACondition },
  )
  .strict();

type RawCondition = z.infer<typeof rawCondition>;

// Runs even when a child already failed (the `when` above), so that every mistake is reported at once;
// hence the defensive typeof checks on fields that may be ill-typed.
function checkCondition(value: Record<string, unknown>, ctx: Ctx): void {
  if (value.expression !== undefined) return;
  const operators = OPERATORS.filter((op) => value[op] !== undefined);
  const combinators = COMBINATORS.filter((key) => value[key] !== undefined);
  const hasFact = value.fact !== undefined;

  if (combinators.length > 0) {
    const [first, ...rest] = combinators;
    const extra = [...rest, ...(hasFact ? ['fact'] : []), ...operators];
    for (const key of extra)
      issue(ctx, `"${key}" cannot sit next to "${first}" in one condition; nest it in its own list entry`, [key]);
    return;
  }
  if (!hasFact) {
    if (operators.length > 0) for (const op of operators) issue(ctx, `"${op}" needs a "fact" next to it`, [op]);
    else issue(ctx, 'a condition needs "fact" with one operator, or "all", "any" or "not"');
    return;
  }
  const [operator, ...others] = operators;
  for (const op of others)
    issue(ctx, `one operator per condition ("${operator}" and "${op}"); combine conditions with "all"`, [op]);
  if (typeof value.fact !== 'string') return;
  if (!isFactPath(value.fact)) {
    issue(
      ctx,
      `unknown fact path "${value.fact}"${didYouMean(value.fact, FACT_PATHS)} (\`front-why rules facts\` lists them)`,
      ['fact'],
    );
    return;
  }
  if (operator === undefined) {
    issue(ctx, `fact "${value.fact}" needs one operator: ${OPERATORS.join(', ')}`, ['fact']);
    return;
  }
  checkOperator(value.fact, operator, value[operator], ctx);
}

function checkOperator(fact: FactPath, op: Operator, operand: unknown, ctx: Ctx): void {
  const type = factType(fact);
  switch (op) {
    case 'equals':
    case 'in':
      if (type === 'string[]') issue(ctx, `"${fact}" is a list: use includes (one value) or matches, not ${op}`, [op]);
      else if (op === 'equals') checkScalarType(fact, type, op, operand, [op], ctx);
      else if (Array.isArray(operand)) operand.forEach((v, i) => checkScalarType(fact, type, op, v, [op, i], ctx));
      return;
    case 'matches':
      if (type !== 'string' && type !== 'string[]')
        issue(ctx, `matches needs a text fact; "${fact}" is a ${type} (use equals or in)`, [op]);
      else if (typeof operand === 'string') {
        const reason = regexError(operand);
        if (reason !== undefined) issue(ctx, `regular expression does not compile: ${reason}`, [op]);
      }
      return;
    case 'includes':
      if (type !== 'string[]') issue(ctx, `includes needs a list fact; "${fact}" is a ${type} (use equals)`, [op]);
      return;
    case 'gt':
    case 'lt':
      if (type !== 'number') issue(ctx, `${op} needs a number fact; "${fact}" is a ${type}`, [op]);
      return;
    case 'exists':
      return;
  }
}

function checkScalarType(
  fact: FactPath,
  type: FactType,
  op: string,
  operand: unknown,
  path: (string | number)[],
  ctx: Ctx,
): void {
  if (operand !== undefined && typeof operand !== type) {
    issue(ctx, `"${fact}" is a ${type}, so ${op} needs a ${type}, got ${describeValue(operand)}`, path);
  }
}

function toCondition(raw: RawCondition): ConditionDraft {
  if (raw.expression !== undefined) return { expression: raw.expression };
  if (raw.all !== undefined) return { all: raw.all };
  if (raw.any !== undefined) return { any: raw.any };
  if (raw.not !== undefined) return { not: raw.not };
  // checkCondition guaranteed a known fact with exactly one operator.
  const fact = raw.fact as FactPath;
  if (raw.equals !== undefined) return { fact, op: 'equals', value: raw.equals };
  if (raw.in !== undefined) return { fact, op: 'in', value: raw.in };
  if (raw.matches !== undefined) return { fact, op: 'matches', value: raw.matches, regex: compileRegex(raw.matches) };
  if (raw.exists !== undefined) return { fact, op: 'exists', value: raw.exists };
  if (raw.includes !== undefined) return { fact, op: 'includes', value: raw.includes };
  if (raw.gt !== undefined) return { fact, op: 'gt', value: raw.gt };
  return { fact, op: 'lt', value: raw.lt ?? Number.NaN };
}

const template = z.string().superRefine((text, ctx) => {
  for (const path of templateFields(text)) {
    if (!isFactPath(path)) issue(ctx, `unknown fact path "{{${path}}}" in text${didYouMean(path, FACT_PATHS)}`);
  }
});

/**
 * A line of text, shown only when its condition holds. The condition may use named conditions, fact tests and
 * the diagnosis's own state (`confirmed`, `possible`); an unknown condition does not show the line.
 */
export interface TextLineDraft {
  text: string;
  if?: ConditionDraft;
}

const oneLine = (what: string) => (text: string) => !text.trim().includes('\n') || `${what} is one line`;

const textLine = (what?: string) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? { text: value } : value),
    z
      .object(
        {
          text:
            what === undefined ? template : template.refine((t) => oneLine(what)(t) === true, `${what} is one line`),
          if: conditionSchema.optional(),
        },
        {
          error: (i) =>
            i.code === 'invalid_type' && i.input !== undefined
              ? 'a line of text, or { if: <condition>, text: <text> }'
              : undefined,
        },
      )
      .strict(),
  ) as z.ZodType<TextLineDraft>;

/** Text as one string, or as a list of (conditional) lines. */
const lines = (what?: string) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? [value] : value),
    z.array(textLine(what)).min(1, 'needs at least one line'),
  );

/** The first line whose condition holds is the headline, so the last must hold always. */
const headline = lines('headline').refine((alternatives) => alternatives[alternatives.length - 1]?.if === undefined, {
  message: 'the last headline line must have no "if", so that some headline always shows',
});

/**
 * Words the customer's line of what happened never uses: it is read by the customer's people, who have no front-why
 * and no access to how it checks. They are the agent's vocabulary (`test/slack/customer-answer.test.ts` checks the
 * rendered answer too).
 */
export const AGENT_ONLY_WORDS: readonly { pattern: RegExp; say: string }[] = [
  { pattern: /front-why/i, say: "front-why is the vendor's tool" },
  { pattern: /\bprobes?\b/i, say: 'say "a check" instead of "probe"' },
  { pattern: /\bnamespaces?\b/i, say: 'say "private resources" or "shared resources" instead of "namespace"' },
  { pattern: /\bscope claims?\b|\bclaims\b/i, say: 'say what the token includes instead of its claims' },
  { pattern: /\brules?\b/i, say: 'the reader does not know the rules' },
  { pattern: /\btenants?\b/i, say: '"tenant" is the vendor\'s word' },
  { pattern: /\bGET \//, say: 'name what was read, not the request' },
  { pattern: /\bthe customer\b/i, say: 'the line is addressed to the customer: say "you" or "your"' },
  {
    pattern: /\b(?:connected|stored) here\b|\bstored token\b/i,
    say: 'the customer does not know which token was connected',
  },
  { pattern: /\bevidence\b|\branked\b/i, say: 'evidence and ranking are for the agent' },
];

/** The first agent-only word in a line of what happened, with what to say instead. */
export function agentOnlyWord(text: string): string | undefined {
  for (const { pattern, say } of AGENT_ONLY_WORDS) {
    const found = text.match(pattern);
    if (found) return `"${found[0]}" is for the agent, not the customer: ${say}`;
  }
  return undefined;
}

/** The customer's line of what happened: like the headline, the first line that holds; in their words. */
const whatHappened = lines('what_happened')
  .refine((alternatives) => alternatives[alternatives.length - 1]?.if === undefined, {
    message: 'the last what_happened line must have no "if", so that some line always shows',
  })
  .superRefine((alternatives, ctx) => {
    alternatives.forEach((line, i) => {
      const word = typeof line?.text === 'string' ? agentOnlyWord(line.text) : undefined;
      if (word) issue(ctx, word, [i, 'text']);
    });
  });

const steps = z
  .object({
    agent: z.array(textLine()).default([]),
    teammate: z.array(textLine()).default([]),
    admin: z.array(textLine()).default([]),
  })
  .strict()
  .refine(
    (s) => s.agent.length + s.teammate.length + s.admin.length > 0,
    'at least one audience (agent, teammate, admin) needs a step',
  );

const link = z
  .object({
    title: template,
    url: z.string().regex(/^https:\/\/[^\s]+$/, 'links need an https:// URL'),
  })
  .strict();

/**
 * One of Front's wordings, as the paste reader looks for it (src/input/wordings.ts): the words, the status Front
 * answers with them, whether only Front writes them (then no status need stand beside them), and where it was seen.
 */
const wording = z
  .object({
    pattern: z.string().superRefine((pattern, ctx) => {
      const problem = regexError(pattern);
      if (problem) issue(ctx, `pattern does not compile: ${problem}`);
      else if (compileRegex(pattern).test('')) issue(ctx, 'pattern matches the empty text');
      // Every wording is searched in one alternation, each in a group of its own: numbered or named references
      // would point at another wording's groups.
      else if (/\\[1-9]|\\k<|\(\?<(?![=!])/.test(pattern))
        issue(ctx, 'a wording pattern has no named groups or back-references');
    }),
    status: z.number().int().min(300, 'status is 300–599').max(599, 'status is 300–599').optional(),
    front_only: z.boolean().default(false),
    source: z.string().trim().min(1, 'source says where Front (or an integration) was seen writing it'),
  })
  .strict();

const exampleFactValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()], {
  error: 'expected a string, number, boolean, list of strings, or null (checked and absent)',
});

/** Probe facts as the probes would report them; `null` means "checked, and absent". */
const exampleFacts = z
  .record(z.string(), exampleFactValue)
  .superRefine(
    (facts, ctx) => {
      for (const [path, value] of Object.entries(facts)) {
        if (!isFactPath(path)) {
          issue(ctx, `unknown fact path "${path}"${didYouMean(path, FACT_PATHS)}`, [path]);
          continue;
        }
        const spec = FACTS[path];
        if (spec.source === 'paste') {
          issue(ctx, `"${path}" comes from the paste: put it in paste, not facts`, [path]);
          continue;
        }
        if (value !== null && value !== undefined && !hasType(value, spec.type)) {
          issue(ctx, `"${path}" is a ${spec.type}, got ${describeValue(value)}`, [path]);
        }
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform((facts) => {
    const out: Record<string, FactValue> = {};
    for (const [path, value] of Object.entries(facts)) out[path] = value ?? undefined;
    return out;
  });

function hasType(value: unknown, type: FactType): boolean {
  if (type === 'string[]') return Array.isArray(value) && value.every((v) => typeof v === 'string');
  return typeof value === type;
}

/**
 * One test of a rule, in the rule's `<id>.test.yml`: a paste (or the name of a shared one), probe facts (stated
 * here, or named fact sets from the shared fixtures), and what the rule must make of them.
 */
export const ruleTestSchema = z
  .object({
    paste: z.string().optional(),
    pasted: z.string().optional(),
    with: z.array(z.string()).default([]),
    facts: exampleFacts.default({}),
    expect: z.enum(['confirmed', 'possible', 'none']).default('confirmed'),
    variant: z.string().optional(),
    headline_contains: z.string().optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if ((t.paste === undefined) === (t.pasted === undefined)) {
      issue(ctx, 'a test has "paste" (the text itself) or "pasted" (the name of a shared paste), not both or neither');
    }
    if (t.expect === 'none' && (t.variant !== undefined || t.headline_contains !== undefined)) {
      issue(ctx, 'a test that expects none cannot name a variant or a headline', ['expect']);
    }
  });

export const ruleTestFileSchema = z.array(ruleTestSchema).min(1, 'a test file needs at least one test');

/** `fixtures/pastes.yml` names pastes, `fixtures/facts.yml` names fact sets; tests use them by name. */
export const pasteFixturesSchema = z.record(z.string(), z.string());
export const factFixturesSchema = z.record(z.string(), exampleFacts);

export type RuleTestDraft = z.infer<typeof ruleTestSchema>;

export const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A rule's id names its cause: `rate-limited` is the cause `rate_limited`. */
export function causeOfId(id: string): string {
  return id.replaceAll('-', '_');
}

const priority = z.number().int('priority is a whole number').min(0, 'priority is 0–100').max(100, 'priority is 0–100');
const confidence = z.enum(['high', 'medium', 'low']);

/**
 * The live check whose answer contradicts what the paste claims, for a rule (or variant) that is itself that
 * contradiction: "the stored token works (me) while the paste says 401". Outputs say which check overruled the paste.
 */
const overruledBy = z.enum(PROBE_IDS);

/** One way a cause shows: its own conditions, and where it differs from the rule's, its own priority and confidence. */
const variant = z
  .object({
    when: conditionSchema,
    priority: priority.optional(),
    confidence: confidence.optional(),
    overruled_by: overruledBy.optional(),
  })
  .strict();

export { OWNER_FIELD, TRAITS, type Trait };

const watchText = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is a line of text`)
    .refine((t) => !t.includes('\n'), `${what} is one line`);

/** What a watch of a diagnosis naming this cause does and says (see docs/writing-rules.md). */
const watchSchema = z
  .object({
    /** Said when the watched target reads fine: what visibly changed ("the token is accepted again"). */
    fixed: watchText('watch.fixed').optional(),
    /** The same, when the diagnosis named whose resources were refused: it says {{owner}}. */
    fixed_for_owner: watchText('watch.fixed_for_owner')
      .refine((t) => t.includes(OWNER_FIELD), `watch.fixed_for_owner says whose: put ${OWNER_FIELD} in it`)
      .optional(),
    /** Comes and goes with Front's load or this host's network: a re-check that meets it learnt nothing. */
    transient: z.boolean().default(false),
  })
  .strict();

/**
 * The schema of one rule file, built once: the rule set is checked with it file after file. That `id` equals the
 * file's name is checked by the loader (see `idMismatch`).
 */
function makeRuleSchema() {
  const id = z.string().regex(RULE_ID, 'id is lowercase letters, digits and dashes');
  return (
    z
      .object({
        id,
        priority: priority.optional(),
        confidence: confidence.optional(),
        overruled_by: overruledBy.optional(),
        supersedes: z.array(z.string().regex(RULE_ID, 'a rule id is lowercase letters, digits and dashes')).optional(),
        fallback: z.boolean().default(false),
        when: conditionSchema.optional(),
        variants: z.record(z.string(), variant).optional(),
        conditions: z.record(z.string(), conditionSchema).default({}),
        headline,
        what_happened: whatHappened.optional(),
        why: lines(),
        steps,
        links: z.array(link).default([]),
        wordings: z.array(wording).default([]),
        customer_can_fix: z.boolean({
          error: (i) =>
            i.input === undefined
              ? 'missing required key "customer_can_fix": true when the customer can fix the cause on their side (the answer then offers "Watch until fixed"), false otherwise'
              : 'customer_can_fix is true or false',
        }),
        watch: watchSchema.optional(),
        traits: z.array(z.enum(TRAITS)).default([]),
      })
      .strict()
      // Runs even when other keys failed, so that every mistake is reported at once; hence the defensive checks.
      .superRefine(checkWhenAndVariants, { when: (payload) => isRecord(payload.value) })
  );
}

function checkWhenAndVariants(rule: Record<string, unknown>, ctx: Ctx): void {
  checkWatch(rule, ctx);
  if ((rule.when === undefined) === (rule.variants === undefined)) {
    if (rule.when === undefined) issue(ctx, 'missing required key "when" (or "variants", each with its own "when")');
    else issue(ctx, 'write "when" in each variant, not next to "variants"', ['when']);
  }
  const variants = isRecord(rule.variants) ? Object.entries(rule.variants) : [];
  for (const key of ['priority', 'confidence'] as const) {
    if (rule[key] !== undefined) continue;
    if (variants.length === 0) issue(ctx, `missing required key "${key}"`);
    for (const [name, v] of variants) {
      if (isRecord(v) && v[key] === undefined)
        issue(ctx, `missing required key "${key}" (for variant "${name}", or once for the whole rule)`, [
          'variants',
          name,
        ]);
    }
  }
  for (const [name] of variants)
    if (!CONDITION_NAME.test(name))
      issue(ctx, `variant names are lowercase words joined by dashes ("${name}")`, ['variants', name]);
}

/** A cause the customer can fix offers a watch, and the thread must then be told in words what the fix changed. */
function checkWatch(rule: Record<string, unknown>, ctx: Ctx): void {
  const watch = isRecord(rule.watch) ? rule.watch : undefined;
  if (rule.customer_can_fix === true && watch?.fixed === undefined)
    issue(
      ctx,
      'customer_can_fix: true offers "Watch until fixed", so say what the thread is told when it is fixed: watch: { fixed: \'<what changed>\' }',
      watch ? ['watch'] : ['customer_can_fix'],
    );
  if (rule.customer_can_fix === false && watch !== undefined && (watch.fixed ?? watch.fixed_for_owner) !== undefined)
    issue(ctx, 'watch.fixed is said only for a cause the customer can fix (customer_can_fix: true)', ['watch']);
}

export const ruleSchema = makeRuleSchema();

/** A rule as its file states it; its conditions may still use names. */
export type RuleDraft = z.infer<typeof ruleSchema>;

/** One of Front's wordings a rule states, compiled (the paste reader's `Wording`). */
export interface RuleWording {
  pattern: RegExp;
  status?: number;
  frontOnly: boolean;
  source: string;
}

/** A line of text with its condition resolved once for each state the diagnosis can be in. */
export interface TextLine {
  text: string;
  if?: { confirmed: Condition; possible: Condition };
}

/**
 * A loaded rule, ready for the engine: every named condition inlined. A rule file with variants loads as one
 * rule per variant, sharing the id and cause, each with its text resolved for that variant.
 */
/** What a rule file declares about its cause beyond its text; every variant of the rule shares it. */
export interface CauseDeclaration {
  /** The customer can fix it on their side: an answer naming it (confirmed, live) offers "Watch until fixed". */
  customerCanFix: boolean;
  watch: {
    fixed?: string;
    /** With {{owner}} for the teammate named. */
    fixedForOwner?: string;
    transient: boolean;
  };
  traits: readonly Trait[];
}

export interface Rule {
  id: string;
  /** The file it was read from, as messages name it. */
  file?: string;
  cause: string;
  declared: CauseDeclaration;
  variant?: string;
  priority: number;
  confidence: 'high' | 'medium' | 'low';
  /** The live check that overrules the paste when this rule holds (see `overruled_by`). */
  overruledBy?: ProbeId;
  /**
   * Rules (by id) this one takes the place of, for the same error, when it is confirmed: they read the same live
   * answer in a way the paste contradicts (a 404 read as "wrong ID" while the paste shows Front refusing the ID).
   */
  supersedes?: string[];
  fallback: boolean;
  when: Condition;
  headline: TextLine[];
  /** What happened, in the customer's words (the customer answer opens with it); the first line that holds. */
  whatHappened?: TextLine[];
  why: TextLine[];
  steps: Record<'agent' | 'teammate' | 'admin', TextLine[]>;
  links: { title: string; url: string }[];
  /** Front wordings this rule is about, for the paste reader. */
  wordings: RuleWording[];
}

/** Every key the format knows, for "did you mean" on an unknown one. */
export const KNOWN_KEYS = [
  ...Object.keys(ruleSchema.shape),
  ...Object.keys(rawCondition.shape).filter((key) => key !== 'expression'),
  ...Object.keys(steps.shape),
  ...Object.keys(wording.shape),
  ...Object.keys(watchSchema.shape),
  'title',
  'url',
  'text',
  'if',
  ...Object.keys(ruleTestSchema.shape),
];
