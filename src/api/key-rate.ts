/**
 * Each API key's own limit: `perMinute` calls in each clock minute, divided among the live replicas (each counts
 * its own, as the checks' share does), so a runaway integration is told to slow down before it spends the tenant's
 * share of Front for everyone else. In memory: a minute's counts are not worth a store round trip per call.
 */
export class KeyRate {
  private readonly minutes = new Map<string, { minute: number; used: number }>();

  constructor(
    private readonly now: () => number,
    private readonly replicas: () => number,
  ) {}

  /** Counts a call of `keyId`; when its minute is spent, the seconds until the next one instead. */
  take(keyId: string, perMinute: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const minute = Math.floor(now / 60_000);
    const cap = Math.max(1, Math.floor(perMinute / Math.max(1, Math.floor(this.replicas()))));
    let counted = this.minutes.get(keyId);
    if (!counted || counted.minute !== minute) {
      counted = { minute, used: 0 };
      this.minutes.set(keyId, counted);
    }
    if (counted.used >= cap)
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)) };
    counted.used += 1;
    return { ok: true };
  }
}
