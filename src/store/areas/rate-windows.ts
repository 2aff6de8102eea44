import type { RateWindowDraw, RateWindowGrant, RateWindowSettle, RateWindowState } from '../../front';
import { check } from '../inputs';
import * as input from '../inputs';
import { RATE_WINDOW, type RowOf } from '../rows';
import { sql } from '../sql';
import type { Context } from './context';

/**
 * The shared Front rate window of a tenant, one row per key, decided in one statement so that concurrent draws
 * from any number of processes cannot together pass the reserve: PostgreSQL locks the row for the conflicting
 * insert and re-checks the condition against the committed row; SQLite serialises writers on the database.
 * CASE stands for GREATEST/LEAST, which SQLite does not have; the casts tell PostgreSQL each value's type.
 *
 * Requests in flight hold a lease: a replica that dies mid-request cannot hold the window forever. Every draw
 * extends the lease of all of them, so a count is dropped only after a quiet spell longer than one request can take.
 */
const ms = (value: number | null) => sql`CAST(${value} AS BIGINT)`;
const int = (value: number | null) => sql`CAST(${value} AS INTEGER)`;
/** `in_flight` as it stands at `now`: nothing once the lease of the last draw ran out. */
const liveInFlight = (now: number) =>
  sql`(CASE WHEN rate_windows.lease_until_ms <= ${ms(now)} THEN 0 ELSE rate_windows.in_flight END)`;
const known = (now: number) => sql`(rate_windows.remaining IS NOT NULL AND rate_windows.until_ms > ${ms(now)})`;
const paused = (now: number) =>
  sql`(rate_windows.paused_until_ms IS NOT NULL AND rate_windows.paused_until_ms > ${ms(now)})`;

function toWindowState(row: RowOf<typeof RATE_WINDOW>, now: number): RateWindowState {
  const isKnown = row.remaining !== null && row.untilMs !== null && row.untilMs > now;
  return {
    remaining: isKnown ? row.remaining : null,
    limit: row.rateLimit,
    until: isKnown ? row.untilMs : null,
    pausedUntil: row.pausedUntilMs !== null && row.pausedUntilMs > now ? row.pausedUntilMs : null,
    inFlight: row.leaseUntilMs <= now ? 0 : row.inFlight,
  };
}

/**
 * The store's part in Front's rate budget (src/front/shared-budget.ts): one window per `key` (a tenant name, or
 * "(default)" for FRONT_API_TOKEN) for every process on this database.
 */
export function rateWindows({ db }: Context) {
  const store = {
    /**
     * Counts a request in flight when no per-minute 429 pauses the window and either Front's last count less the
     * requests in flight stays above `reserve`, or no count is known and nothing else is in flight (the first
     * request learns the count for all); otherwise returns the state that refused it. One statement, atomic across
     * processes.
     */
    async drawRateWindow(key: string, draw: RateWindowDraw): Promise<RateWindowGrant> {
      check(input.windowKey, key);
      const { now, reserve, leaseMs } = check(input.rateWindowDraw, draw);
      const granted = await db.all(
        sql`INSERT INTO rate_windows (key, in_flight, lease_until_ms, updated_ms)
            VALUES (${key}, 1, ${ms(now + leaseMs)}, ${ms(now)})
            ON CONFLICT (key) DO UPDATE SET
              in_flight = ${liveInFlight(now)} + 1, lease_until_ms = ${ms(now + leaseMs)}, updated_ms = ${ms(now)}
            WHERE NOT ${paused(now)}
              AND (CASE WHEN ${known(now)} THEN rate_windows.remaining - ${liveInFlight(now)} > ${int(reserve)}
                        ELSE ${liveInFlight(now)} = 0 END)
            RETURNING in_flight`,
      );
      if (granted.length > 0) return { ok: true };
      return { ok: false, state: (await store.readRateWindow(key, now)) as RateWindowState };
    },

    /**
     * Returns a draw and records what Front's headers said; a missing window is left missing. The same rules as the
     * in-process budget (src/front/rate-limit.ts): a per-minute 429 pauses and forgets the count; during a pause
     * nothing else is learnt; within one window the smallest count is the latest truth; a count from an older window
     * is ignored.
     */
    async settleRateWindow(key: string, settle: RateWindowSettle): Promise<void> {
      check(input.windowKey, key);
      const s = check(input.rateWindowSettle, settle);
      const remaining = s.remaining ?? null;
      const until = remaining === null ? null : (s.until ?? null);
      const pause = s.pauseUntil ?? null;
      const stale = sql`(${int(remaining)} IS NULL OR ${paused(s.now)}
        OR (${known(s.now)} AND ${ms(until)} < rate_windows.until_ms))`;
      await db.run(
        sql`UPDATE rate_windows SET
              in_flight = CASE WHEN ${liveInFlight(s.now)} <= ${int(s.returning)} THEN 0
                ELSE rate_windows.in_flight - ${int(s.returning)} END,
              paused_until_ms = CASE
                WHEN ${ms(pause)} IS NULL THEN rate_windows.paused_until_ms
                WHEN ${paused(s.now)} AND rate_windows.paused_until_ms > ${ms(pause)} THEN rate_windows.paused_until_ms
                ELSE ${ms(pause)} END,
              remaining = CASE
                WHEN ${ms(pause)} IS NOT NULL THEN NULL
                WHEN ${stale} THEN rate_windows.remaining
                WHEN ${known(s.now)} AND ${ms(until)} = rate_windows.until_ms
                  AND rate_windows.remaining < ${int(remaining)} THEN rate_windows.remaining
                ELSE ${int(remaining)} END,
              until_ms = CASE
                WHEN ${ms(pause)} IS NOT NULL THEN NULL
                WHEN ${stale} THEN rate_windows.until_ms
                ELSE ${ms(until)} END,
              rate_limit = CASE
                WHEN ${ms(pause)} IS NOT NULL OR ${stale} THEN rate_windows.rate_limit
                ELSE COALESCE(${int(s.limit ?? null)}, rate_windows.rate_limit) END,
              updated_ms = ${ms(s.now)}
            WHERE key = ${key}`,
      );
    },

    /** null when nothing was ever drawn for `key`. */
    async readRateWindow(key: string, now: number): Promise<RateWindowState | null> {
      check(input.windowKey, key);
      const [row] = await db.all(sql`SELECT ${RATE_WINDOW.list} FROM rate_windows WHERE key = ${key}`);
      return row ? toWindowState(RATE_WINDOW.read(row), now) : null;
    },
  };
  return store;
}

export type RateWindowStore = ReturnType<typeof rateWindows>;
