import type { Input } from '../shapes';
import type { Executor } from '../driver';
import { check } from '../inputs';
import * as input from '../inputs';
import { UNKNOWN_WORDING, type RowOf } from '../rows';
import { list, sql, where } from '../sql';

/** The tenants of each wording, in one query for the whole page. */
async function withTenants(db: Executor, rows: Record<string, unknown>[]): Promise<UnknownWording[]> {
  const wordings = rows.map(UNKNOWN_WORDING.read);
  if (wordings.length === 0) return [];
  const tenants = await db.all<{ wording_id: unknown; tenant: unknown }>(
    sql`SELECT wording_id, tenant FROM unknown_wording_tenants
        WHERE wording_id IN (${list(wordings.map((w) => w.id))}) ORDER BY tenant`,
  );
  return wordings.map((w) => ({
    ...w,
    tenants: tenants.filter((t) => String(t.wording_id) === w.id).map((t) => String(t.tenant)),
  }));
}

/**
 * Front errors no rule explains yet, by wording template. Holds no secret: it needs no keyring
 * (`openKeylessStore`). Templates are redacted and refused with an email address in them.
 */
export function unknownWordings({ db }: { db: Executor }) {
  return {
    /**
     * Counts one sighting of the wording `id`: the first one creates it (`created` true) with `template` and
     * `status`, later ones add one to its count and move its last-seen time forward; `tenant`, when given, joins
     * the wording's tenants. One statement decides creation, so across processes exactly one sighting creates it.
     */
    async recordUnknownWording(sighting: Input<typeof input.unknownSighting>) {
      const s = check(input.unknownSighting, sighting);
      return db.transaction(async (tx) => {
        // The insert that finds the id taken counts instead; a count of 1 afterwards is the creating sighting.
        const rows = await tx.all(
          sql`INSERT INTO unknown_wordings (id, template, status, count, first_seen, last_seen)
              VALUES (${s.id}, ${s.template}, ${s.status}, 1, ${s.at}, ${s.at})
              ON CONFLICT (id) DO UPDATE SET count = unknown_wordings.count + 1,
                last_seen = CASE WHEN excluded.last_seen > unknown_wordings.last_seen
                  THEN excluded.last_seen ELSE unknown_wordings.last_seen END
              RETURNING ${UNKNOWN_WORDING.list}`,
        );
        if (s.tenant !== null) {
          await tx.run(
            sql`INSERT INTO unknown_wording_tenants (wording_id, tenant) VALUES (${s.id}, ${s.tenant})
                ON CONFLICT (wording_id, tenant) DO NOTHING`,
          );
        }
        const [wording] = await withTenants(tx, rows);
        if (!wording) throw new Error('the unknown wording was not written');
        return { wording, created: wording.count === 1 };
      });
    },

    /** Most frequent first, then the most recently seen; `since` keeps those last seen at or after it. */
    async listUnknownWordings(query: Input<typeof input.unknownWordingQuery> = {}) {
      const q = check(input.unknownWordingQuery, query);
      const rows = await db.all(
        sql`SELECT ${UNKNOWN_WORDING.list} FROM unknown_wordings
            WHERE ${where([q.since !== undefined && sql`last_seen >= ${q.since}`])}
            ORDER BY count DESC, last_seen DESC, id LIMIT ${q.limit}`,
      );
      return withTenants(db, rows);
    },

    async getUnknownWording(id: string) {
      const wordingId = check(input.unknownWordingId, id);
      const rows = await db.all(sql`SELECT ${UNKNOWN_WORDING.list} FROM unknown_wordings WHERE id = ${wordingId}`);
      return (await withTenants(db, rows))[0] ?? null;
    },

    /** Wordings first seen at or after `since`: what the admins' Home tab calls new. */
    async countNewUnknownWordings(since: Date) {
      const from = check(input.date('since'), since);
      const [row] = await db.all<{ n: unknown }>(
        sql`SELECT COUNT(*) AS n FROM unknown_wordings WHERE first_seen >= ${from}`,
      );
      return Number(row?.n ?? 0);
    },
  };
}

export type UnknownWordingStore = ReturnType<typeof unknownWordings>;
/** An unknown wording and the tenants that hit it (sorted by name). */
export type UnknownWording = RowOf<typeof UNKNOWN_WORDING> & { tenants: string[] };
