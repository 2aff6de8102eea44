import { PROBE_DESCRIPTIONS, factSource, type FactPath, type ProbeId } from '../facts';
import type { FrontPath, FrontResult, ResourceRef, TokenInfo } from '../front';
import { PROBES } from './catalog';
import type { FrontGateway } from './gateway';
import type {
  Evidence,
  Probe,
  ProbeContext,
  ProbeFactValue,
  ProbeOutput,
  RecalledTeammates,
  TeammateMemory,
} from './types';

export interface ProbeRunOptions {
  gateway: FrontGateway;
  token: TokenInfo;
  target?: string;
  /** The private resource under diagnosis when it is not a conversation. */
  resource?: ResourceRef;
  /** Epoch ms by which every check must be done. */
  deadline: number;
  /** Requests this diagnosis may send to Front (cache hits are free). */
  maxCalls: number;
  clock?: () => number;
  probes?: Record<ProbeId, Probe>;
  /** The tenant's teammate map; without one, every diagnosis that must name an owner sweeps. */
  teammates?: TeammateMemory;
}

export type ProbeFact =
  { state: 'known'; value: ProbeFactValue | undefined } | { state: 'unknown' } | { state: 'not-run' };

/**
 * The live checks of one diagnosis: each probe runs at most once, only when asked, after the probes it needs.
 * Everything Front was asked is kept as evidence.
 */
export class ProbeRun {
  readonly evidence: Evidence[] = [];
  private readonly outputs = new Map<ProbeId, Promise<ProbeOutput>>();
  private readonly settled = new Map<ProbeId, ProbeOutput>();
  /** How deep in a chain of dependent requests each settled probe ended (0: it sent none). */
  private readonly depths = new Map<ProbeId, number>();
  private readonly preparing = new Map<ProbeId, Promise<number>>();
  private readonly followUps: Promise<ProbeOutput>[] = [];
  private callsSent = 0;
  private recalled: Promise<RecalledTeammates | undefined> | undefined;
  private readonly clock: () => number;
  private readonly probes: Record<ProbeId, Probe>;

  constructor(private readonly options: ProbeRunOptions) {
    this.clock = options.clock ?? Date.now;
    this.probes = options.probes ?? PROBES;
  }

  /** Requests actually sent to Front so far. */
  get calls(): number {
    return this.callsSent;
  }

  /**
   * The longest chain of requests that each needed the previous one's answer: a request depends on those its probe
   * had seen answered when it started, on everything the probes it needs sent, and on every answer in hand when the
   * rules asked for the probe (a probe the rules ask for in a later round, such as GET /me once the refused read has
   * answered, is sent because of what those answers said). Times the latency of one request, this is the fastest any
   * diagnosis deciding on these requests as this one did could be.
   */
  get depth(): number {
    return Math.max(0, ...this.depths.values());
  }

  /** Resolves once the follow-ups started on the way are done, so no request outlives the diagnosis. */
  async idle(): Promise<void> {
    await Promise.all(this.followUps);
  }

  fact(path: FactPath): ProbeFact {
    const source = factSource(path);
    if (source === 'paste') return { state: 'unknown' };
    // Without a conversation (or other resource) to ask about, there is nothing to learn: known absent, not unknown.
    if (!this.isApplicable(source)) return { state: 'known', value: undefined };
    const output = this.settled.get(source);
    if (!output) return { state: 'not-run' };
    if (path in output.facts) return { state: 'known', value: output.facts[path] };
    if (!output.ok || output.unknown?.includes(path)) return { state: 'unknown' };
    return { state: 'known', value: undefined };
  }

  /** Whether the fact's probe could still tell something: it has not finished (it may be running already). */
  canRun(path: FactPath): boolean {
    const source = factSource(path);
    return source !== 'paste' && !this.settled.has(source) && this.isApplicable(source);
  }

  /** Requests learning the fact would cost (0 once its probe has run). */
  costOf(path: FactPath): number {
    const source = factSource(path);
    if (source === 'paste' || this.outputs.has(source)) return 0;
    const probe = this.probes[source];
    return (
      probe.cost + probe.needs.reduce((sum, need) => sum + (this.outputs.has(need) ? 0 : this.probes[need].cost), 0)
    );
  }

  /** When the rules may ask for the fact (see Probe.stage); the paste's are known from the start. */
  stageOf(path: FactPath): number {
    const source = factSource(path);
    return source === 'paste' ? 0 : (this.probes[source].stage ?? 1);
  }

  async runFor(paths: FactPath[]): Promise<void> {
    const ids = new Set<ProbeId>();
    for (const path of paths) {
      const source = factSource(path);
      if (source !== 'paste') ids.add(source);
    }
    await Promise.all([...ids].map((id) => this.run(id)));
  }

  /** Starts the cheap first steps of the probes behind these facts, without running the probes. */
  async prepareFor(paths: FactPath[]): Promise<void> {
    const ids = new Set<ProbeId>();
    for (const path of paths) {
      const source = factSource(path);
      if (source !== 'paste' && !this.outputs.has(source) && !this.preparing.has(source) && this.probes[source].prepare)
        ids.add(source);
    }
    await Promise.all(
      [...ids].map((id) => {
        const chain = { base: 0, done: 0 };
        const prepared = this.probes[id].prepare!(this.contextFor(this.probes[id], chain))
          .catch(() => undefined)
          .then(() => chain.done);
        this.preparing.set(id, prepared);
        return prepared;
      }),
    );
  }

  run(id: ProbeId): Promise<ProbeOutput> {
    const existing = this.outputs.get(id);
    if (existing) return existing;
    const probe = this.probes[id];
    const askedAfter = this.depth;
    const started = (async () => {
      await Promise.all(probe.needs.map((need) => this.run(need)));
      let output: ProbeOutput;
      // Requests its early first step made count in its chain, as if the probe had made them itself.
      const prepared = (await this.preparing.get(id)) ?? 0;
      const needed = probe.needs.map((need) => this.depths.get(need) ?? 0);
      const chain = { base: Math.max(askedAfter, prepared, ...needed), done: 0 };
      chain.done = chain.base;
      try {
        output = await probe.run(this.contextFor(probe, chain));
      } catch (err) {
        // A probe that breaks costs its own facts, never the reply.
        this.evidence.push({
          source: 'probe',
          check: PROBE_DESCRIPTIONS[id],
          result: `could not check: ${describeError(err)}`,
          ok: null,
        });
        output = { ok: false, facts: {} };
      }
      this.settled.set(id, output);
      this.depths.set(id, chain.done);
      // Not awaited here: a follow-up runs alongside whatever asked for this probe (and never fails, see above).
      for (const next of probe.followUps?.(output) ?? [])
        if (this.isApplicable(next)) this.followUps.push(this.run(next));
      return output;
    })();
    this.outputs.set(id, started);
    return started;
  }

  private isApplicable(id: ProbeId): boolean {
    if (id === 'conversation' || id === 'inboxes') return this.options.target !== undefined;
    if (id === 'resource') return this.options.resource !== undefined;
    return true;
  }

  private contextFor(probe: Probe, chain: { base: number; done: number }): ProbeContext {
    return {
      token: this.options.token,
      target: this.options.target,
      resource: this.options.resource,
      callsLeft: () => this.options.maxCalls - this.callsSent,
      callsSent: () => this.callsSent,
      // Read once per diagnosis; a map that cannot be read is no map (the sweep runs as without one).
      recallTeammates: () =>
        (this.recalled ??= this.options.teammates?.recall().catch(() => undefined) ?? Promise.resolve(undefined)),
      learnTeammates: (found, complete) => {
        if (found.length > 0 || complete) this.options.teammates?.learnt(found, complete);
      },
      fact: (path) => {
        const fact = this.fact(path);
        return fact.state === 'known' ? fact.value : undefined;
      },
      call: async (path, label, opts) => {
        const level = chain.done + 1;
        const { result, sent } = await this.call(path, label, opts?.fresh ?? false);
        if (sent) chain.done = Math.max(chain.done, level);
        return result;
      },
    };
  }

  private async call(path: FrontPath, label: string, fresh: boolean): Promise<{ result: FrontResult; sent: boolean }> {
    const started = this.clock();
    if (this.callsSent >= this.options.maxCalls) {
      const result: FrontResult = {
        kind: 'unreachable',
        reason: 'budget',
        message: 'the per-diagnosis call budget is spent',
        ms: 0,
        attempts: 0,
      };
      this.evidence.push({
        source: 'probe',
        check: label,
        result: 'not checked: the per-diagnosis call budget is spent (run audit for the rest)',
        ok: null,
        ms: 0,
      });
      return { result, sent: false };
    }
    this.callsSent += 1;
    const { result, shared } = await this.options.gateway.get(path, { deadline: this.options.deadline, fresh });
    if (shared) this.callsSent -= 1;
    this.evidence.push({
      source: 'probe',
      check: label,
      ...describeResult(result, shared),
      ms: this.clock() - started,
    });
    return { result, sent: !shared };
  }
}

function describeResult(result: FrontResult, shared: boolean): Pick<Evidence, 'result' | 'ok'> {
  const suffix = shared ? ' (recent answer)' : '';
  if (result.kind === 'unreachable') {
    return { result: `could not check: ${result.message}${suffix}`, ok: null };
  }
  const message = result.error?.message ?? result.error?.title;
  const text = message ? `${result.status} ${message}` : String(result.status);
  return { result: text + suffix, ok: result.status >= 200 && result.status < 300 };
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : 'unexpected error';
}
