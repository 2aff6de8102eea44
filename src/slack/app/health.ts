import type { IncomingMessage, ServerResponse } from 'node:http';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

/** A store that does not answer a ping within this is as good as down to a load balancer. */
const STORE_PING_MS = 2_000;

export interface HealthState {
  mode: 'http' | 'socket';
  stopping: boolean;
  inflight: number;
}

/** 200 while serving, 503 once a shutdown began, so a load balancer stops sending work before the process exits. */
export function healthHandler(state: () => HealthState) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    const current = state();
    const body = JSON.stringify({ ok: !current.stopping, mode: current.mode, inflight: current.inflight });
    res.writeHead(current.stopping ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(body);
  };
}

/** A route on PORT (or the metrics port), beside Slack's /slack/events in HTTP mode (see front-door.ts). */
export interface HttpRoute {
  path: string;
  /** The methods it answers; any other is 404, as for a path nobody serves. */
  method: readonly string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface ReadinessState {
  stopping: boolean;
  /** Rules in force: 0 means nothing could be answered. */
  rules: number;
  /** A cheap round trip to the store. */
  ping: () => Promise<void>;
}

type Readiness = { ready: true; rules: number } | { ready: false; reason: string };

/** Why the store check failed: the error itself goes to the log, never into the answer (anyone may ask). */
type StoreFailure = { reason: string; err: unknown };

async function checkReadiness(state: ReadinessState): Promise<Readiness | StoreFailure> {
  if (state.stopping) return { ready: false, reason: 'stopping: new work is refused' };
  if (state.rules === 0) return { ready: false, reason: 'rules: none loaded' };
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    await Promise.race([
      state.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new Error(`no answer within ${STORE_PING_MS / 1000} s`));
        }, STORE_PING_MS);
      }),
    ]);
  } catch (err) {
    return { reason: timedOut ? `store: no answer within ${STORE_PING_MS / 1000} s` : 'store: unreachable', err };
  } finally {
    clearTimeout(timer);
  }
  return { ready: true, rules: state.rules };
}

/**
 * Readiness, apart from liveness: 503 naming the check that failed (`store: unreachable`, `rules: none loaded`,
 * `stopping: …`) while the store does not answer or no rules are loaded (or a shutdown began), so a load balancer
 * routes only to replicas that can answer; a process that is merely not ready is not restarted for it. Why the
 * store failed is told to `onStoreError` (the log), not to whoever asked.
 */
export function readinessHandler(state: () => ReadinessState, onStoreError: (reason: string, err: unknown) => void) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    void checkReadiness(state()).then((checked) => {
      let result: Readiness;
      if ('err' in checked) {
        onStoreError(checked.reason, checked.err);
        result = { ready: false, reason: checked.reason };
      } else {
        result = checked;
      }
      res.writeHead(result.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(result));
    });
  };
}
