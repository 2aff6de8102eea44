import { randomBytes } from 'node:crypto';
import { check } from '../inputs';
import * as input from '../inputs';
import { OWNER_SWEEP } from '../rows';
import { sql } from '../sql';
import type { OwnerSweepStore } from '../store-api';
import type { Context } from './context';

export function ownerSweeps({ db }: Context): OwnerSweepStore {
  const held = (id: string, holder: string) => sql`id = ${id} AND lease_holder = ${holder}`;
  return {
    async startOwnerSweep(sweep) {
      const s = check(input.newOwnerSweep, sweep);
      try {
        // The unique (thread, target) keeps one per thread: "Check again" in the same thread starts none.
        const added = await db.run(
          sql`INSERT INTO owner_sweeps (id, tenant, tenant_id, team_id, channel_id, thread_ts, target, started_at,
                next_run_at, progress)
              VALUES (${`o${randomBytes(8).toString('hex')}`}, ${s.tenant}, ${s.tenantId}, ${s.teamId}, ${s.channelId},
                ${s.threadTs}, ${s.target}, ${s.at}, ${s.at}, ${s.progress})
              ON CONFLICT (team_id, channel_id, thread_ts, target) DO NOTHING`,
        );
        return added === 1;
      } catch (err) {
        // The tenant was removed meanwhile.
        if (db.isForeignKeyViolation(err)) return false;
        throw err;
      }
    },

    async claimOwnerSweep(claim) {
      const c = check(input.ownerSweepClaim, claim);
      const free = sql`next_run_at <= ${c.now} AND (lease_until IS NULL OR lease_until <= ${c.now})`;
      // The condition is checked again on the row the subquery picked, so a row another replica just leased is left.
      const [row] = await db.all(
        sql`UPDATE owner_sweeps SET lease_holder = ${c.holder}, lease_until = ${new Date(c.now.getTime() + c.leaseMs)}
            WHERE id IN (SELECT id FROM owner_sweeps WHERE ${free} ORDER BY next_run_at, id LIMIT 1 ${db.skipLocked})
              AND ${free}
            RETURNING ${OWNER_SWEEP.list}`,
      );
      return row ? OWNER_SWEEP.read(row) : null;
    },

    async saveOwnerSweep(id, holder, update) {
      const u = check(input.ownerSweepUpdate, update);
      const changed = await db.run(
        sql`UPDATE owner_sweeps SET progress = ${u.progress}, next_run_at = ${u.nextRunAt}, lease_holder = NULL,
              lease_until = NULL
            WHERE ${held(check(input.ownerSweepId, id), check(input.holder, holder))}`,
      );
      return changed === 1;
    },

    async finishOwnerSweep(id, holder) {
      const removed = await db.run(
        sql`DELETE FROM owner_sweeps WHERE ${held(check(input.ownerSweepId, id), check(input.holder, holder))}`,
      );
      return removed === 1;
    },
  };
}
