import http from 'node:http';
import type { Dispatcher } from 'undici';
import { createFrontDispatcher } from '../../../src/front';
import type { AddressInfo } from 'node:net';

/** One scripted answer; each is used for exactly one request, in order. */
export type Responder = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Hit {
  path: string;
  authorization: string | undefined;
  at: number;
  /** When the server finished answering, or when the client went away (undefined while open). */
  closedAt?: number;
}

/**
 * A node:http server scripted like Front: per path, a queue of responders. Every responder must be
 * used, and a request with nothing scripted is recorded as unexpected (and answered 599), so
 * `assertAllUsed` fails for both a stub never hit and a request nobody expected.
 */
export interface StubServer {
  url: string;
  port: number;
  hits: Hit[];
  unexpected: string[];
  on(path: string, ...responders: Responder[]): StubServer;
  hitCount(path?: string): number;
  assertAllUsed(): void;
  close(): Promise<void>;
}

export async function startStubServer(): Promise<StubServer> {
  const queues = new Map<string, Responder[]>();
  const hits: Hit[] = [];
  const unexpected: string[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    const hit: Hit = { path, authorization: req.headers.authorization, at: Date.now() };
    hits.push(hit);
    res.on('close', () => {
      hit.closedAt = Date.now();
    });
    const next = queues.get(path)?.shift();
    if (!next) {
      unexpected.push(path);
      res.writeHead(599, { 'content-type': 'text/plain' }).end('no stub');
      return;
    }
    next(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const stub: StubServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    unexpected,
    on(path, ...responders) {
      queues.set(path, [...(queues.get(path) ?? []), ...responders]);
      return stub;
    },
    hitCount: (path) => (path === undefined ? hits.length : hits.filter((h) => h.path === path).length),
    assertAllUsed() {
      const left = [...queues].filter(([, q]) => q.length > 0).map(([p, q]) => `${p} (${q.length} unused)`);
      expect({ unused: left, unexpected }).toEqual({ unused: [], unexpected: [] });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return stub;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
}

/** Front's error envelope, exactly as Front sends it. */
export function frontError(
  status: number,
  title: string,
  message: string,
  headers: Record<string, string> = {},
): Responder {
  return json(status, { _error: { status, title, message } }, headers);
}

export function html(status: number, page: string): Responder {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html' }).end(page);
  };
}

/** Drops the connection without an HTTP answer, as a reset or a crashed proxy would. */
export const resetConnection: Responder = (req) => {
  req.socket.destroy();
};

/** Never answers; the client must give up on its own. */
export const hang: Responder = () => undefined;

export function delayed(ms: number, responder: Responder): Responder {
  return (req, res) => {
    const timer = setTimeout(() => responder(req, res), ms);
    res.on('close', () => clearTimeout(timer));
  };
}

/** `nowMs`: the time the reset is counted from (a test clock's, when the code under test runs on one). */
export function rateLimitHeaders(
  limit: number,
  remaining: number,
  resetInSec = 60,
  nowMs = Date.now(),
): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(Math.floor(nowMs / 1000) + resetInSec),
  };
}

/**
 * A fresh stub Front and a fresh client dispatcher for every test of the calling file, both closed after it (a test
 * may close the server itself first);
 * `use` hands them to the file's own variables.
 */
export function useStubFront(use: (server: StubServer, dispatcher: Dispatcher) => void): void {
  let opened: { server: StubServer; dispatcher: Dispatcher } | undefined;
  beforeEach(async () => {
    opened = { server: await startStubServer(), dispatcher: createFrontDispatcher() };
    use(opened.server, opened.dispatcher);
  });
  afterEach(async () => {
    await opened?.dispatcher.close();
    await opened?.server.close();
  });
}
