import type { Input } from '../shapes';
import { check } from '../inputs';
import * as input from '../inputs';
import { AUDIT_RESULT, SCHEDULE, type RowOf } from '../rows';
import { sql } from '../sql';
import { forTenant, type Context } from './context';

export function audits({ db, clock }: Context) {
  return {
    /** Sets (or replaces) a tenant's audit schedule; a lease already held stays with its holder. Throws `tenant_not_found`. */
    async setAuditSchedule(schedule: Input<typeof input.newAuditSchedule>) {
      const s = check(input.newAuditSchedule, schedule);
      const row = await forTenant(
        db,
        s.tenant,
        sql`INSERT INTO audit_schedules (tenant, cadence, set_by, set_at, next_run_at)
            SELECT name, ${s.cadence}, ${s.setBy}, ${clock()}, ${s.nextRunAt} FROM tenants WHERE name = ${s.tenant}
            ON CONFLICT (tenant) DO UPDATE SET cadence = excluded.cadence, set_by = excluded.set_by,
              set_at = excluded.set_at, next_run_at = excluded.next_run_at
            RETURNING ${SCHEDULE.list}`,
      );
      return SCHEDULE.read(row);
    },

    async getAuditSchedule(tenant: string) {
      const [row] = await db.all(
        sql`SELECT ${SCHEDULE.list} FROM audit_schedules WHERE tenant = ${check(input.tenantName, tenant)}`,
      );
      return row ? SCHEDULE.read(row) : null;
    },

    /** Ordered by tenant. */
    async listAuditSchedules() {
      return (await db.all(sql`SELECT ${SCHEDULE.list} FROM audit_schedules ORDER BY tenant`)).map(SCHEDULE.read);
    },

    /**
     * Takes the lease of one due audit (cadence not off, next run at or before now, no live lease), the one due
     * longest first, for `leaseMs`. Across every process sharing the database, one caller gets a given audit
     * until the lease runs out. null: nothing is due.
     */
    async claimDueAudit(holder: string, leaseMs: number) {
      const h = check(input.holder, holder);
      const now = clock();
      const until = new Date(now.getTime() + check(input.leaseMs, leaseMs));
      const due = sql`cadence <> 'off' AND next_run_at <= ${now} AND (lease_until IS NULL OR lease_until <= ${now})`;
      // The outer condition is evaluated again on the row the subquery picked: a lease taken meanwhile stays.
      const [row] = await db.all(
        sql`UPDATE audit_schedules SET lease_holder = ${h}, lease_until = ${until}
            WHERE tenant = (
              SELECT tenant FROM audit_schedules WHERE ${due} ORDER BY next_run_at, tenant LIMIT 1 ${db.skipLocked})
            AND ${due}
            RETURNING ${SCHEDULE.list}`,
      );
      return row ? SCHEDULE.read(row) : null;
    },

    /**
     * Gives the lease back and sets the next run, unless the schedule was changed since `claim` (its new next
     * run stands) or the lease was lost meanwhile. false when the lease was no longer `claim`'s.
     */
    async finishAudit(claim: AuditSchedule, nextRunAt: Date) {
      const c = check(input.claimedAudit, claim);
      const next = check(input.date('nextRunAt'), nextRunAt);
      const changed = await db.run(
        sql`UPDATE audit_schedules SET lease_holder = NULL, lease_until = NULL,
              next_run_at = CASE WHEN set_at = ${c.setAt} AND cadence <> 'off' THEN ${next} ELSE next_run_at END
            WHERE tenant = ${c.tenant} AND lease_holder = ${c.leaseHolder}`,
      );
      return changed > 0;
    },

    /** Replaces the tenant's last audit result. Throws `tenant_not_found`. */
    async saveAuditResult(result: AuditResult) {
      const r = check(input.auditResult, result);
      await forTenant(
        db,
        r.tenant,
        sql`INSERT INTO audit_results (tenant, ran_at, token_works, token_error, preference_off, checked, total, complete)
            SELECT name, ${r.ranAt}, ${r.tokenWorks}, ${r.tokenError}, ${JSON.stringify(r.preferenceOff)},
              ${r.checked}, ${r.total}, ${r.complete} FROM tenants WHERE name = ${r.tenant}
            ON CONFLICT (tenant) DO UPDATE SET ran_at = excluded.ran_at, token_works = excluded.token_works,
              token_error = excluded.token_error, preference_off = excluded.preference_off,
              checked = excluded.checked, total = excluded.total, complete = excluded.complete
            RETURNING tenant`,
      );
    },

    async getAuditResult(tenant: string) {
      const [row] = await db.all(
        sql`SELECT ${AUDIT_RESULT.list} FROM audit_results WHERE tenant = ${check(input.tenantName, tenant)}`,
      );
      return row ? AUDIT_RESULT.read(row) : null;
    },
  };
}

export type AuditStore = ReturnType<typeof audits>;
export type AuditSchedule = RowOf<typeof SCHEDULE>;
export type AuditResult = RowOf<typeof AUDIT_RESULT>;
