import type { Input } from '../shapes';
import { check } from '../inputs';
import * as input from '../inputs';
import { ACTIVITY, type RowOf } from '../rows';
import { list, sql, where } from '../sql';
import type { Context } from './context';

const PURGE_EVERY_MS = 60_000;

/** Needs no keyring: nothing in the log is encrypted (token-shaped text is redacted before it is written). */
export function activity({ db }: Pick<Context, 'db'>) {
  return {
    /** Anything shaped like a bearer token or JWT in the text fields is redacted before it is written. */
    async recordActivity(entry: NewActivityEntry) {
      const e = check(input.newActivity, entry);
      await db.run(
        sql`INSERT INTO activity_log (at, actor, team_id, channel_id, tenant, action, target, cause, detail)
            VALUES (${e.at}, ${e.actor}, ${e.teamId}, ${e.channelId}, ${e.tenant}, ${e.action}, ${e.target},
              ${e.cause}, ${e.detail})`,
      );
    },

    /** Newest first; default 100 entries, at most 1000. */
    async listActivity(query: ActivityQuery = {}) {
      const q = check(input.activityQuery, query);
      const rows = await db.all(
        sql`SELECT ${ACTIVITY.list} FROM activity_log
            WHERE ${where([
              q.tenant !== undefined && sql`tenant = ${q.tenant}`,
              q.since !== undefined && sql`at >= ${q.since}`,
              q.actions !== undefined && (q.actions.length === 0 ? sql`FALSE` : sql`action IN (${list(q.actions)})`),
              q.before !== undefined && sql`(at < ${q.before.at} OR (at = ${q.before.at} AND id < ${q.before.id}))`,
            ])}
            ORDER BY at DESC, id DESC LIMIT ${q.limit}`,
      );
      return rows.map(ACTIVITY.read);
    },
  };
}

export function claims({ db, clock }: Context) {
  let lastPurge = Number.NEGATIVE_INFINITY;
  return {
    /**
     * true for the first caller only, across every process sharing the database, until the key expires.
     * Expired keys can be claimed again and are purged lazily.
     */
    async claimEvent(key: string, ttlSeconds: number) {
      const c = check(input.eventClaim, { key, ttlSeconds });
      const now = clock();
      if (now.getTime() - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = now.getTime();
        await db.run(sql`DELETE FROM event_claims WHERE expires_at <= ${now}`);
      }
      // One statement decides: a fresh key inserts, an expired one is taken over, a live one changes nothing.
      // Concurrent inserts of one key wait on the unique index, then see the winner's row as live.
      const expires = new Date(now.getTime() + Math.ceil(c.ttlSeconds * 1000));
      const changed = await db.run(
        sql`INSERT INTO event_claims (key, claimed_at, expires_at) VALUES (${c.key}, ${now}, ${expires})
            ON CONFLICT (key) DO UPDATE SET claimed_at = excluded.claimed_at, expires_at = excluded.expires_at
            WHERE event_claims.expires_at <= ${now}`,
      );
      return changed === 1;
    },
  };
}

export type ActivityStore = ReturnType<typeof activity>;
export type ClaimStore = ReturnType<typeof claims>;
export type ActivityEntry = RowOf<typeof ACTIVITY>;
export type NewActivityEntry = Input<typeof input.newActivity>;
export type ActivityQuery = Input<typeof input.activityQuery>;
