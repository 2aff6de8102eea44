import { systemClock, type Clock } from './clock';

/** What Front's rate-limit headers said on one response. */
export interface RateLimitInfo {
  /** `x-ratelimit-limit`: requests per minute for the company. */
  limit?: number;
  /** `x-ratelimit-remaining`. */
  remaining?: number;
  /** `x-ratelimit-reset`: unix seconds. */
  reset?: number;
  /** `retry-after` in seconds (an HTTP date is converted). */
  retryAfterSec?: number;
  /** `x-front-tier`, sent on burst-limited routes. */
  tier?: string;
  /** Only on a 429: true for a burst (per-route, per-second) limit, false for the per-minute company limit. */
  burst?: boolean;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.trim();
}

function nonNegative(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+(?:\.\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads Front's rate-limit headers; a header that is missing or malformed is left out, never guessed. */
export function parseRateLimit(headers: HeaderBag, status: number, now: number): RateLimitInfo {
  const info: RateLimitInfo = {};
  const limit = nonNegative(headerValue(headers, 'x-ratelimit-limit'));
  if (limit !== undefined) info.limit = limit;
  const remaining = nonNegative(headerValue(headers, 'x-ratelimit-remaining'));
  if (remaining !== undefined) info.remaining = remaining;
  const reset = nonNegative(headerValue(headers, 'x-ratelimit-reset'));
  if (reset !== undefined) info.reset = reset;
  const retryAfterRaw = headerValue(headers, 'retry-after');
  let retryAfter = nonNegative(retryAfterRaw);
  if (retryAfter === undefined && retryAfterRaw !== undefined) {
    const date = Date.parse(retryAfterRaw);
    if (Number.isFinite(date)) retryAfter = Math.max(0, Math.ceil((date - now) / 1000));
  }
  if (retryAfter !== undefined) info.retryAfterSec = retryAfter;
  const tier = headerValue(headers, 'x-front-tier');
  if (tier !== undefined && tier !== '') info.tier = tier.slice(0, 64);
  if (status === 429) {
    // Front adds x-front-tier on burst-limited routes; and a 429 while requests remain in the minute
    // cannot be the per-minute limit.
    info.burst = info.tier !== undefined || (info.remaining !== undefined && info.remaining > 0);
  }
  return info;
}

export type BudgetDecision =
  | { ok: true; release(seen?: RateLimitInfo): void }
  /**
   * `exhausted`: Front itself reported the company out of requests (not just a cap of front-why's own).
   * `retryAt` (epoch ms): when Front said requests may go again (a 429's `retry-after`); absent when the
   * refusal lasts until the window resets.
   */
  | { ok: false; message: string; exhausted: boolean; retryAt?: number };

/**
 * Asked before every request; `release` hands back what the response's headers said. A budget kept in this
 * process answers at once; one shared through the store (src/front/shared-budget.ts) answers after a round trip.
 */
export interface RateBudget {
  acquire(): BudgetDecision | Promise<BudgetDecision>;
}

/** What a budget knows of the window. `pausedUntil`: epoch ms before which a per-minute 429's `retry-after` asked for no request. */
export interface BudgetSnapshot {
  remaining?: number;
  limit?: number;
  resetsAt?: number;
  pausedUntil?: number;
  inFlight: number;
  reserve: number;
}

export interface TenantRateBudget extends RateBudget {
  acquire(): BudgetDecision;
  /** Record headers seen outside `acquire`/`release` (e.g. from a pasted response). */
  observe(seen: RateLimitInfo): void;
  snapshot(): BudgetSnapshot;
  /** A view for one diagnosis: shares the tenant's state, and refuses after `maxRequests` requests. */
  forDiagnosis(maxRequests?: number): { acquire(): BudgetDecision; used(): number };
}

export interface RateBudgetOptions {
  /** Requests left to the customer's own integrations: never spent by front-why before the reset. */
  reserve?: number;
  /** Default cap for `forDiagnosis()`. */
  maxPerDiagnosis?: number;
  clock?: Pick<Clock, 'now'>;
}

// Front's window is a minute; without a reset header, a remaining count is trusted for that long.
const WINDOW_MS = 60_000;

export const secondsUntil = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 1000));

export function pausedRefusal(resumeAt: number, now: number): BudgetDecision {
  return {
    ok: false,
    message: `not sent: Front's per-minute rate limit for this company is used up, and Front asked (retry-after) for no request in the next ${secondsUntil(resumeAt, now)} s`,
    exhausted: true,
    retryAt: resumeAt,
  };
}

/** `unclaimed`: Front's remaining count less the requests in flight; may be negative. */
export function reserveRefusal(unclaimed: number, until: number, reserve: number, now: number): BudgetDecision {
  const left = Math.max(0, unclaimed);
  return {
    ok: false,
    message: `not sent: Front reports ${left} request${left === 1 ? '' : 's'} left for this company for about ${secondsUntil(until, now)} s, and front-why leaves the last ${reserve} to the customer's own integrations`,
    exhausted: true,
  };
}

/**
 * A diagnosis's view of the budget: it also refuses once `maxRequests` requests have gone through it. A request is
 * counted when asked for and given back if refused, so parallel probes waiting on a shared budget cannot pass the cap.
 */
export function capForDiagnosis(
  acquire: () => BudgetDecision,
  maxRequests: number,
): { acquire(): BudgetDecision; used(): number };
export function capForDiagnosis(
  acquire: () => BudgetDecision | Promise<BudgetDecision>,
  maxRequests: number,
): RateBudget & { used(): number };
export function capForDiagnosis(
  acquire: () => BudgetDecision | Promise<BudgetDecision>,
  maxRequests: number,
): RateBudget & { used(): number } {
  let used = 0;
  const counted = (decision: BudgetDecision): BudgetDecision => {
    if (!decision.ok) used -= 1;
    return decision;
  };
  return {
    used: () => used,
    acquire() {
      if (used >= maxRequests) {
        return {
          ok: false,
          message: `not sent: this diagnosis already made ${used} Front request${used === 1 ? '' : 's'}, its limit`,
          exhausted: false,
        };
      }
      used += 1;
      const decision = acquire();
      return decision instanceof Promise ? decision.then(counted) : counted(decision);
    },
  };
}

/**
 * One per tenant (Front's limit is per company, not per token). It remembers the last remaining count
 * and counts requests in flight, so parallel probes cannot together spend the reserve.
 *
 * A per-minute 429 is different: its `retry-after` is Front's word on when the company may send again,
 * and Front starts counting afresh then. So nothing is sent before that moment, and the count and reset
 * that came with the 429 (or arrive during the pause, from requests sent before it) are not carried past it.
 */
export function createRateBudget(options: RateBudgetOptions = {}): TenantRateBudget {
  const reserve = options.reserve ?? 5;
  const clock = options.clock ?? systemClock;
  let known: { remaining: number; limit?: number; until: number } | undefined;
  let pausedUntil: number | undefined;
  let inFlight = 0;

  function paused(): number | undefined {
    if (pausedUntil !== undefined && clock.now() >= pausedUntil) pausedUntil = undefined;
    return pausedUntil;
  }

  function current(): typeof known {
    if (known && clock.now() >= known.until) known = undefined;
    return known;
  }

  function observe(seen: RateLimitInfo): void {
    if (seen.burst === false && seen.retryAfterSec !== undefined) {
      pausedUntil = Math.max(paused() ?? 0, clock.now() + seen.retryAfterSec * 1000);
      known = undefined;
      return;
    }
    if (paused() !== undefined) return;
    if (seen.remaining === undefined) return;
    const until = seen.reset !== undefined ? seen.reset * 1000 : clock.now() + WINDOW_MS;
    const prev = current();
    // Responses can arrive out of order: within one window the smallest count is the latest truth,
    // and a response from an older window says nothing about the current one.
    if (prev && until < prev.until) return;
    const remaining = prev && until === prev.until ? Math.min(prev.remaining, seen.remaining) : seen.remaining;
    known = { remaining, until, ...(seen.limit !== undefined ? { limit: seen.limit } : {}) };
  }

  function acquire(): BudgetDecision {
    const resumeAt = paused();
    if (resumeAt !== undefined) return pausedRefusal(resumeAt, clock.now());
    const state = current();
    if (state && state.remaining - inFlight <= reserve)
      return reserveRefusal(state.remaining - inFlight, state.until, reserve, clock.now());
    inFlight += 1;
    let released = false;
    return {
      ok: true,
      release(seen) {
        if (released) return;
        released = true;
        inFlight -= 1;
        if (seen) observe(seen);
      },
    };
  }

  function forDiagnosis(maxRequests = options.maxPerDiagnosis ?? Number.POSITIVE_INFINITY): {
    acquire(): BudgetDecision;
    used(): number;
  } {
    return capForDiagnosis(acquire, maxRequests);
  }

  return {
    acquire,
    observe,
    forDiagnosis,
    snapshot() {
      // Asked before and after every request a check sends: one object, not one per optional field.
      const state = current();
      const resumeAt = paused();
      const snapshot: BudgetSnapshot = { inFlight, reserve };
      if (state) {
        snapshot.remaining = state.remaining;
        snapshot.resetsAt = state.until;
        if (state.limit !== undefined) snapshot.limit = state.limit;
      }
      if (resumeAt !== undefined) snapshot.pausedUntil = resumeAt;
      return snapshot;
    },
  };
}
