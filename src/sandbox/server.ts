import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { frontAnswer, type AnswerContext } from './answer';
import { CONTROL_PREFIX, handleControl, type ControlContext } from './control';
import { errorReply, type Reply } from './errors';
import { FaultInjector, type FaultSettings } from './faults';
import { matchRoute } from './handlers';
import { RateLimiter, type WindowUse } from './ratelimit';
import { seedCompanies, type CompanyKey, type SeedCompany } from './seed';
import { StatsCounter, type SandboxStats } from './stats';
import { createTokenRegistry, type AuthResult, type TokenName, type TokenRecord, type TokenRegistry } from './tokens';

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Shorthand for `faults.latencyMs`. */
  latencyMs?: number;
  /** Milliseconds since the epoch; drives rate-limit windows and token expiry. */
  clock?: () => number;
  faults?: Partial<FaultSettings>;
  /** HMAC secret for the tokens; the default keeps the printed demo tokens identical from run to run. */
  secret?: string;
  /** Seed for the generator behind `errorRate` and `dropRate`. */
  randomSeed?: number;
}

export interface SandboxTokenInfo {
  company: CompanyKey;
  kind: 'api' | 'oauth';
  description: string;
}

export interface Sandbox {
  url: string;
  tokens: Record<TokenName, string>;
  tokenInfo: Record<TokenName, SandboxTokenInfo>;
  companies: Readonly<Record<CompanyKey, SeedCompany>>;
  setFaults(f: Partial<FaultSettings>): void;
  faults(): FaultSettings;
  /** Turns a teammate's "Allow access to my individual resources via the API" on or off (ID or email). */
  setApiAccess(teammate: string, allowed: boolean): void;
  /**
   * Off: the sandbox stops listening on its port (connections open at that moment are cut), so a client gets a
   * real "connection refused", as from a host that cannot reach Front at all. On: it listens on the same port
   * again, with its state (faults, rate limits, preferences) as it was.
   */
  setReachable(reachable: boolean): Promise<void>;
  stats(): SandboxStats;
  resetStats(): void;
  resetRateLimits(): void;
  /** Each rate-limit window so far (per company: `company:<key>`) and how many requests it admitted. */
  rateWindows(): WindowUse[];
  close(): Promise<void>;
}

export const DEFAULT_SANDBOX_SECRET = 'front-why-sandbox-not-a-real-front-secret';

function tokenLabel(auth: AuthResult): string {
  if (auth.ok) return auth.record.name;
  if (auth.name) return auth.name;
  return auth.reason === 'missing' ? '(none)' : '(invalid)';
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  contentType: string | null,
  body: string,
): void {
  const all: Record<string, string | number> = { ...headers, 'content-length': Buffer.byteLength(body) };
  if (contentType) all['content-type'] = contentType;
  res.writeHead(status, all);
  res.end(body);
}

function sendReply(res: ServerResponse, reply: Reply): void {
  const headers = reply.headers ?? {};
  if (reply.body === undefined) send(res, reply.status, headers, null, '');
  else send(res, reply.status, headers, 'application/json; charset=utf-8', JSON.stringify(reply.body));
}

/** Timers behind injected latency, kept so close() can clear them: a pending one would hold the process open. */
function createDelays(): { delay(ms: number): Promise<void>; cancelAll(): void } {
  const timers = new Set<NodeJS.Timeout>();
  return {
    delay: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
    cancelAll() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

interface EdgeContext {
  registry: TokenRegistry;
  clock: () => number;
  faults: FaultInjector;
  stats: StatsCounter;
  answer: AnswerContext;
  delay: (ms: number) => Promise<void>;
  isClosed: () => boolean;
  control: ControlContext;
}

/** One request as Front's edge sees it: counted, delayed, perhaps hung, dropped or answered by a fault, else answered. */
async function handleRequest(ctx: EdgeContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { faults, stats } = ctx;
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  // The operator's controls are not Front: not counted, delayed or faulted.
  if (path.startsWith(CONTROL_PREFIX)) return handleControl(ctx.control, req, res, path);
  // Authenticate on arrival: that is the moment an expiring token is judged.
  const auth = ctx.registry.authenticate(req.headers.authorization, ctx.clock());
  const matched = matchRoute(method, path);
  stats.request(
    method,
    path,
    url.search,
    matched ? `${matched.route.method} ${matched.route.template}` : `${method} (unknown route)`,
    tokenLabel(auth),
  );

  const latency = faults.latencyFor(path);
  if (latency > 0) await ctx.delay(latency);
  if (ctx.isClosed()) return;

  const action = faults.decide(path);
  switch (action.kind) {
    case 'hang':
      stats.outcome('hung');
      return;
    case 'drop':
      stats.outcome('dropped');
      req.socket.destroy();
      return;
    case 'respond':
      stats.outcome(action.status);
      send(res, action.status, {}, action.contentType, action.body);
      return;
    case 'none':
      break;
  }

  const reply = frontAnswer(ctx.answer, {
    method,
    path,
    query: url.searchParams,
    remoteAddress: req.socket.remoteAddress ?? '',
    auth,
    matched,
  });
  stats.outcome(reply.status);
  sendReply(res, reply);
}

/** Resolves to the server's base URL once it listens. */
async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

function describeTokens(registry: TokenRegistry): Record<TokenName, SandboxTokenInfo> {
  const tokenInfo = {} as Record<TokenName, SandboxTokenInfo>;
  for (const [name, record] of Object.entries(registry.records) as [TokenName, TokenRecord][]) {
    tokenInfo[name] = { company: record.company, kind: record.kind, description: record.description };
  }
  return tokenInfo;
}

function setTeammateApiAccess(companies: Record<CompanyKey, SeedCompany>, teammate: string, allowed: boolean): void {
  const all = Object.values(companies).flatMap((c) => c.teammates);
  const found = all.find((t) => t.id === teammate || t.email.toLowerCase() === teammate.toLowerCase());
  if (!found) throw new Error(`no sandbox teammate with ID or email ${teammate}`);
  found.apiAccessToIndividualResources = allowed;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const clock = opts.clock ?? Date.now;
  const companies = seedCompanies();
  const registry = createTokenRegistry(companies, opts.secret ?? DEFAULT_SANDBOX_SECRET, clock());
  const faults = new FaultInjector(
    { ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}), ...opts.faults },
    opts.randomSeed,
  );
  const limiter = new RateLimiter(clock);
  const stats = new StatsCounter();
  const delays = createDelays();
  let closed = false;
  // The base URL is known once the server listens, before any request can arrive.
  const answer: AnswerContext = { companies, limiter, faults, base: '' };
  const control: ControlContext = {
    companies,
    setApiAccess: (teammate, allowed) => setTeammateApiAccess(companies, teammate, allowed),
  };
  const edge: EdgeContext = {
    registry,
    clock,
    faults,
    stats,
    answer,
    delay: delays.delay,
    isClosed: () => closed,
    control,
  };

  const server = createServer((req, res) => {
    handleRequest(edge, req, res).catch((err: unknown) => {
      // A sandbox bug must surface as a 500 the tests can see, not as a hung request.
      if (!res.headersSent) {
        stats.outcome(500);
        sendReply(res, errorReply(500, `sandbox error: ${err instanceof Error ? err.message : String(err)}`));
      } else {
        res.destroy();
      }
    });
  });
  const host = opts.host ?? '127.0.0.1';
  answer.base = await listen(server, opts.port ?? 0, host);
  const port = Number(new URL(answer.base).port);
  const stopListening = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      // Hanging and keep-alive connections would otherwise hold close() open forever.
      server.closeAllConnections();
    });

  return {
    url: answer.base,
    tokens: { ...registry.tokens },
    tokenInfo: describeTokens(registry),
    companies,
    setFaults: (f) => faults.set(f),
    faults: () => {
      const current = faults.current;
      return { ...current, onlyPaths: current.onlyPaths ? [...current.onlyPaths] : null };
    },
    setApiAccess: control.setApiAccess,
    setReachable: async (reachable) => {
      if (closed || reachable === server.listening) return;
      if (reachable) await listen(server, port, host);
      else await stopListening();
    },
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    resetRateLimits: () => limiter.reset(),
    rateWindows: () => limiter.usage(),
    close: async () => {
      if (closed) return;
      closed = true;
      delays.cancelAll();
      await stopListening();
    },
  };
}
