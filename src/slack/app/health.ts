import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactSecrets } from '../../redact';

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

/** A GET route on PORT, beside Slack's /slack/events in HTTP mode (see front-door.ts). */
export interface HttpRoute {
  path: string;
  method: ['GET'];
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

async function checkReadiness(state: ReadinessState): Promise<Readiness> {
  if (state.stopping) return { ready: false, reason: 'stopping: new work is refused' };
  if (state.rules === 0) return { ready: false, reason: 'no rules are loaded' };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      state.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${STORE_PING_MS / 1000} s`)), STORE_PING_MS);
      }),
    ]);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ready: false, reason: `the store is not usable: ${redactSecrets(message).slice(0, 200)}` };
  } finally {
    clearTimeout(timer);
  }
  return { ready: true, rules: state.rules };
}

/**
 * Readiness, apart from liveness: 503 with the reason while the store does not answer or no rules are loaded (or a
 * shutdown began), so a load balancer routes only to replicas that can answer; a process that is merely not ready
 * is not restarted for it.
 */
export function readinessHandler(state: () => ReadinessState) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    void checkReadiness(state()).then((result) => {
      res.writeHead(result.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(result));
    });
  };
}
