/** When a watch looks again: soon at first, then less and less often, never less than every half hour. */

export const MAX_WATCH_INTERVAL_MS = 30 * 60_000;
export const DAY_MS = 24 * 60 * 60_000;

export interface WatchSchedule {
  /** Before the first re-check (FRONT_WHY_WATCH_INTERVAL_MS). */
  intervalMs: number;
  /** How long a watch lasts before it gives up (FRONT_WHY_WATCH_DAYS). */
  days: number;
}

/** The wait after `attempts` re-checks: the interval, doubled after each, at most 30 minutes. */
export function delayAfter(attempts: number, intervalMs: number): number {
  const doublings = Math.min(Math.max(0, attempts), 30);
  return Math.min(intervalMs * 2 ** doublings, Math.max(intervalMs, MAX_WATCH_INTERVAL_MS));
}

/** The next check, never after the watch expires (it is then picked up to say it gave up). */
export function nextCheckAt(now: number, attempts: number, intervalMs: number, expiresAt: number): Date {
  return new Date(Math.min(now + delayAfter(attempts, intervalMs), expiresAt));
}

export function expiryOf(startedAt: number, schedule: WatchSchedule): Date {
  return new Date(startedAt + schedule.days * DAY_MS);
}
