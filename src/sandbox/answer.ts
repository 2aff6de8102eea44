import { errorReply, missingPermission, unauthenticated, type Reply } from './errors';
import type { FaultInjector } from './faults';
import type { Route } from './route';
import type { RateDecision, RateLimiter } from './ratelimit';
import { PLAN_RATE_LIMITS, type CompanyKey, type SeedCompany } from './seed';
import type { AuthResult, TokenRecord } from './tokens';

/** What Front's answer depends on besides the request. */
export interface AnswerContext {
  companies: Readonly<Record<CompanyKey, SeedCompany>>;
  limiter: RateLimiter;
  /** Read for the rate-limit overrides a test sets. */
  faults: FaultInjector;
  /** The sandbox's own URL, for the links in an answer. */
  base: string;
}

export interface AnswerRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  remoteAddress: string;
  auth: AuthResult;
  matched: { route: Route; params: Record<string, string> } | null;
}

/** Requests that fail authentication have no company; they share one budget per client address. */
const ANONYMOUS_LIMIT = PLAN_RATE_LIMITS.Starter;

function perMinuteLimit(
  record: TokenRecord | null,
  companies: AnswerContext['companies'],
  faults: FaultInjector,
): number {
  const override = faults.current.rateLimitPerMinute;
  if (override !== null) return override;
  return record ? PLAN_RATE_LIMITS[companies[record.company].plan] : ANONYMOUS_LIMIT;
}

function rateLimitedReply(decision: Exclude<RateDecision, { kind: 'ok' }>): Reply {
  const ms = Math.ceil(decision.retryAfterMs);
  const headers = { ...decision.headers, 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
  if (decision.kind === 'burst') {
    return errorReply(429, `Rate limit exceeded for tier-2 route. Please retry in ${ms} milliseconds.`, {
      ...headers,
      'x-front-tier': 'tier-2',
    });
  }
  return errorReply(429, `Rate limit exceeded. Please retry in ${ms} milliseconds.`, headers);
}

/** Front's own answer, once the request got past the edge: rate limits, authentication, route, permission. */
export function frontAnswer(ctx: AnswerContext, request: AnswerRequest): Reply {
  const { auth, matched } = request;
  if (!auth.ok) {
    const decision = ctx.limiter.take(
      `anonymous:${request.remoteAddress}`,
      perMinuteLimit(null, ctx.companies, ctx.faults),
      null,
      null,
    );
    if (decision.kind !== 'ok') return rateLimitedReply(decision);
    return { ...unauthenticated(), headers: decision.headers };
  }
  const record = auth.record;
  const company = ctx.companies[record.company];
  const burstKey = matched ? `${company.key} ${matched.route.template}` : null;
  const decision = ctx.limiter.take(
    `company:${company.key}`,
    perMinuteLimit(record, ctx.companies, ctx.faults),
    burstKey,
    ctx.faults.current.burstPerSecond,
  );
  if (decision.kind !== 'ok') return rateLimitedReply(decision);
  const withHeaders = (reply: Reply): Reply => ({
    ...reply,
    headers: { ...decision.headers, ...(reply.headers ?? {}) },
  });

  if (!matched) return withHeaders(errorReply(404, `Route not found: ${request.method} ${request.path}`));
  const { route, params } = matched;
  if (route.requiredPermission && !record.grants.permissions.has(route.requiredPermission)) {
    return withHeaders(missingPermission(route.requiredPermission));
  }
  return withHeaders(route.handle({ base: ctx.base, company, grants: record.grants, params, query: request.query }));
}
