import { PROBE_DESCRIPTIONS, factSource, isFactPath, type FactPath, type ProbeId } from '../facts';
import type { FrontIdRef, Observation, ParseResult } from '../input';
import type { ConditionTrace, FactSource, Rule, RuleMatch } from '../rules';
// By module, not through the rules' index: a paste explained loads the engine, not the loader and its schemas.
import { declarationOf } from '../rules/cause-set';
import { matchRules } from '../rules/engine';
import { renderRuleText, textFacts } from '../rules/text';
import type { FrontGateway, TeammateMemory } from '../probes';
import type { ResourceRef, TokenInfo } from '../front';
import type { ProbeRun } from '../probes/run';
// By module, not through the indexes: explaining a paste loads neither Front's HTTP client nor its rate budgets.
import { parseFrontId } from '../front/ids';
import { resourceId } from '../front/resources';
import { createFactSource } from './fact-source';
import { ownerFinding } from './owner';
import { bareIds, bareTarget, pasteFacts, targetOf, type Target } from './paste-facts';
import { lowered, rankByEvidence } from './ranking';
import type { Diagnosis, Evidence } from './types';
import { parsePaste, wordingsOfRules } from './wordings';

/** A pasted log may hold many errors; each costs probes, so only the first few are diagnosed. */
export const MAX_ERRORS_PER_PASTE = 5;
/** A message listing many IDs (conversations, tags, …) gets one combined reply about the first few. */
export const MAX_BARE_TARGETS = 3;

export interface LiveAccess {
  gateway: FrontGateway;
  token: TokenInfo;
  /** Requests one diagnosis may send to Front. */
  maxCalls?: number;
  /** Time for every check of one diagnosis. */
  timeoutMs?: number;
  /** The tenant's teammate map (src/diagnosis/teammate-map.ts), read before a sweep and written by every check. */
  teammates?: TeammateMemory;
}

export interface DiagnoseDeps {
  rules: Rule[];
  /** Absent: explain from the paste alone. */
  live?: LiveAccess;
  clock?: () => number;
}

export type DiagnoseOutcome =
  | {
      ok: true;
      diagnoses: Diagnosis[];
      /** The conversations looked at. */
      targets: string[];
      /** Whether the paste held a Front error at all. */
      sawError: boolean;
      live: boolean;
      /** Requests sent to Front in all. */
      calls: number;
      /** Requests sent before the causes were decided (the rest named the people involved). */
      callsToDecide: number;
      /** The longest chain of requests that each waited for the one before (see ProbeRun.depth). */
      depth: number;
      /** Every live check made, for "what was checked". */
      checks: Evidence[];
      /** The pasted errors only the `unknown` rule answered: the wordings no rule knows yet. */
      unexplained?: Observation[];
    }
  | { ok: false; message: string };

export async function diagnose(text: string, deps: DiagnoseDeps): Promise<DiagnoseOutcome> {
  return diagnoseParsed(parsePaste(text, { wordings: wordingsOfRules(deps.rules) }), deps);
}

let probeRunClass: typeof ProbeRun | undefined;

/**
 * Required for the first live check: a paste explained offline never runs a probe. Kept once required: each
 * `require` resolves its path again, which costs every diagnosis an allocation.
 */
function probeRun(): typeof ProbeRun {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  probeRunClass ??= (require('../probes/run') as typeof import('../probes/run')).ProbeRun;
  return probeRunClass;
}

/** `diagnose` of a paste already read: a caller that looks at one paste twice (offline, then live) reads it once. */
export async function diagnoseParsed(parsed: ParseResult, deps: DiagnoseDeps): Promise<DiagnoseOutcome> {
  if (!parsed.ok) return { ok: false, message: parsed.message };

  const clock = deps.clock ?? Date.now;
  // Offline nothing waits on the clock.
  const deadline = deps.live ? clock() + (deps.live.timeoutMs ?? 10_000) : Infinity;
  const units = unitsOf(parsed.errors, parsed.ids);
  const runs = new Map<string, ProbeRun>();
  const runFor = (target: string | undefined, resource: ResourceRef | undefined): ProbeRun | undefined => {
    if (!deps.live) return undefined;
    const key = resource
      ? `${resource.kind} ${resourceId(resource)} ${'listing' in resource ? resource.listing : ''}`
      : (target ?? '');
    let run = runs.get(key);
    if (!run) {
      run = new (probeRun())({
        gateway: deps.live.gateway,
        token: deps.live.token,
        target,
        resource,
        deadline,
        maxCalls: deps.live.maxCalls ?? 12,
        clock,
        ...(deps.live.teammates ? { teammates: deps.live.teammates } : {}),
      });
      runs.set(key, run);
    }
    return run;
  };

  const decided = await Promise.all(
    units.map(async ({ observation, bare, found, target, resource }) => {
      const probes = runFor(target, resource);
      const source = createFactSource(pasteFacts(observation, parsed.ids, parsed, bare, found), probes);
      // Offline nothing can be learnt: no round asks the source for facts, so the facts that would decide are
      // worked out only for the rules reported as possible.
      const matches = keepConfirmedIfAny(await matchRules(deps.rules, source, probes ? {} : { maxRounds: 0 }));
      return { matches, source, probes, target: target ?? (resource ? resourceId(resource) : undefined) };
    }),
  );
  const runList = [...runs.values()];
  const callsToDecide = runList.reduce((sum, run) => sum + run.calls, 0);

  // Only now, with the causes decided, spend (bounded) calls on what the replies mention: who to ask.
  const perUnit = await Promise.all(
    decided.map(async ({ matches, source, probes, target }) => {
      // Offline there is nothing left to learn (and scanning every template of every match costs).
      if (probes) {
        const wanted = mentionedFacts(matches, source).filter((path) => source.canResolve(path));
        if (wanted.length > 0) await source.resolve(wanted);
      }
      const diagnoses = matches.map((match) => toDiagnosis(match, source, probes, target, deps.live !== undefined));
      return rankByEvidence(diagnoses, source, (cause) => declarationOf(deps.rules, cause)?.traits ?? []);
    }),
  );

  // Offline there is no run to wait for.
  if (runList.length > 0) await Promise.all(runList.map((run) => run.idle()));
  return {
    ok: true,
    diagnoses: dedupe(([] as Diagnosis[]).concat(...perUnit)),
    targets: unique(
      units
        .map((u) => u.target ?? (u.resource ? resourceId(u.resource) : undefined))
        .filter((t): t is string => t !== undefined),
    ),
    sawError: parsed.errors.length > 0,
    live: deps.live !== undefined,
    calls: runList.reduce((sum, run) => sum + run.calls, 0),
    callsToDecide,
    depth: Math.max(0, ...runList.map((run) => run.depth)),
    checks: runList.flatMap((run) => run.evidence),
    unexplained: units
      .filter((unit, i) => unit.observation && perUnit[i]?.some((d) => d.cause === 'unknown'))
      .map((unit) => unit.observation as Observation),
  };
}

interface Unit {
  observation?: Observation;
  /** Without an error: the bare ID this unit checks. */
  bare?: string;
  /** What the error (or the bare ID) is about, as its paste facts tell it. */
  found: Target;
  /** The conversation to read. */
  target?: string;
  /** Or the other private resource to read. */
  resource?: ResourceRef;
}

function unitsOf(errors: Observation[], ids: FrontIdRef[]): Unit[] {
  if (errors.length > 0) {
    return errors.slice(0, MAX_ERRORS_PER_PASTE).map((observation) => {
      const found = targetOf(observation, ids);
      return { observation, found, target: validTarget(found.conversation), resource: found.resource };
    });
  }
  // A bare ID of anything that can be private is checked the way its refusal would be: `cnv_…` or `tag_…` alike.
  return bareIds(ids)
    .slice(0, MAX_BARE_TARGETS)
    .map((id) => {
      const found = bareTarget(id);
      return { bare: id, found, target: validTarget(found.conversation), resource: found.resource };
    });
}

/** Only an ID in Front's exact format is ever put into a request path. */
function validTarget(id: string | undefined): string | undefined {
  return id !== undefined && parseFrontId(id, 'cnv').ok ? id : undefined;
}

/**
 * Causes that say the live checks could not run from here: confirming one decides nothing about the paste, so
 * the paste's own possible causes stay beside it.
 */
const CHECKS_DID_NOT_RUN: ReadonlySet<string> = new Set(['bot_cannot_reach_front']);

/**
 * Once a cause is confirmed, the merely possible ones would only distract (and may be exactly what was ruled out);
 * and a confirmed rule that supersedes others (it reads the same live answer the way the paste allows) hides them.
 */
function keepConfirmedIfAny(matches: RuleMatch[]): RuleMatch[] {
  const deciding = (m: RuleMatch) => m.outcome === 'confirmed' && !CHECKS_DID_NOT_RUN.has(m.rule.cause);
  const kept = matches.some(deciding) ? matches.filter((m) => m.outcome === 'confirmed') : matches;
  const superseded = new Set(kept.filter((m) => m.outcome === 'confirmed').flatMap((m) => m.rule.supersedes ?? []));
  return superseded.size === 0 ? kept : kept.filter((m) => !superseded.has(m.rule.id));
}

function toDiagnosis(
  match: RuleMatch,
  source: FactSource,
  probes: ProbeRun | undefined,
  target: string | undefined,
  live: boolean,
): Diagnosis {
  const { rule } = match;
  const shown = pasteEvidence(match.trace);
  const owner = ownerFinding(rule.declared.traits, match.outcome, target, source);
  return {
    cause: rule.cause,
    rule: rule.id,
    ...(rule.variant ? { variant: rule.variant } : {}),
    status: match.outcome,
    confidence: match.outcome === 'confirmed' ? rule.confidence : lowered(rule.confidence),
    ...renderRuleText(rule, source, match.outcome),
    evidence: probes?.evidence.length
      ? uniqueBy([...shown, ...probes.evidence], (e) => `${e.source}|${e.check}|${e.result}`)
      : shown,
    decidedBy: match.outcome === 'possible' ? decidingChecks(match.unknownFacts, live) : [],
    ...(target ? { target } : {}),
    ...(owner ? { owner } : {}),
    ...(rule.overruledBy && match.outcome === 'confirmed' ? { overruledBy: rule.overruledBy } : {}),
  };
}

/**
 * What the paste showed that made the rule apply, each fact once: a round reads a fact once, so however many leaves
 * test it, it shows one value. A field that held only by being absent shows nothing.
 */
function pasteEvidence(trace: ConditionTrace[]): Evidence[] {
  const facts = new Set<FactPath>();
  const evidence: Evidence[] = [];
  for (const { fact, result, actual } of trace) {
    if (result !== 'true' || actual === undefined || facts.has(fact) || factSource(fact) !== 'paste') continue;
    facts.add(fact);
    evidence.push({ source: 'paste', check: fact, result: formatValue(actual), ok: false });
  }
  return evidence;
}

/** The fact paths the matched rules' texts show or depend on, each once: those that can still change the text. */
function mentionedFacts(matches: RuleMatch[], source: FactSource): FactPath[] {
  const paths = new Set<FactPath>();
  for (const match of matches)
    for (const path of textFacts(match.rule, { source, state: match.outcome })) if (isFactPath(path)) paths.add(path);
  return [...paths];
}

function decidingChecks(unknownFacts: FactPath[], live: boolean): string[] {
  const probes = unique(unknownFacts.map(factSource).filter((s): s is ProbeId => s !== 'paste'));
  const checks = probes.map((id) => PROBE_DESCRIPTIONS[id]);
  return live ? checks : checks.map((check) => `${check} (needs the customer's token: connect a tenant)`);
}

function dedupe(diagnoses: Diagnosis[]): Diagnosis[] {
  const kept = uniqueBy(diagnoses, (d) => `${d.rule}|${d.target ?? ''}`);
  return kept.sort((a, b) => rank(a) - rank(b));
}

function rank(d: Diagnosis): number {
  return d.status === 'confirmed' ? 0 : 1;
}

function formatValue(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  if (items.length < 2) return items;
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
