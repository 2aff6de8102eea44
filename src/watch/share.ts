import type { BudgetSnapshot } from '../front';

/**
 * How much of a tenant's Front rate budget watches may spend. Front's limit is per company and per minute, and it
 * belongs to the customer's own integrations first; a watch is the least urgent request front-why makes. So, per
 * tenant and per replica, watches spend at most WATCH_SHARE of the per-minute limit on average (a token bucket
 * refilled at that rate, holding one re-check's worth), a re-check starts only when it could make all its requests
 * without reaching the reserve the rate budget keeps for the customer, and none starts while Front asked for a pause.
 */

export const WATCH_SHARE = 0.1;
/** Front's lowest plan (Starter); used until Front's headers tell the tenant's limit. */
export const ASSUMED_LIMIT_PER_MINUTE = 50;
const MINUTE_MS = 60_000;

export type { BudgetSnapshot };

export type ShareDecision = { ok: true } | { ok: false; retryAt: number; why: string };

interface Bucket {
  tokens: number;
  at: number;
}

export class WatchShare {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly now: () => number,
    /** The most one re-check may send (FRONT_WHY_MAX_CALLS): a re-check waits until it could send them all. */
    private readonly perCheck: number,
    private readonly share = WATCH_SHARE,
  ) {}

  /** May a re-check for `tenant` start now? Spend what it sent with `spent` afterwards. */
  decide(tenant: string, budget: BudgetSnapshot): ShareDecision {
    const now = this.now();
    if (budget.pausedUntil !== undefined && budget.pausedUntil > now) {
      return { ok: false, retryAt: budget.pausedUntil, why: 'Front asked for a pause (429)' };
    }
    if (budget.remaining !== undefined && budget.remaining - budget.inFlight - budget.reserve < this.perCheck) {
      return {
        ok: false,
        retryAt: budget.resetsAt !== undefined && budget.resetsAt > now ? budget.resetsAt : now + MINUTE_MS,
        why: `the tenant's Front window is busy (${budget.remaining} requests left)`,
      };
    }
    const rate = this.ratePerMs(budget);
    const bucket = this.refill(tenant, rate, now);
    if (bucket.tokens < this.perCheck) {
      return {
        ok: false,
        retryAt: now + Math.ceil((this.perCheck - bucket.tokens) / rate),
        why: `watches have spent their share (${Math.round(this.share * 100)}%) of the tenant's Front requests`,
      };
    }
    return { ok: true };
  }

  spent(tenant: string, requests: number, budget: BudgetSnapshot): void {
    const bucket = this.refill(tenant, this.ratePerMs(budget), this.now());
    bucket.tokens -= requests;
  }

  private ratePerMs(budget: BudgetSnapshot): number {
    return (this.share * (budget.limit ?? ASSUMED_LIMIT_PER_MINUTE)) / MINUTE_MS;
  }

  private refill(tenant: string, rate: number, now: number): Bucket {
    const bucket = this.buckets.get(tenant) ?? { tokens: this.perCheck, at: now };
    bucket.tokens = Math.min(this.perCheck, bucket.tokens + Math.max(0, now - bucket.at) * rate);
    bucket.at = now;
    this.buckets.set(tenant, bucket);
    return bucket;
  }
}
