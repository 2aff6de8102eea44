import type { Observation } from '../input';
import type { Logger } from '../log';
import type { Rule } from '../rules';
import type { Store, Watch, WatchEnd } from '../store';
import { changeText, type WatchCheck } from './verdict';
import { nextCheckAt, type WatchSchedule } from './schedule';

/**
 * What the thread is told. `text` is plain (the teller escapes it); `cause` is the one the activity log records: the
 * cause the watch started with, except for `changed`, which records the new one.
 */
export interface WatchNotice {
  kind: 'fixed' | 'changed' | 'expired' | 'stopped';
  watch: Watch;
  text: string;
  cause: string;
}

export interface WatchTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WatchRunnerDeps {
  store: Store;
  /** This replica's name in the leases; unique per process. */
  holder: string;
  now: () => number;
  schedule: WatchSchedule;
  /** The rules in force now (a reload may have changed them since the watch started): their words for a fix. */
  rules: () => readonly Rule[];
  /** Re-checks the watch's target with its tenant. */
  check: (watch: Watch) => Promise<WatchCheck>;
  /**
   * Counts the wordings no rule explains, met by a re-check whose cause just turned to `unknown`: once per change,
   * by the replica that tells the thread, as a paste is counted once and not at each "Check again".
   */
  recordUnknowns?: (watch: Watch, unexplained: readonly Observation[]) => Promise<void>;
  /** Posts in the watch's thread; called at most once per notice, by the one replica that won it. */
  tell: (notice: WatchNotice) => Promise<void>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Longer than one re-check can take (a diagnosis's deadline), so a lease never runs out under a live check. */
  leaseMs: number;
  /** How often the store is asked for due watches. */
  pollMs: number;
  /** Watches checked at once. */
  batch?: number;
  /** null: no background loop; the caller calls `tick` (tests drive time this way). */
  timers: WatchTimers | null;
}

export interface WatchRunner {
  start(): void;
  /** Checks every watch due now; resolves with how many were handled. A tick already running is joined, not doubled. */
  tick(): Promise<number>;
  /** No tick starts after this; resolves once the one running (if any) finished. */
  stop(): Promise<void>;
}

const ACTOR = 'front-why';

/**
 * The loop behind "Watch until fixed": lease the due watches, re-check each, and end it (fixed, expired, tenant
 * gone) or schedule the next check with backoff. Every ending goes through the store's conditional `endWatch`, and
 * a changed cause through `recordWatchCheck` by the lease's holder, so with several replicas the thread hears each
 * thing once.
 */
export function createWatchRunner(deps: WatchRunnerDeps): WatchRunner {
  const batch = deps.batch ?? 5;
  let stopped = false;
  let running: Promise<number> | undefined;
  let timer: unknown;

  async function handle(watch: Watch): Promise<void> {
    const now = deps.now();
    if (now >= watch.expiresAt.getTime()) {
      const days = Math.round((watch.expiresAt.getTime() - watch.startedAt.getTime()) / 86_400_000);
      await end(
        watch,
        'expired',
        `Stopped watching ${watch.label} after ${days} day(s): it still did not read fine (last: ${watch.lastResult ?? 'not decided'}). Run the check again or start a new watch.`,
        watch.cause,
      );
      return;
    }
    let result: WatchCheck;
    try {
      result = await deps.check(watch);
    } catch (err) {
      deps.logger.warn({ watch: watch.id, err: (err as Error).message }, 'watch re-check failed');
      result = { kind: 'unknown', summary: 're-check failed' };
    }
    const checkedAt = new Date(deps.now());
    const next = nextCheckAt(
      checkedAt.getTime(),
      watch.attempts + 1,
      deps.schedule.intervalMs,
      watch.expiresAt.getTime(),
    );
    switch (result.kind) {
      case 'fine':
        await end(
          watch,
          'fixed',
          `${capitalised(changeText(deps.rules(), watch.cause, result.owner !== undefined ? result.owner : watch.owner))}; ${watch.label} reads fine.`,
          watch.cause,
          result.summary,
        );
        return;
      case 'gone':
        await end(watch, 'stopped', `Stopped watching ${watch.label}: ${result.summary}.`, watch.cause);
        return;
      case 'postponed':
        await deps.store.postponeWatch(
          watch.id,
          deps.holder,
          new Date(Math.min(result.retryAt, watch.expiresAt.getTime())),
        );
        return;
      case 'unknown':
        await deps.store.recordWatchCheck(watch.id, deps.holder, {
          checkedAt,
          nextCheckAt: next,
          result: result.summary,
        });
        return;
      case 'broken': {
        const recorded = await deps.store.recordWatchCheck(watch.id, deps.holder, {
          checkedAt,
          nextCheckAt: next,
          cause: result.cause,
          result: result.summary,
        });
        // Only the holder whose write saw the old cause tells: a replica that lost the lease wrote nothing.
        if (recorded && recorded.previousCause !== result.cause) {
          if (result.unexplained) await recordUnknowns(watch, result.unexplained);
          await notify({
            kind: 'changed',
            watch,
            cause: result.cause,
            text: `${watch.label} still fails, now for another cause: ${result.summary}. Still watching.`,
          });
        }
        return;
      }
    }
  }

  /** A failed write is logged: the thread still hears the change. */
  async function recordUnknowns(watch: Watch, unexplained: readonly Observation[]): Promise<void> {
    if (!deps.recordUnknowns) return;
    try {
      await deps.recordUnknowns(watch, unexplained);
    } catch (err) {
      deps.logger.warn({ watch: watch.id, err: (err as Error).message }, 'unknown wording write failed');
    }
  }

  async function end(watch: Watch, state: WatchEnd, text: string, cause: string, result?: string): Promise<void> {
    const ended = await deps.store.endWatch(watch.id, {
      state,
      at: new Date(deps.now()),
      ...(result ? { result } : {}),
    });
    // null: another replica (or a Stop click) ended it first, and told the thread.
    if (ended)
      await notify({
        kind: state === 'fixed' ? 'fixed' : state === 'expired' ? 'expired' : 'stopped',
        watch: ended,
        text,
        cause,
      });
  }

  async function notify(notice: WatchNotice): Promise<void> {
    const { watch } = notice;
    try {
      await deps.store.recordActivity({
        at: new Date(deps.now()),
        actor: ACTOR,
        teamId: watch.teamId,
        channelId: watch.channelId,
        tenant: watch.tenant,
        action: notice.kind === 'stopped' ? 'watch.stop' : `watch.${notice.kind}`,
        target: watch.label,
        cause: notice.cause,
        detail: `watch=${watch.id} ${notice.text}`,
      });
    } catch (err) {
      deps.logger.error({ watch: watch.id, err: (err as Error).message }, 'could not write the watch activity line');
    }
    try {
      await deps.tell(notice);
    } catch (err) {
      deps.logger.error({ watch: watch.id, err: (err as Error).message }, 'could not tell the thread about the watch');
    }
  }

  async function runTick(): Promise<number> {
    let handled = 0;
    while (!stopped) {
      const due = await deps.store.claimDueWatches({
        holder: deps.holder,
        now: new Date(deps.now()),
        leaseMs: deps.leaseMs,
        limit: batch,
      });
      await Promise.all(
        due.map((w) =>
          handle(w).catch((err: unknown) =>
            deps.logger.error({ watch: w.id, err: (err as Error).message }, 'watch failed'),
          ),
        ),
      );
      handled += due.length;
      if (due.length < batch) break;
    }
    return handled;
  }

  function tick(): Promise<number> {
    if (stopped) return Promise.resolve(0);
    running ??= runTick().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    const timers = deps.timers;
    if (!timers || stopped) return;
    timer = timers.setTimeout(() => {
      tick()
        .catch((err: unknown) => deps.logger.error({ err: (err as Error).message }, 'watch round failed'))
        .finally(schedule);
    }, deps.pollMs);
  }

  return {
    start() {
      stopped = false;
      schedule();
    },
    tick,
    async stop() {
      stopped = true;
      if (timer !== undefined) deps.timers?.clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
