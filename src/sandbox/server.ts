import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorReply, unauthenticated, missingPermission, type Reply } from './errors';
import { FaultInjector, type FaultSettings } from './faults';
import { matchRoute } from './handlers';
import { RateLimiter } from './ratelimit';
import { PLAN_RATE_LIMITS, seedCompanies, type CompanyKey, type SeedCompany } from './seed';
import { StatsCounter, type SandboxStats } from './stats';
import { createTokenRegistry, type AuthResult, type TokenName, type TokenRecord } from './tokens';

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
  stats(): SandboxStats;
  resetStats(): void;
  resetRateLimits(): void;
  close(): Promise<void>;
}

export const DEFAULT_SANDBOX_SECRET = 'front-why-sandbox-not-a-real-front-secret';

/** Requests that fail authentication have no company; they share one budget per client address. */
const ANONYMOUS_LIMIT = PLAN_RATE_LIMITS.Starter;

function tokenLabel(auth: AuthResult): string {
  if (auth.ok) return auth.record.name;
  if (auth.name) return auth.name;
  return auth.reason === 'missing' ? '(none)' : '(invalid)';
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, contentType: string | null, body: string): void {
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

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const clock = opts.clock ?? Date.now;
  const companies = seedCompanies();
  const registry = createTokenRegistry(companies, opts.secret ?? DEFAULT_SANDBOX_SECRET, clock());
  const faults = new FaultInjector({ ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}), ...opts.faults }, opts.randomSeed);
  const limiter = new RateLimiter(clock);
  const stats = new StatsCounter();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let base = '';

  function limitFor(record: TokenRecord | null): number {
    const override = faults.current.rateLimitPerMinute;
    if (override !== null) return override;
    return record ? PLAN_RATE_LIMITS[companies[record.company].plan] : ANONYMOUS_LIMIT;
  }

  function rateLimited(decision: { kind: 'minute' | 'burst'; headers: Record<string, string>; retryAfterMs: number }): Reply {
    const ms = Math.ceil(decision.retryAfterMs);
    const headers = { ...decision.headers, 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
    if (decision.kind === 'burst') {
      return errorReply(429, `Rate limit exceeded for tier-2 route. Please retry in ${ms} milliseconds.`, { ...headers, 'x-front-tier': 'tier-2' });
    }
    return errorReply(429, `Rate limit exceeded. Please retry in ${ms} milliseconds.`, headers);
  }

  /** Front's own answer, once the request got past the edge. */
  function answer(req: IncomingMessage, url: URL, auth: AuthResult): Reply {
    const matched = matchRoute(req.method ?? 'GET', url.pathname);
    if (!auth.ok) {
      const decision = limiter.take(`anonymous:${req.socket.remoteAddress ?? ''}`, limitFor(null), null, null);
      if (decision.kind !== 'ok') return rateLimited(decision);
      return { ...unauthenticated(), headers: decision.headers };
    }
    const record = auth.record;
    const company = companies[record.company];
    const burstKey = matched ? `${company.key} ${matched.route.template}` : null;
    const decision = limiter.take(`company:${company.key}`, limitFor(record), burstKey, faults.current.burstPerSecond);
    if (decision.kind !== 'ok') return rateLimited(decision);
    const withHeaders = (reply: Reply): Reply => ({ ...reply, headers: { ...decision.headers, ...(reply.headers ?? {}) } });

    if (!matched) return withHeaders(errorReply(404, `Route not found: ${req.method ?? 'GET'} ${url.pathname}`));
    const { route, params } = matched;
    if (route.requiredPermission && !record.grants.permissions.has(route.requiredPermission)) {
      return withHeaders(missingPermission(route.requiredPermission));
    }
    return withHeaders(route.handle({ base, company, grants: record.grants, params, query: url.searchParams }));
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;
    // Authenticate on arrival: that is the moment an expiring token is judged.
    const auth = registry.authenticate(req.headers.authorization, clock());
    const matched = matchRoute(req.method ?? 'GET', path);
    stats.request(path, matched ? `${matched.route.method} ${matched.route.template}` : `${req.method ?? 'GET'} (unknown route)`, tokenLabel(auth));

    const latency = faults.latencyFor(path);
    if (latency > 0) await delay(latency);
    if (closed) return;

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

    const reply = answer(req, url, auth);
    stats.outcome(reply.status);
    sendReply(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const tokenInfo = {} as Record<TokenName, SandboxTokenInfo>;
  for (const [name, record] of Object.entries(registry.records) as [TokenName, TokenRecord][]) {
    tokenInfo[name] = { company: record.company, kind: record.kind, description: record.description };
  }

  return {
    url: base,
    tokens: { ...registry.tokens },
    tokenInfo,
    companies,
    setFaults: (f) => faults.set(f),
    faults: () => {
      const current = faults.current;
      return { ...current, onlyPaths: current.onlyPaths ? [...current.onlyPaths] : null };
    },
    setApiAccess(teammate, allowed) {
      const all = Object.values(companies).flatMap((c) => c.teammates);
      const found = all.find((t) => t.id === teammate || t.email.toLowerCase() === teammate.toLowerCase());
      if (!found) throw new Error(`no sandbox teammate with ID or email ${teammate}`);
      found.apiAccessToIndividualResources = allowed;
    },
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    resetRateLimits: () => limiter.reset(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (closed) return resolve();
        closed = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        // Hanging and keep-alive connections would otherwise hold close() open forever.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
