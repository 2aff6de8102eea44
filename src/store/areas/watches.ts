import { randomBytes } from 'node:crypto';
import type { Input } from '../shapes';
import { check } from '../inputs';
import * as input from '../inputs';
import { WATCH, type RowOf } from '../rows';
import { sql, where } from '../sql';
import { notFound, type Context } from './context';

/** What a watch leaves in the activity log: one start, any number of changes, and one end. */
export const WATCH_ACTIVITY_ACTIONS = [
  'watch.start',
  'watch.changed',
  'watch.fixed',
  'watch.expired',
  'watch.stop',
] as const;

const byNextCheck = (a: Watch, b: Watch) => a.nextCheckAt.getTime() - b.nextCheckAt.getTime();

export function watches({ db }: Context) {
  const store = {
    /**
     * Starts watching, or returns the watch already active for the same thread and target (`created` false).
     * Anything token-shaped in the target is redacted before it is written. The watch holds the id of the tenant
     * `tenant` names at that moment (or DEFAULT_TOKEN_TENANT_ID with `defaultToken`). Throws `invalid_input` or
     * `tenant_not_found`.
     */
    async startWatch(watch: Input<typeof input.newWatch>): Promise<{ watch: Watch; created: boolean }> {
      const w = check(input.newWatch, watch);
      const id = `w${randomBytes(8).toString('hex')}`;
      const started = await db.transaction(async (tx) => {
        let tenantId = input.DEFAULT_TOKEN_TENANT_ID;
        if (!w.defaultToken) {
          // Locked: a removal meanwhile must not leave a watch holding an id no tenant has.
          const [tenant] = await tx.all<{ id: string }>(
            sql`SELECT id FROM tenants WHERE name = ${w.tenant} ${db.forUpdate}`,
          );
          if (!tenant) throw notFound(w.tenant);
          tenantId = tenant.id;
        }
        // The partial unique index keeps one active watch per thread and target: a double click starts one.
        const [row] = await tx.all(
          sql`INSERT INTO watches (id, tenant, tenant_id, team_id, channel_id, thread_ts, target, label, cause, owner,
                state, started_by, started_at, next_check_at, attempts, expires_at, last_cause)
              VALUES (${id}, ${w.tenant}, ${tenantId}, ${w.teamId}, ${w.channelId}, ${w.threadTs}, ${w.target},
                ${w.label}, ${w.cause}, ${w.owner}, 'active', ${w.startedBy}, ${w.startedAt}, ${w.nextCheckAt}, 0,
                ${w.expiresAt}, ${w.cause})
              ON CONFLICT (team_id, channel_id, thread_ts, target) WHERE state = 'active' DO NOTHING
              RETURNING ${WATCH.list}`,
        );
        if (row) return { watch: WATCH.read(row), created: true };
        const [existing] = await tx.all(
          sql`SELECT ${WATCH.list} FROM watches WHERE team_id = ${w.teamId} AND channel_id = ${w.channelId}
                AND thread_ts = ${w.threadTs} AND target = ${w.target} AND state = 'active'`,
        );
        return existing ? { watch: WATCH.read(existing), created: false } : undefined;
      });
      // Ended between the two statements: start afresh.
      return started ?? store.startWatch(watch);
    },

    async getWatch(id: string) {
      const [row] = await db.all(sql`SELECT ${WATCH.list} FROM watches WHERE id = ${check(input.watchId, id)}`);
      return row ? WATCH.read(row) : null;
    },

    /** Oldest first; default: the active ones. */
    async listWatches(query: Input<typeof input.watchQuery> = {}) {
      const q = check(input.watchQuery, query);
      const rows = await db.all(
        sql`SELECT ${WATCH.list} FROM watches
            WHERE ${where([
              q.teamId !== undefined && sql`team_id = ${q.teamId}`,
              q.channelId !== undefined && sql`channel_id = ${q.channelId}`,
              q.tenant !== undefined && sql`tenant = ${q.tenant}`,
              q.state !== 'any' && sql`state = ${q.state}`,
            ])}
            ORDER BY started_at, id LIMIT ${q.limit}`,
      );
      return rows.map(WATCH.read);
    },

    /** Active watches across every replica sharing the database (what GET /metrics reports). */
    async countActiveWatches() {
      const [row] = await db.all<{ n: unknown }>(sql`SELECT count(*) AS n FROM watches WHERE state = 'active'`);
      return Number(row?.n ?? 0);
    },

    /**
     * Leases up to `limit` active watches that are due (next check or expiry reached) and not leased by anyone
     * else, to `holder` until `now + leaseMs`. Across every replica sharing the database, a watch is leased to
     * one holder at a time; a lease that ran out (its holder crashed) is taken over.
     */
    async claimDueWatches(claim: Input<typeof input.watchClaim>) {
      const c = check(input.watchClaim, claim);
      const free = sql`state = 'active' AND (lease_until IS NULL OR lease_until <= ${c.now})`;
      // The condition is checked again on the row the subquery picked, so a row another claim just leased is left.
      const rows = await db.all(
        sql`UPDATE watches SET lease_holder = ${c.holder}, lease_until = ${new Date(c.now.getTime() + c.leaseMs)}
            WHERE id IN (
              SELECT id FROM watches WHERE ${free} AND (next_check_at <= ${c.now} OR expires_at <= ${c.now})
              ORDER BY next_check_at, id LIMIT ${c.limit} ${db.skipLocked})
            AND ${free}
            RETURNING ${WATCH.list}`,
      );
      return rows.map(WATCH.read).sort(byNextCheck);
    },

    /**
     * Records a re-check by the lease's holder and releases the lease; one more attempt is counted. Returns the
     * cause recorded before (so the caller can tell whether it changed), or `undefined` when `holder` no longer
     * holds an active watch's lease (the watch ended, or its lease ran out and another replica took it).
     */
    async recordWatchCheck(id: string, holder: string, update: Input<typeof input.watchCheckUpdate>) {
      check(input.watchId, id);
      check(input.holder, holder);
      const u = check(input.watchCheckUpdate, update);
      // The cause read and the update are one step for every replica.
      return db.transaction(async (tx) => {
        const [before] = await tx.all<{ last_cause: string | null }>(
          sql`SELECT last_cause FROM watches WHERE id = ${id} AND state = 'active' AND lease_holder = ${holder}
              ${db.forUpdate}`,
        );
        if (!before) return undefined;
        await tx.run(
          sql`UPDATE watches SET attempts = attempts + 1, last_checked_at = ${u.checkedAt},
                next_check_at = ${u.nextCheckAt}, last_cause = coalesce(${u.cause}, last_cause),
                last_result = ${u.result}, lease_holder = NULL, lease_until = NULL
              WHERE id = ${id}`,
        );
        return { previousCause: before.last_cause };
      });
    },

    /** Moves the next check without counting an attempt (the tenant's Front budget was busy); releases the lease. */
    async postponeWatch(id: string, holder: string, nextCheckAt: Date) {
      check(input.watchId, id);
      check(input.holder, holder);
      const next = check(input.date('nextCheckAt'), nextCheckAt);
      const changed = await db.run(
        sql`UPDATE watches SET next_check_at = ${next}, lease_holder = NULL, lease_until = NULL
            WHERE id = ${id} AND state = 'active' AND lease_holder = ${holder}`,
      );
      return changed === 1;
    },

    /**
     * Ends an active watch. Only the first caller, across every replica, gets the ended watch back; everyone
     * else gets null, so exactly one of them tells the thread.
     */
    async endWatch(id: string, end: Input<typeof input.watchEnd>) {
      check(input.watchId, id);
      const e = check(input.watchEnd, end);
      // Conditional on still being active: of several replicas (or a replica and a Stop click), one ends it.
      const [row] = await db.all(
        sql`UPDATE watches SET state = ${e.state}, ended_at = ${e.at}, ended_by = ${e.by},
              last_result = coalesce(${e.result}, last_result), lease_holder = NULL, lease_until = NULL
            WHERE id = ${id} AND state = 'active'
            RETURNING ${WATCH.list}`,
      );
      return row ? WATCH.read(row) : null;
    },
  };
  return store;
}

export type WatchStore = ReturnType<typeof watches>;
export type Watch = RowOf<typeof WATCH>;
