import type { Input } from '../shapes';
import type { Driver } from '../driver';
import { check } from '../inputs';
import * as input from '../inputs';
import { TEAMMATE_PREFERENCE, TEAMMATE_SWEEP } from '../rows';
import { list, sql } from '../sql';

/**
 * Per tenant (by id), whose "Allow access to my individual resources via the API" is on or off, and when that was
 * seen. Removing the tenant drops its map.
 */
export function teammates({ db }: { db: Driver }) {
  return {
    /**
     * Records what a probe of teammates found; a complete sweep replaces the map (teammates it did not list are
     * dropped) and stamps when the whole company was checked. A teammate's older finding never replaces a newer one.
     * false, writing nothing, when the tenant is gone.
     */
    async recordTeammatePreferences(update: Input<typeof input.teammatePreferences>) {
      const u = check(input.teammatePreferences, update);
      try {
        return await db.transaction(async (tx) => {
          const [tenant] = await tx.all(sql`SELECT id FROM tenants WHERE id = ${u.tenantId} ${db.forUpdate}`);
          if (!tenant) return false;
          if (u.complete) {
            // A full sweep is the company as it is now: whoever it did not list has left.
            await tx.run(
              u.teammates.length > 0
                ? sql`DELETE FROM teammate_preferences
                      WHERE tenant_id = ${u.tenantId} AND teammate_id NOT IN (${list(u.teammates.map((t) => t.id))})`
                : sql`DELETE FROM teammate_preferences WHERE tenant_id = ${u.tenantId}`,
            );
            await tx.run(
              sql`INSERT INTO teammate_sweeps (tenant_id, complete_at, seen_by, total)
                  VALUES (${u.tenantId}, ${u.at}, ${u.seenBy}, ${u.teammates.length})
                  ON CONFLICT (tenant_id) DO UPDATE SET complete_at = excluded.complete_at,
                    seen_by = excluded.seen_by, total = excluded.total`,
            );
          }
          for (const t of u.teammates) {
            // An older finding never overwrites a newer one (two replicas may report out of order).
            await tx.run(
              sql`INSERT INTO teammate_preferences (tenant_id, teammate_id, name, api_access, seen_at, seen_by)
                  VALUES (${u.tenantId}, ${t.id}, ${t.name}, ${t.apiAccess}, ${u.at}, ${u.seenBy})
                  ON CONFLICT (tenant_id, teammate_id) DO UPDATE SET name = excluded.name,
                    api_access = excluded.api_access, seen_at = excluded.seen_at, seen_by = excluded.seen_by
                  WHERE excluded.seen_at >= teammate_preferences.seen_at`,
            );
          }
          return true;
        });
      } catch (err) {
        // The tenant was removed between the check and the write.
        if (db.isForeignKeyViolation(err)) return false;
        throw err;
      }
    },

    /**
     * A tenant's teammate map: each teammate as last seen (ordered by id), and the last time every one was checked
     * in one go. null: nothing is known about the tenant's teammates.
     */
    async getTeammateMap(tenantId: string) {
      const id = check(input.tenantId, tenantId);
      const [sweep] = await db.all(sql`SELECT ${TEAMMATE_SWEEP.list} FROM teammate_sweeps WHERE tenant_id = ${id}`);
      const rows = await db.all(
        sql`SELECT ${TEAMMATE_PREFERENCE.list} FROM teammate_preferences WHERE tenant_id = ${id} ORDER BY teammate_id`,
      );
      if (!sweep && rows.length === 0) return null;
      return { sweep: sweep ? TEAMMATE_SWEEP.read(sweep) : null, teammates: rows.map(TEAMMATE_PREFERENCE.read) };
    },
  };
}

export type TeammateMapStore = ReturnType<typeof teammates>;
