import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const HEALTH_PATH = '/healthz';

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

/** A GET route beside Slack's (as Bolt's `customRoutes` take them), served in Socket Mode by the health server. */
export interface HttpRoute {
  path: string;
  method: ['GET'];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Socket Mode needs no public URL, but orchestrators still probe one: a tiny server that answers only the app's
 * GET routes (/healthz, /metrics).
 */
export async function startHealthServer(port: number, routes: HttpRoute[]): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://health.invalid').pathname;
    const route = req.method === 'GET' ? routes.find((r) => r.path === path) : undefined;
    if (route) return route.handler(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
