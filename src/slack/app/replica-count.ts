import type { Logger } from '../../log';
import type { Store } from '../../store';
import { errorFields } from '../send/failure';
import { ALIVE_FOR_MS, HEARTBEAT_MS } from './rule-sync';

export interface ReplicaCount {
  /** The replicas alive at the last read, this one included (at least 1). */
  (): number;
  /** Reads the count now, then again with every heartbeat until `stop`. */
  start(): Promise<void>;
  stop(): void;
}

/**
 * How many `serve` processes share the store, from their heartbeats (always 1 on SQLite, where one process runs).
 * What each replica keeps in memory of a shared budget is divided by it, so together they keep to the whole. Read
 * as often as the replicas heartbeat, so a replica that starts or dies changes every replica's part within seconds;
 * a change is logged, since it changes how soon agents are told to wait.
 */
export function replicaCount(store: Store, clock: () => number, logger: Logger): ReplicaCount {
  let count = 1;
  let timer: NodeJS.Timeout | undefined;

  async function read(): Promise<void> {
    try {
      const alive = Math.max(1, (await store.liveReplicas(new Date(clock() - ALIVE_FOR_MS))).length);
      if (alive !== count) logger.info({ replicas: alive, was: count }, 'live replicas changed');
      count = alive;
    } catch (err) {
      // The last count stands until the next heartbeat's read.
      logger.warn({ err: errorFields(err) }, 'could not count the live replicas');
    }
  }

  const current = (() => count) as ReplicaCount;
  current.start = async () => {
    if (!store.shared || timer) return;
    await read();
    timer = setInterval(() => void read(), HEARTBEAT_MS);
    timer.unref();
  };
  current.stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return current;
}
