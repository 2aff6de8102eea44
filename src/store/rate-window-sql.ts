import type { RateWindowState } from './store-api';

/**
 * The shared Front rate window of a tenant, one row per key, decided in one statement so that concurrent draws
 * from any number of processes cannot together pass the reserve: PostgreSQL locks the row for the conflicting
 * insert and re-checks the condition against the committed row; SQLite serialises writers on the database.
 * The text is shared by both databases: `?N` parameters (`$N` after `forPostgres`, `@pN` after `forSqlite`) and CASE
 * instead of GREATEST/LEAST, which SQLite does not have.
 *
 * Requests in flight hold a lease: a replica that dies mid-request cannot hold the window forever. Every draw
 * extends the lease of all of them, so a count is dropped only after a quiet spell longer than one request can take.
 */

/** `in_flight` as it stands at `now`: nothing once the lease of the last draw ran out. */
const LIVE_IN_FLIGHT =
  '(CASE WHEN rate_windows.lease_until_ms <= CAST(?2 AS BIGINT) THEN 0 ELSE rate_windows.in_flight END)';
const KNOWN = '(rate_windows.remaining IS NOT NULL AND rate_windows.until_ms > CAST(?2 AS BIGINT))';
const PAUSED = '(rate_windows.paused_until_ms IS NOT NULL AND rate_windows.paused_until_ms > CAST(?2 AS BIGINT))';

/**
 * ?1 key, ?2 now (ms), ?3 reserve, ?4 lease (ms). Returns a row when the request may go (and counts it in flight):
 * not paused by a per-minute 429; and either Front's last count less what is in flight stays above the reserve, or
 * no count is known for this window and nothing else is in flight (the first request learns the count for all).
 */
export const DRAW_SQL = `
  INSERT INTO rate_windows (key, in_flight, lease_until_ms, updated_ms)
  VALUES (?1, 1, CAST(?2 AS BIGINT) + CAST(?4 AS BIGINT), CAST(?2 AS BIGINT))
  ON CONFLICT (key) DO UPDATE SET
    in_flight = ${LIVE_IN_FLIGHT} + 1,
    lease_until_ms = CAST(?2 AS BIGINT) + CAST(?4 AS BIGINT),
    updated_ms = CAST(?2 AS BIGINT)
  WHERE NOT ${PAUSED}
    AND (CASE WHEN ${KNOWN} THEN rate_windows.remaining - ${LIVE_IN_FLIGHT} > CAST(?3 AS INTEGER)
              ELSE ${LIVE_IN_FLIGHT} = 0 END)
  RETURNING in_flight`;

/**
 * ?1 key, ?2 now, ?3 requests returned (0 or 1), ?4 remaining seen, ?5 limit seen, ?6 until (ms) of the window
 * the count describes, ?7 pause until (ms) after a per-minute 429. The same rules as the in-process budget
 * (src/front/rate-limit.ts): a per-minute 429 pauses and forgets the count; during a pause nothing else is learnt;
 * within one window the smallest count is the latest truth; a count from an older window is ignored.
 */
const STALE = `(CAST(?4 AS INTEGER) IS NULL OR ${PAUSED} OR (${KNOWN} AND CAST(?6 AS BIGINT) < rate_windows.until_ms))`;
export const SETTLE_SQL = `
  UPDATE rate_windows SET
    in_flight = CASE WHEN ${LIVE_IN_FLIGHT} <= CAST(?3 AS INTEGER) THEN 0 ELSE rate_windows.in_flight - CAST(?3 AS INTEGER) END,
    paused_until_ms = CASE
      WHEN CAST(?7 AS BIGINT) IS NULL THEN rate_windows.paused_until_ms
      WHEN ${PAUSED} AND rate_windows.paused_until_ms > CAST(?7 AS BIGINT) THEN rate_windows.paused_until_ms
      ELSE CAST(?7 AS BIGINT) END,
    remaining = CASE
      WHEN CAST(?7 AS BIGINT) IS NOT NULL THEN NULL
      WHEN ${STALE} THEN rate_windows.remaining
      WHEN ${KNOWN} AND CAST(?6 AS BIGINT) = rate_windows.until_ms AND rate_windows.remaining < CAST(?4 AS INTEGER)
        THEN rate_windows.remaining
      ELSE CAST(?4 AS INTEGER) END,
    until_ms = CASE
      WHEN CAST(?7 AS BIGINT) IS NOT NULL THEN NULL
      WHEN ${STALE} THEN rate_windows.until_ms
      ELSE CAST(?6 AS BIGINT) END,
    rate_limit = CASE
      WHEN CAST(?7 AS BIGINT) IS NOT NULL OR ${STALE} THEN rate_windows.rate_limit
      ELSE COALESCE(CAST(?5 AS INTEGER), rate_windows.rate_limit) END,
    updated_ms = CAST(?2 AS BIGINT)
  WHERE key = ?1`;

export const READ_SQL = `
  SELECT remaining, rate_limit, until_ms, paused_until_ms, in_flight, lease_until_ms FROM rate_windows WHERE key = ?1`;

export function forPostgres(sql: string): string {
  return sql.replace(/\?(\d+)/g, '$$$1');
}

/** better-sqlite3 binds named parameters from an object; `?N` becomes `@pN`. */
export function forSqlite(sql: string): string {
  return sql.replace(/\?(\d+)/g, '@p$1');
}

export function sqliteParams(values: unknown[]): Record<string, unknown> {
  return Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]));
}

export interface RateWindowRow {
  remaining: number | string | null;
  rate_limit: number | string | null;
  until_ms: number | string | null;
  paused_until_ms: number | string | null;
  in_flight: number | string;
  lease_until_ms: number | string;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** bigint columns come back from node-postgres as strings. */
export function toWindowState(row: RateWindowRow, now: number): RateWindowState {
  const known = row.remaining !== null && row.until_ms !== null && Number(row.until_ms) > now;
  const paused = row.paused_until_ms !== null && Number(row.paused_until_ms) > now;
  return {
    remaining: known ? num(row.remaining) : null,
    limit: num(row.rate_limit),
    until: known ? num(row.until_ms) : null,
    pausedUntil: paused ? num(row.paused_until_ms) : null,
    inFlight: Number(row.lease_until_ms) <= now ? 0 : Number(row.in_flight),
  };
}
