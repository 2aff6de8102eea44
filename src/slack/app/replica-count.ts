import type { Store } from '../../store';
import { ALIVE_FOR_MS } from './rule-sync';

/** Replicas come and go over deploys, not seconds: a count this old is good enough to divide a share by. */
const REFRESH_MS = 15_000;

export interface ReplicaCount {
  /** The replicas alive at the last read (at least 1); a read older than 15 s is renewed in the background. */
  (): number;
  /** Reads the count now (at start, so the first checks do not take a whole share each). */
  refresh(): Promise<void>;
}

/**
 * How many `serve` processes share the store, from their heartbeats (1 on SQLite, where one process runs). What
 * each replica keeps in memory of a shared budget is divided by it, so together they keep to the whole.
 */
export function replicaCount(store: Store, clock: () => number, onError: (err: unknown) => void): ReplicaCount {
  let count = 1;
  let readAt: number | undefined;
  let reading: Promise<void> | undefined;

  function refresh(): Promise<void> {
    if (!store.shared) return Promise.resolve();
    reading ??= (async () => {
      const now = clock();
      try {
        count = Math.max(1, (await store.liveReplicas(new Date(now - ALIVE_FOR_MS))).length);
      } catch (err) {
        onError(err);
      } finally {
        // A failed read is not retried at once either: the last count stands until the next turn.
        readAt = now;
        reading = undefined;
      }
    })();
    return reading;
  }

  const current = (() => {
    if (store.shared && (readAt === undefined || clock() - readAt >= REFRESH_MS)) void refresh();
    return count;
  }) as ReplicaCount;
  current.refresh = refresh;
  return current;
}
