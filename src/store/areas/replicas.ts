import { check } from '../inputs';
import * as input from '../inputs';
import { RELOAD_OUTCOME, REPLICA } from '../rows';
import { sql } from '../sql';
import type { ReplicaStore } from '../store-api';
import type { Context } from './context';

export function replicas({ db, clock }: Context): ReplicaStore {
  return {
    async heartbeat(id, startedAt) {
      await db.run(
        sql`INSERT INTO replicas (id, started_at, seen_at) VALUES (${check(input.replicaId, id)}, ${startedAt}, ${clock()})
            ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`,
      );
    },

    async removeReplica(id) {
      await db.run(sql`DELETE FROM replicas WHERE id = ${check(input.replicaId, id)}`);
    },

    async liveReplicas(since) {
      const rows = await db.all(
        sql`SELECT ${REPLICA.list} FROM replicas WHERE seen_at >= ${since} ORDER BY started_at, id`,
      );
      return rows.map(REPLICA.read);
    },

    async requestRulesReload(request) {
      const r = check(input.reloadRequest, request);
      const [row] = await db.all<{ generation: unknown }>(
        sql`INSERT INTO rule_reloads (requested_at, requested_by, trigger) VALUES (${clock()}, ${r.requestedBy},
              ${r.trigger}) RETURNING generation`,
      );
      const generation = Number(row?.generation);
      // After the row is committed: a replica woken by it can read it.
      await db.wake(generation);
      return generation;
    },

    async latestRulesReload() {
      const [row] = await db.all<{ g: unknown }>(sql`SELECT max(generation) AS g FROM rule_reloads`);
      return Number(row?.g ?? 0);
    },

    async recordRulesReload(outcome) {
      const o = check(input.reloadOutcome, outcome);
      await db.run(
        sql`INSERT INTO rule_reload_outcomes (generation, replica, ok, rules, error, at)
            VALUES (${o.generation}, ${o.replica}, ${o.ok}, ${o.rules}, ${o.error ?? null}, ${o.at})
            ON CONFLICT (generation, replica) DO UPDATE SET
              ok = excluded.ok, rules = excluded.rules, error = excluded.error, at = excluded.at`,
      );
    },

    async rulesReloadOutcomes(generation) {
      const rows = await db.all(
        sql`SELECT ${RELOAD_OUTCOME.list} FROM rule_reload_outcomes WHERE generation = ${check(input.generation, generation)}
            ORDER BY at, replica`,
      );
      return rows.map((row) => {
        const { error, ...outcome } = RELOAD_OUTCOME.read(row);
        return error === null ? outcome : { ...outcome, error };
      });
    },

    subscribeRulesReloads(onRequest, onError) {
      // Through the store the caller holds (not this area's own function), so a wrapper around it sees the reads.
      return db.subscribe(
        onRequest,
        () => this.latestRulesReload(),
        (err) => onError?.(err),
      );
    },
  };
}
