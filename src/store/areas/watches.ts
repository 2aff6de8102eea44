import { randomBytes } from 'node:crypto';
import { check } from '../inputs';
import * as input from '../inputs';
import { WATCH } from '../rows';
import { sql, where } from '../sql';
import type { Watch, WatchStore } from '../store-api';
import { notFound, type Context } from './context';

const byNextCheck = (a: Watch, b: Watch) => a.nextCheckAt.getTime() - b.nextCheckAt.getTime();

export function watches({ db }: Context): WatchStore {
  const store: WatchStore = {
    async startWatch(watch) {
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

    async getWatch(id) {
      const [row] = await db.all(sql`SELECT ${WATCH.list} FROM watches WHERE id = ${check(input.watchId, id)}`);
      return row ? WATCH.read(row) : null;
    },

    async listWatches(query = {}) {
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

    async countActiveWatches() {
      const [row] = await db.all<{ n: unknown }>(sql`SELECT count(*) AS n FROM watches WHERE state = 'active'`);
      return Number(row?.n ?? 0);
    },

    async claimDueWatches(claim) {
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

    async recordWatchCheck(id, holder, update) {
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

    async postponeWatch(id, holder, nextCheckAt) {
      check(input.watchId, id);
      check(input.holder, holder);
      const next = check(input.date('nextCheckAt'), nextCheckAt);
      const changed = await db.run(
        sql`UPDATE watches SET next_check_at = ${next}, lease_holder = NULL, lease_until = NULL
            WHERE id = ${id} AND state = 'active' AND lease_holder = ${holder}`,
      );
      return changed === 1;
    },

    async endWatch(id, end) {
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
