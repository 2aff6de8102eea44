import { systemClock, type Clock } from './clock';
import {
  pausedRefusal,
  reserveRefusal,
  type BudgetDecision,
  type BudgetSnapshot,
  type RateBudget,
  type RateLimitInfo,
} from './rate-limit';

/** One draw from a tenant's shared Front rate window (epoch milliseconds throughout). */
export interface RateWindowDraw {
  now: number;
  /** Requests of the window left to the customer's own integrations. */
  reserve: number;
  /** How long a draw counts as in flight when it is never settled (its process died). */
  leaseMs: number;
}

/** A tenant's shared window as the shared store holds it; null where Front has not said (or it no longer holds). */
export interface RateWindowState {
  /** Front's last `x-ratelimit-remaining` for the window ending at `until`. */
  remaining: number | null;
  limit: number | null;
  until: number | null;
  /** A per-minute 429's `retry-after`: nothing is sent before it. */
  pausedUntil: number | null;
  /** Draws not settled yet (0 once their lease ran out). */
  inFlight: number;
}

/** What a response (or a request that got none) hands back to the window. */
export interface RateWindowSettle {
  now: number;
  /** 1 when this settles a draw, 0 for headers seen outside one (a pasted response). */
  returning: 0 | 1;
  remaining?: number;
  limit?: number;
  /** When the window `remaining` describes ends (from `x-ratelimit-reset`, else a minute from now). */
  until?: number;
  /** After a per-minute 429: its `retry-after` as a moment. */
  pauseUntil?: number;
}

export type RateWindowGrant = { ok: true } | { ok: false; state: RateWindowState };

/**
 * Where the tenants' windows live when several processes share them: the store on PostgreSQL (src/store implements
 * this; its comments hold the rules of a draw). Times are epoch milliseconds.
 */
export interface SharedRateWindows {
  drawRateWindow(key: string, draw: RateWindowDraw): Promise<RateWindowGrant>;
  settleRateWindow(key: string, settle: RateWindowSettle): Promise<void>;
}

export interface SharedRateBudget extends RateBudget {
  acquire(): Promise<BudgetDecision>;
  /** Record headers seen outside `acquire`/`release` (e.g. from a pasted response). */
  observe(seen: RateLimitInfo): void;
  /** Resolves once every release and observation so far is written. */
  settled(): Promise<void>;
  /**
   * The window as this process last saw it (from Front's headers or a refused draw) and its own requests in
   * flight: enough for a watch to stay out of a busy minute without a round trip to the store.
   */
  snapshot(): BudgetSnapshot;
}

export interface SharedRateBudgetOptions {
  /** The tenant's name ("(default)" for FRONT_API_TOKEN). */
  key: string;
  windows: SharedRateWindows;
  reserve?: number;
  /** How long an unsettled draw counts as in flight (a replica may die mid-request). */
  leaseMs?: number;
  /** How soon to ask again while another request is learning the window's count. */
  pollMs?: number;
  clock?: Pick<Clock, 'now'>;
  /** A write that failed (the store never throws into the request that caused it). */
  onError?: (err: unknown) => void;
}

// Front's window is a minute; without a reset header, a remaining count is trusted for that long.
const WINDOW_MS = 60_000;

/** What a response's headers teach the shared window, in the store's terms. */
function lesson(
  seen: RateLimitInfo | undefined,
  now: number,
): { remaining?: number; limit?: number; until?: number; pauseUntil?: number } {
  if (!seen) return {};
  if (seen.burst === false && seen.retryAfterSec !== undefined) return { pauseUntil: now + seen.retryAfterSec * 1000 };
  if (seen.remaining === undefined) return {};
  return {
    remaining: seen.remaining,
    until: seen.reset !== undefined ? seen.reset * 1000 : now + WINDOW_MS,
    ...(seen.limit !== undefined ? { limit: seen.limit } : {}),
  };
}

/**
 * A tenant's budget drawn from the store, so every replica's requests count against one window: the same promises
 * as the in-process budget (never the customer's last `reserve` requests; nothing before a per-minute 429's
 * `retry-after`), plus one more that only sharing needs: while no replica knows the window's count, one request at
 * a time goes and learns it for all, since N replicas each sending "just a few" blind is how the reserve was spent.
 * A draw costs one statement; the release is written after the answer is handed on, off the request's path.
 */
export function createSharedRateBudget(options: SharedRateBudgetOptions): SharedRateBudget {
  const { key, windows } = options;
  const reserve = options.reserve ?? 5;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 25;
  const clock = options.clock ?? systemClock;
  const pending = new Set<Promise<void>>();
  const seen: Omit<BudgetSnapshot, 'inFlight' | 'reserve'> = {};
  let inFlight = 0;

  function learn(lessonOf: {
    remaining?: number | null;
    limit?: number;
    until?: number | null;
    pauseUntil?: number | null;
  }): void {
    if (lessonOf.remaining != null) seen.remaining = lessonOf.remaining;
    if (lessonOf.limit != null) seen.limit = lessonOf.limit;
    if (lessonOf.until != null) seen.resetsAt = lessonOf.until;
    if (lessonOf.pauseUntil != null) seen.pausedUntil = lessonOf.pauseUntil;
  }

  function write(settle: RateWindowSettle): void {
    learn(settle);
    const done = windows.settleRateWindow(key, settle).catch((err: unknown) => options.onError?.(err));
    pending.add(done);
    void done.finally(() => pending.delete(done));
  }

  async function acquire(): Promise<BudgetDecision> {
    const now = clock.now();
    let grant: RateWindowGrant;
    try {
      grant = await windows.drawRateWindow(key, { now, reserve, leaseMs });
    } catch (err) {
      options.onError?.(err);
      return {
        ok: false,
        message: "not sent: the tenant's shared rate budget could not be read from the store",
        exhausted: false,
      };
    }
    if (grant.ok) {
      let released = false;
      inFlight += 1;
      return {
        ok: true,
        release(info) {
          if (released) return;
          released = true;
          inFlight -= 1;
          write({ now: clock.now(), returning: 1, ...lesson(info, clock.now()) });
        },
      };
    }
    const state = grant.state;
    // The plan's limit too: another replica may have learnt it before this one's first answer.
    if (state)
      learn({
        remaining: state.remaining,
        until: state.until,
        pauseUntil: state.pausedUntil,
        ...(state.limit != null ? { limit: state.limit } : {}),
      });
    if (state?.pausedUntil != null) return pausedRefusal(state.pausedUntil, now);
    if (state?.remaining != null && state.until != null && state.remaining - state.inFlight <= reserve)
      return reserveRefusal(state.remaining - state.inFlight, state.until, reserve, now);
    // Another replica's request is learning the window's count (or the row changed since the draw): ask again soon.
    return {
      ok: false,
      message: 'not sent: waiting for Front to say how many requests this company has left in the minute',
      exhausted: false,
      retryAt: now + pollMs,
    };
  }

  return {
    acquire,
    observe(seen) {
      write({ now: clock.now(), returning: 0, ...lesson(seen, clock.now()) });
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    snapshot() {
      const now = clock.now();
      // A count from a minute that has ended says nothing about this one; a pause that ended holds nothing back.
      const current = seen.resetsAt !== undefined && seen.resetsAt > now;
      return {
        ...(current ? { remaining: seen.remaining, resetsAt: seen.resetsAt } : {}),
        ...(seen.limit !== undefined ? { limit: seen.limit } : {}),
        ...(seen.pausedUntil !== undefined && seen.pausedUntil > now ? { pausedUntil: seen.pausedUntil } : {}),
        inFlight,
        reserve,
      };
    },
  };
}
