/**
 * Front's two limits (docs/front-behaviour.md §4): a per-company budget per minute, and an optional burst limit
 * per route. All time comes from the injected clock so tests can step across windows.
 */

const MINUTE_MS = 60_000;
const BURST_WINDOW_MS = 1_000;

export type RateDecision =
  | { kind: 'ok'; headers: Record<string, string> }
  | { kind: 'minute' | 'burst'; headers: Record<string, string>; retryAfterMs: number };

/** One company's (or anonymous client's) minute as the sandbox counted it: Front's own count, not a client's view. */
export interface WindowUse {
  bucket: string;
  start: number;
  used: number;
  limit: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, WindowUse>();
  private readonly past: WindowUse[] = [];
  private readonly bursts = new Map<string, number[]>();

  constructor(private readonly clock: () => number) {}

  /**
   * Charges one request to `bucket` when it is admitted. A burst refusal charges nothing, so it
   * answers with `x-ratelimit-remaining` > 0 — the sign that tells a burst from the minute budget.
   */
  take(bucket: string, limit: number, burstKey: string | null, burstPerSecond: number | null): RateDecision {
    const now = this.clock();
    const start = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    let window = this.windows.get(bucket);
    if (!window || window.start !== start) {
      if (window) this.past.push(window);
      window = { bucket, start, used: 0, limit };
      this.windows.set(bucket, window);
    }
    window.limit = limit;
    const resetMs = start + MINUTE_MS;
    const headers = (remaining: number): Record<string, string> => ({
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, remaining)),
      'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
    });

    if (window.used >= limit) return { kind: 'minute', headers: headers(0), retryAfterMs: Math.max(1, resetMs - now) };

    if (burstKey !== null && burstPerSecond !== null && burstPerSecond > 0) {
      const recent = (this.bursts.get(burstKey) ?? []).filter((t) => t > now - BURST_WINDOW_MS);
      if (recent.length >= burstPerSecond) {
        this.bursts.set(burstKey, recent);
        const oldest = recent[0] ?? now;
        return {
          kind: 'burst',
          headers: headers(limit - window.used),
          retryAfterMs: Math.max(1, oldest + BURST_WINDOW_MS - now),
        };
      }
      recent.push(now);
      this.bursts.set(burstKey, recent);
    }

    window.used += 1;
    return { kind: 'ok', headers: headers(limit - window.used) };
  }

  /** Every window since the last reset, oldest first, with the requests it admitted. */
  usage(): WindowUse[] {
    return [...this.past, ...this.windows.values()].map((w) => ({ ...w }));
  }

  reset(): void {
    this.past.length = 0;
    this.windows.clear();
    this.bursts.clear();
  }
}
