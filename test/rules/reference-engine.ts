/**
 * The engine as a plain walk over the condition tree: the specification the compiled engine (src/rules/compile.ts)
 * is held to by test/rules/compiled.property.test.ts. Every rule is evaluated on its own, every leaf read through
 * the source, every trace built; slow, and obviously right.
 */
import type { FactPath } from '../../src/facts';
import type { ConditionTrace, Truth } from '../../src/rules/compile';
import type { RuleEvaluation, RuleMatch } from '../../src/rules/engine';
import type { Condition, LeafCondition, Rule } from '../../src/rules/schema';
import { CHEAP_FACT_COST, UNKNOWN, type FactSource, type FactValue } from '../../src/rules/source';

export type { ConditionTrace, Truth } from '../../src/rules/compile';

// The same result shapes as the compiled engine, so the two can be compared with toEqual.
export type { RuleEvaluation, RuleMatch } from '../../src/rules/engine';

type Evaluated =
  | { kind: 'leaf'; condition: LeafCondition; result: Truth }
  | { kind: 'all' | 'any'; children: Evaluated[]; result: Truth }
  | { kind: 'not'; child: Evaluated; result: Truth };

/** Evaluates every leaf (they are cheap: no probe runs here), so the trace is complete. */
export function evaluateRule(rule: Pick<Rule, 'when'>, source: Pick<FactSource, 'get'>): RuleEvaluation {
  const trace: ConditionTrace[] = [];
  const values = new Map<FactPath, FactValue | typeof UNKNOWN>();
  const read = (fact: FactPath): FactValue | typeof UNKNOWN => {
    if (!values.has(fact)) values.set(fact, source.get(fact));
    return values.get(fact);
  };
  const root = evaluate(rule.when, read, trace, false);
  return {
    outcome: root.result,
    trace,
    unknownFacts: [...new Set(neededFacts(root))],
    anyTrue: supports(root, 'true'),
  };
}

function evaluate(
  condition: Condition,
  read: (fact: FactPath) => FactValue | typeof UNKNOWN,
  trace: ConditionTrace[],
  negated: boolean,
): Evaluated {
  if ('all' in condition || 'any' in condition) {
    const kind = 'all' in condition ? 'all' : 'any';
    const children = ('all' in condition ? condition.all : condition.any).map((c) => evaluate(c, read, trace, negated));
    const results = children.map((c) => c.result);
    return { kind, children, result: kind === 'all' ? and(results) : or(results) };
  }
  if ('not' in condition) {
    const child = evaluate(condition.not, read, trace, !negated);
    return { kind: 'not', child, result: invert(child.result) };
  }
  const actual = read(condition.fact);
  const result: Truth = actual === UNKNOWN ? 'unknown' : testLeaf(condition, actual) ? 'true' : 'false';
  trace.push({
    fact: condition.fact,
    op: condition.op,
    expected: condition.value,
    actual: actual === UNKNOWN ? 'unknown' : actual,
    result,
    negated,
  });
  return { kind: 'leaf', condition, result };
}

const FALSE: RuleEvaluation = Object.freeze({ outcome: 'false', trace: [], unknownFacts: [], anyTrue: false });

/** The same three-valued outcome as `evaluate`, short-circuiting and allocating nothing. */
export function truthOf(condition: Condition, source: Pick<FactSource, 'get'>): Truth {
  if ('all' in condition || 'any' in condition) {
    const isAll = 'all' in condition;
    let unknown = false;
    for (const child of isAll ? condition.all : condition.any) {
      const result = truthOf(child, source);
      if (result === (isAll ? 'false' : 'true')) return result;
      if (result === 'unknown') unknown = true;
    }
    return unknown ? 'unknown' : isAll ? 'true' : 'false';
  }
  if ('not' in condition) return invert(truthOf(condition.not, source));
  const actual = source.get(condition.fact);
  return actual === UNKNOWN ? 'unknown' : testLeaf(condition, actual) ? 'true' : 'false';
}

export function and(results: Truth[]): Truth {
  if (results.includes('false')) return 'false';
  return results.includes('unknown') ? 'unknown' : 'true';
}

export function or(results: Truth[]): Truth {
  if (results.includes('true')) return 'true';
  return results.includes('unknown') ? 'unknown' : 'false';
}

export function invert(result: Truth): Truth {
  return result === 'unknown' ? 'unknown' : result === 'true' ? 'false' : 'true';
}

/** A known value against one leaf. Absent facts fail every test but `exists: false`; ill-typed values fail. */
function testLeaf(condition: LeafCondition, actual: FactValue): boolean {
  switch (condition.op) {
    case 'exists':
      return (actual !== undefined) === condition.value;
    case 'equals':
      return actual === condition.value;
    case 'in':
      return !Array.isArray(actual) && actual !== undefined && condition.value.includes(actual);
    case 'matches': {
      const regex = condition.regex;
      if (typeof actual === 'string') return regex.test(actual);
      return Array.isArray(actual) && actual.some((entry) => typeof entry === 'string' && regex.test(entry));
    }
    case 'includes':
      return Array.isArray(actual) && actual.includes(condition.value);
    case 'gt':
      return typeof actual === 'number' && actual > condition.value;
    case 'lt':
      return typeof actual === 'number' && actual < condition.value;
  }
}

/**
 * The unknown facts that could still decide this node. A decided node needs none, which is what
 * short-circuits probing: a false child of `all` (or a true child of `any`) makes its siblings moot.
 * Collected into one array: every rule is evaluated on every paste, and `flatMap` here cost more than the
 * rest of the evaluation (see the benchmark's paste throughput).
 */
function neededFacts(node: Evaluated, into: FactPath[] = []): FactPath[] {
  if (node.result !== 'unknown') return into;
  if (node.kind === 'leaf') into.push(node.condition.fact);
  else if (node.kind === 'not') neededFacts(node.child, into);
  else for (const child of node.children) neededFacts(child, into);
  return into;
}

/**
 * Whether something known points towards `want` for this node: a leaf with that result, reached
 * without passing through a branch already decided the other way. `not` flips what is wanted, so in
 * `not: {any: [A, B]}` a false A counts. A possible rule is reported only when this holds for its root:
 * otherwise nothing in the paste suggests it, and listing it would be noise.
 */
function supports(node: Evaluated, want: 'true' | 'false'): boolean {
  if (node.result === want) return true;
  if (node.result !== 'unknown') return false;
  switch (node.kind) {
    case 'leaf':
      return false;
    case 'not':
      return supports(node.child, want === 'true' ? 'false' : 'true');
    default:
      return node.children.some((child) => child.result !== invert(want) && supports(child, want));
  }
}

export interface MatchOptions {
  /** How many times facts are requested from the source at most (default 6). */
  maxRounds?: number;
}

/**
 * Evaluates the rules, asking the source for the facts still-undecided rules need, one batch per round,
 * until nothing more can be learnt. Fallback rules are considered (and their facts resolved) only when
 * no other rule is confirmed or possible. Errors from `source.resolve` propagate: a source is expected to
 * turn a failed probe into facts that stay unknown.
 */
export async function matchRules(rules: Rule[], source: FactSource, opts: MatchOptions = {}): Promise<RuleMatch[]> {
  const budget = { rounds: opts.maxRounds ?? 8 };
  const requested = new Set<FactPath>();
  const primary = await settle(
    rules.filter((r) => !r.fallback),
    source,
    budget,
    requested,
  );
  if (primary.length > 0) return primary;
  return settle(
    rules.filter((r) => r.fallback),
    source,
    budget,
    requested,
  );
}

async function settle(
  rules: Rule[],
  source: FactSource,
  budget: { rounds: number },
  requested: Set<FactPath>,
): Promise<RuleMatch[]> {
  for (;;) {
    // Most rules are plainly false for a given paste: settle those without building their trace.
    const evaluations = rules.map((rule) => ({
      rule,
      evaluation: truthOf(rule.when, source) === 'false' ? FALSE : evaluateRule(rule, source),
    }));
    const wanted = new Set<FactPath>();
    if (budget.rounds > 0) {
      for (const { evaluation } of evaluations) {
        if (evaluation.outcome !== 'unknown') continue;
        // A fact asked for once is not asked for again: the source has had its chance.
        for (const fact of evaluation.unknownFacts)
          if (!requested.has(fact) && source.canResolve(fact)) wanted.add(fact);
      }
    }
    // Once a cause is confirmed, costly checks for the still-open rules are not worth the customer's requests.
    const settledOne = evaluations.some(({ evaluation }) => evaluation.outcome === 'true');
    const batch = cheapestFirst([...wanted], source, settledOne);
    if (batch.length === 0) return report(evaluations);
    budget.rounds--;
    for (const fact of batch) requested.add(fact);
    const deferred = settledOne ? [] : [...wanted].filter((fact) => !batch.includes(fact));
    await Promise.all([source.resolve(batch), deferred.length > 0 ? source.prepare?.(deferred) : undefined]);
  }
}

function cheapestFirst(facts: FactPath[], source: FactSource, cheapOnly: boolean): FactPath[] {
  const cost = source.cost?.bind(source);
  if (!cost) return facts;
  const cheap = facts.filter((fact) => cost(fact) <= CHEAP_FACT_COST);
  return cheap.length > 0 || cheapOnly ? cheap : facts;
}

function report(evaluations: { rule: Rule; evaluation: RuleEvaluation }[]): RuleMatch[] {
  const confirmed: RuleMatch[] = [];
  const possible: RuleMatch[] = [];
  for (const { rule, evaluation } of evaluations) {
    const { trace, unknownFacts } = evaluation;
    if (evaluation.outcome === 'true') confirmed.push({ rule, outcome: 'confirmed', trace, unknownFacts: [] });
    else if (evaluation.outcome === 'unknown' && evaluation.anyTrue)
      possible.push({ rule, outcome: 'possible', trace, unknownFacts });
  }
  return [...confirmed.sort(byPriority), ...possible.sort(byPriority)];
}

function byPriority(a: RuleMatch, b: RuleMatch): number {
  return b.rule.priority - a.rule.priority || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0);
}
