import type { FactPath } from '../facts';
import {
  compileRules,
  Program,
  Round,
  TRUE,
  UNDECIDED,
  truthName,
  type CompiledRule,
  type ConditionTrace,
  type Truth,
} from './compile';
import type { Rule } from './schema';
import { CHEAP_FACT_COST, type FactSource } from './source';

export { UNKNOWN, type FactSource, type FactValue } from './source';
export type { ConditionTrace, Truth } from './compile';

export interface RuleEvaluation {
  outcome: Truth;
  /** Every leaf, in the order written. */
  trace: ConditionTrace[];
  /** Unknown facts that could still change the outcome (none once it is true or false). */
  unknownFacts: FactPath[];
  /** Some condition that counts towards the outcome held (see `Round.supports`). */
  anyTrue: boolean;
}

export interface RuleMatch {
  rule: Rule;
  outcome: 'confirmed' | 'possible';
  trace: ConditionTrace[];
  /** For a possible rule, the facts whose checks would decide it. */
  unknownFacts: FactPath[];
}

/** One rule on its own, with every leaf in the trace (`matchRules` builds traces only for what it reports). */
export function evaluateRule(rule: Pick<Rule, 'when'>, source: Pick<FactSource, 'get'>): RuleEvaluation {
  const program = new Program([rule]);
  const compiled = program.rules[0] as CompiledRule<Pick<Rule, 'when'>>;
  const round = new Round(program, source);
  return {
    outcome: truthName(round.truth(compiled.root)),
    trace: round.trace(compiled),
    unknownFacts: round.neededFacts(compiled.root),
    anyTrue: round.supports(compiled.root, TRUE),
  };
}

export interface MatchOptions {
  /** How many times facts are requested from the source at most (default 8). */
  maxRounds?: number;
}

/**
 * Evaluates the rules, asking the source for the facts still-undecided rules need, one batch per round,
 * until nothing more can be learnt. Fallback rules are considered (and their facts resolved) only when
 * no other rule is confirmed or possible. Errors from `source.resolve` propagate: a source is expected to
 * turn a failed probe into facts that stay unknown.
 */
export async function matchRules(rules: Rule[], source: FactSource, opts: MatchOptions = {}): Promise<RuleMatch[]> {
  const program = compileRules(rules);
  const budget = { rounds: opts.maxRounds ?? 8 };
  const requested = new Set<FactPath>();
  const primary = await settle(program, program.primary, source, budget, requested);
  if (primary.length > 0) return primary;
  return settle(program, program.fallback, source, budget, requested);
}

async function settle(
  program: Program,
  rules: CompiledRule[],
  source: FactSource,
  budget: { rounds: number },
  requested: Set<FactPath>,
): Promise<RuleMatch[]> {
  // The early first steps of costly checks (`FactSource.prepare`) started and not yet waited for.
  let preparing: Promise<unknown> | undefined;
  for (;;) {
    const round = new Round(program, source);
    // Most rules are plainly false for a given paste: those cost a few shared node lookups and nothing more.
    let settledOne = false;
    const wanted = new Set<FactPath>();
    const forced = new Set<FactPath>();
    for (const { root } of rules) {
      const result = round.truth(root);
      if (result === TRUE) settledOne = true;
      if (result !== UNDECIDED || budget.rounds <= 0) continue;
      // A fact asked for once is not asked for again: the source has had its chance.
      for (const fact of round.neededFacts(root)) if (!requested.has(fact) && source.canResolve(fact)) wanted.add(fact);
      round.forcedFacts(root, forced);
    }
    // Once a cause is confirmed, costly checks for the still-open rules are not worth the customer's requests.
    const batch = earliestStage(cheapestFirst([...wanted], source, settledOne), forced, source);
    if (batch.length === 0) {
      if (preparing === undefined) return report(round, rules);
      // While this waited, another paste's evaluation may have started a round of its own (rounds share the program's
      // buffers): the report reads the facts again, in a round of its own.
      await preparing;
      return report(new Round(program, source), rules);
    }
    budget.rounds--;
    for (const fact of batch) requested.add(fact);
    const deferred = settledOne ? [] : [...wanted].filter((fact) => !batch.includes(fact));
    preparing = Promise.all([preparing, deferred.length > 0 ? source.prepare?.(deferred) : undefined]);
    // A round that sends nothing (the token's claims) does not wait for early first steps: they run on beside the
    // next round, which does.
    if (batch.every((fact) => (source.cost?.(fact) ?? 1) === 0)) {
      await source.resolve(batch);
      continue;
    }
    await Promise.all([source.resolve(batch), preparing]);
    preparing = undefined;
  }
}

function cheapestFirst(facts: FactPath[], source: FactSource, cheapOnly: boolean): FactPath[] {
  const cost = source.cost?.bind(source);
  if (!cost) return facts;
  const cheap = facts.filter((fact) => cost(fact) <= CHEAP_FACT_COST);
  return cheap.length > 0 || cheapOnly ? cheap : facts;
}

/**
 * Of the facts a round wants, those of the earliest stage (`FactSource.stage`), and any later one some rule cannot
 * be decided without: the earlier answers often make the later requests moot, and a forced one would be asked next
 * round anyway, so it goes now rather than wait. A free stage (nothing to send) goes alone: it answers at once, and
 * what it tells changes what is forced.
 */
function earliestStage(facts: FactPath[], forced: ReadonlySet<FactPath>, source: FactSource): FactPath[] {
  const stage = source.stage?.bind(source);
  if (!stage || facts.length < 2) return facts;
  const first = Math.min(...facts.map(stage));
  const earliest = facts.filter((fact) => stage(fact) === first);
  if (earliest.every((fact) => (source.cost?.(fact) ?? 1) === 0)) return earliest;
  return facts.filter((fact) => stage(fact) === first || forced.has(fact));
}

/** Traces and the facts that would decide are built here, for the few rules reported. */
function report(round: Round, rules: CompiledRule[]): RuleMatch[] {
  const confirmed: RuleMatch[] = [];
  const possible: RuleMatch[] = [];
  for (const compiled of rules) {
    const { rule, root } = compiled;
    const result = round.truth(root);
    if (result === TRUE) confirmed.push({ rule, outcome: 'confirmed', trace: round.trace(compiled), unknownFacts: [] });
    // A contradiction between the paste and a live check is an answer only once the check answered.
    else if (result === UNDECIDED && rule.overruledBy === undefined && round.supports(root, TRUE))
      possible.push({ rule, outcome: 'possible', trace: round.trace(compiled), unknownFacts: round.neededFacts(root) });
  }
  return [...confirmed.sort(byPriority), ...possible.sort(byPriority)];
}

function byPriority(a: RuleMatch, b: RuleMatch): number {
  return b.rule.priority - a.rule.priority || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0);
}
