import { hostname } from 'node:os';
import type { Logger } from '../../log';
import type { ReloadSubscription, RulesReloadOutcome, Store } from '../../store';
import { errorFields } from '../send/failure';
import type { RulesReload } from './rule-book';

/** How often a replica says it is alive, and how long after its last word it still counts as alive. */
export const HEARTBEAT_MS = 5_000;
export const ALIVE_FOR_MS = 3 * HEARTBEAT_MS;
/** How long the one who asked for a reload waits for the replicas' outcomes. */
export const RELOAD_WAIT_MS = 5_000;
const POLL_MS = 50;

/** What a reload asked of every replica came to, as the one who asked is told. */
export interface ReloadReport {
  generation: number;
  /** Every replica alive when asked, or that answered. */
  replicas: string[];
  outcomes: RulesReloadOutcome[];
  /** Alive when asked, no outcome within the wait. */
  silent: string[];
  waitedMs: number;
}

let appsInThisProcess = 0;

/** A readable id that tells an operator which host and process it is (and which app, when a process runs two). */
export function replicaIdOf(pid = process.pid): string {
  const n = appsInThisProcess++;
  return `${
    hostname()
      .replace(/[^\x21-\x7e]/g, '')
      .slice(0, 80) || 'host'
  }:${pid}${n > 0 ? `-${n}` : ''}`;
}

/**
 * Waits (bounded) until every replica alive when the reload was asked has recorded its outcome for `generation`.
 * Used by a replica that asked and by `front-why rules reload`.
 */
export async function awaitReloadOutcomes(
  store: Store,
  generation: number,
  options: { clock?: () => number; waitMs?: number; aliveSince: Date; sleep?: (ms: number) => Promise<void> },
): Promise<ReloadReport> {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const waitMs = options.waitMs ?? RELOAD_WAIT_MS;
  const started = clock();
  const alive = (await store.liveReplicas(options.aliveSince)).map((r) => r.id);
  for (;;) {
    const outcomes = await store.rulesReloadOutcomes(generation);
    const answered = new Set(outcomes.map((o) => o.replica));
    const silent = alive.filter((id) => !answered.has(id));
    if (silent.length === 0 || clock() - started >= waitMs) {
      const replicas = [...new Set([...alive, ...outcomes.map((o) => o.replica)])];
      return { generation, replicas, outcomes, silent, waitedMs: clock() - started };
    }
    await sleep(POLL_MS);
  }
}

export interface RuleSyncOptions {
  store: Store;
  /** Loads this replica's rules again (logs the outcome). */
  reload: (trigger: string, fields?: Record<string, unknown>) => RulesReload;
  logger: Logger;
  replicaId?: string;
  clock?: () => number;
  heartbeatMs?: number;
  waitMs?: number;
}

/**
 * Keeps every replica on the same rules. A reload asked anywhere (the command, SIGHUP, `front-why rules reload`)
 * becomes a generation in the store; every replica hears of it (PostgreSQL LISTEN/NOTIFY through the store),
 * loads its rules (all or nothing, as a single reload does) and records how it went; the asker waits for the
 * replicas that were alive. Each replica heartbeats so the asker knows who that is.
 *
 * Reloads of this replica run one after another: the asker's own reload and the wake-ups for generations it has
 * already applied are one queue, so a replica never loads twice for one request.
 */
export class RuleSync {
  readonly replicaId: string;
  private readonly clock: () => number;
  private readonly startedAt: Date;
  private applied = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private subscription: ReloadSubscription | undefined;
  private stopped = false;
  private started = false;

  constructor(private readonly options: RuleSyncOptions) {
    this.replicaId = options.replicaId ?? replicaIdOf();
    this.clock = options.clock ?? Date.now;
    this.startedAt = new Date(this.clock());
  }

  async start(): Promise<void> {
    const { store, logger } = this.options;
    this.stopped = false;
    this.started = true;
    // The rules in force were loaded from disk just now: any generation asked before is already in them.
    this.applied = await store.latestRulesReload();
    await store.heartbeat(this.replicaId, this.startedAt);
    this.subscription = await store.subscribeRulesReloads(
      (generation) => this.heard(generation),
      (err) =>
        logger.warn({ err: errorFields(err) }, 'the store connection that hears rule reloads dropped; reconnecting'),
    );
    this.timer = setInterval(() => {
      store
        .heartbeat(this.replicaId, this.startedAt)
        .catch((err: unknown) => logger.warn({ err: errorFields(err) }, 'could not record this replica as alive'));
    }, this.options.heartbeatMs ?? HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Reloads here at once, then has every other replica reload, and waits for their outcomes. */
  async reloadEverywhere(
    trigger: string,
    requestedBy: string,
    fields: Record<string, unknown> = {},
  ): Promise<{ local: RulesReload; report: ReloadReport }> {
    const { store } = this.options;
    const asked = new Date(this.clock() - ALIVE_FOR_MS);
    const mine = this.enqueue(async () => {
      const local = this.options.reload(trigger, fields);
      const generation = await store.requestRulesReload({ trigger, requestedBy });
      this.applied = Math.max(this.applied, generation);
      await this.record(generation, local);
      return { local, generation };
    });
    const { local, generation } = await mine;
    const report = await awaitReloadOutcomes(store, generation, {
      clock: this.clock,
      aliveSince: asked,
      ...(this.options.waitMs !== undefined ? { waitMs: this.options.waitMs } : {}),
    });
    return { local, report };
  }

  async stop(): Promise<void> {
    if (this.stopped || !this.started) return;
    this.stopped = true;
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    await this.subscription?.close();
    await this.queue.catch(() => undefined);
    await this.options.store
      .removeReplica(this.replicaId)
      .catch((err: unknown) => this.options.logger.warn({ err: errorFields(err) }, 'could not remove this replica'));
  }

  private heard(generation: number): void {
    void this.enqueue(async () => {
      if (this.stopped || generation <= this.applied) return;
      this.applied = generation;
      const result = this.options.reload('replica', { generation });
      await this.record(generation, result);
    }).catch((err: unknown) =>
      this.options.logger.error(
        { err: errorFields(err), generation },
        'could not record the outcome of a rules reload',
      ),
    );
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private record(generation: number, result: RulesReload): Promise<void> {
    return this.options.store.recordRulesReload({
      generation,
      replica: this.replicaId,
      ok: result.ok,
      rules: result.ok ? result.rules : result.serving,
      ...(result.ok ? {} : { error: result.errors.join('\n') }),
      at: new Date(this.clock()),
    });
  }
}
