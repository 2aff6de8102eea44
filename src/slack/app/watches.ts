import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { webApi } from '@slack/bolt';
import { createWatchRunner, type WatchRunner, type WatchTimers } from '../../watch';
import { watchNoticeFor } from '../checks/customer-mode';
import { post } from '../send/reply';
import { watchCheck } from '../checks/watches';
import { countUnknownWordings } from '../checks/record-unknowns';
import { ownerSweepRunner } from '../checks/owner-sweeps';
import type { SlackDeps } from './deps';

/** How often a replica asks the store for due watches, at most: due watches wait no longer than this. */
const MAX_POLL_MS = 15_000;

export interface WatchLoopOptions {
  /** The background loop's timers; null runs none, and the caller ticks (tests). Default: Node's timers. */
  timers?: WatchTimers | null;
}

/**
 * The server's watch runner: re-checks through the tenants' shared connections (and so their rate budgets), and
 * tells threads with the bot's client. The lease outlives a re-check's deadline twice over, so it never runs out
 * under a live check; a crashed replica's watches wait that long before another takes them over.
 */
export function startWatchLoop(deps: SlackDeps, client: webApi.WebClient, options: WatchLoopOptions = {}): WatchRunner {
  const timers = timersOf(options);
  const runner = createWatchRunner({
    store: deps.store,
    holder: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    now: deps.watch.now,
    schedule: deps.watch.schedule,
    rules: () => deps.rules,
    check: watchCheck(deps),
    recordUnknowns: (watch, unexplained) =>
      countUnknownWordings(deps, unexplained, watch.tenant, new Date(deps.watch.now())),
    tell: async (notice) => {
      const message = await watchNoticeFor(deps, notice.watch, notice.kind, notice.text);
      await post(client, notice.watch.channelId, message, notice.watch.threadTs);
      // A watch that ended or changed cause changes what the tenant's Home tab shows.
      deps.homes.tenantChanged(notice.watch.tenant);
    },
    logger: deps.logger,
    leaseMs: 2 * deps.config.FRONT_WHY_TIMEOUT_MS + 30_000,
    pollMs: Math.min(deps.watch.schedule.intervalMs, MAX_POLL_MS),
    timers,
  });
  runner.start();
  return runner;
}

/** The process's timers unless the options give others, or null (a test ticks by hand). */
function timersOf(options: WatchLoopOptions): WatchTimers | null {
  return options.timers === undefined
    ? {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
      }
    : options.timers;
}

export interface OwnerSweepLoop {
  /** Works every owner sweep due now, a step each; resolves with how many steps ran. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/** The owner sweeps (src/slack/checks/owner-sweeps.ts) on the watches' clock and timers, polled as often as watches. */
export function startOwnerSweepLoop(
  deps: SlackDeps,
  client: webApi.WebClient,
  options: WatchLoopOptions = {},
): OwnerSweepLoop {
  const runner = ownerSweepRunner(deps, client);
  const timers = timersOf(options);
  let stopped = false;
  let handle: unknown;
  let current: Promise<number> | undefined;
  const tick = () => (current = runner());
  const schedule = () => {
    if (stopped || !timers) return;
    handle = timers.setTimeout(
      () => {
        tick()
          .catch((err: unknown) => deps.logger.error({ err: (err as Error).message }, 'owner sweep round failed'))
          .finally(schedule);
      },
      Math.min(deps.watch.schedule.intervalMs, MAX_POLL_MS),
    );
  };
  schedule();
  return {
    tick: () => (stopped ? Promise.resolve(0) : tick()),
    async stop() {
      stopped = true;
      if (handle !== undefined) timers?.clearTimeout(handle);
      await current?.catch(() => 0);
    },
  };
}
