import { randomBytes } from 'node:crypto';
import type { Input } from '../shapes';
import { check } from '../inputs';
import * as input from '../inputs';
import { OWNER_SWEEP, type RowOf } from '../rows';
import { sql } from '../sql';
import type { Context } from './context';

export type OwnerSweep = RowOf<typeof OWNER_SWEEP>;

/**
 * Threads waiting for an owner while the rest of a company's teammates are checked in the background
 * (src/diagnosis/owner-sweep.ts). One per thread and target; removing the tenant removes its sweeps.
 */
export function ownerSweeps({ db }: Context) {
  const held = (id: string, holder: string) => sql`id = ${id} AND lease_holder = ${holder}`;
  return {
    /** false when the thread already has one for the target, or the tenant is gone. */
    async startOwnerSweep(sweep: Input<typeof input.newOwnerSweep>): Promise<boolean> {
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

    /** Leases the sweep due longest, if any, to `holder` until now + leaseMs; a lease run out is taken over. */
    async claimOwnerSweep(claim: Input<typeof input.ownerSweepClaim>): Promise<OwnerSweep | null> {
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

    /** Keeps its progress and gives the lease back; false when `holder` no longer holds it (nothing written). */
    async saveOwnerSweep(id: string, holder: string, update: Input<typeof input.ownerSweepUpdate>): Promise<boolean> {
      const u = check(input.ownerSweepUpdate, update);
      const changed = await db.run(
        sql`UPDATE owner_sweeps SET progress = ${u.progress}, next_run_at = ${u.nextRunAt}, lease_holder = NULL,
              lease_until = NULL
            WHERE ${held(check(input.ownerSweepId, id), check(input.holder, holder))}`,
      );
      return changed === 1;
    },

    /** Ends it: true for the one holder whose call removed it (the one to tell the thread). */
    async finishOwnerSweep(id: string, holder: string): Promise<boolean> {
      const removed = await db.run(
        sql`DELETE FROM owner_sweeps WHERE ${held(check(input.ownerSweepId, id), check(input.holder, holder))}`,
      );
      return removed === 1;
    },
  };
}

export type OwnerSweepStore = ReturnType<typeof ownerSweeps>;
