import type { Input, Output } from '../shapes';
import { check } from '../inputs';
import * as input from '../inputs';
import { RELOAD_OUTCOME, REPLICA } from '../rows';
import { sql } from '../sql';
import type { Context } from './context';

export function replicas({ db, clock }: Context) {
  return {
    /** Records that replica `id` is alive now (started at `startedAt`). */
    async heartbeat(id: string, startedAt: Date) {
      await db.run(
        sql`INSERT INTO replicas (id, started_at, seen_at) VALUES (${check(input.replicaId, id)}, ${startedAt}, ${clock()})
            ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`,
      );
    },

    /** A replica stopping cleanly: the others stop waiting for it. */
    async removeReplica(id: string) {
      await db.run(sql`DELETE FROM replicas WHERE id = ${check(input.replicaId, id)}`);
    },

    /** Replicas seen at or after `since`, oldest first. */
    async liveReplicas(since: Date) {
      const rows = await db.all(
        sql`SELECT ${REPLICA.list} FROM replicas WHERE seen_at >= ${since} ORDER BY started_at, id`,
      );
      return rows.map(REPLICA.read);
    },

    /**
     * Asks every replica to load its rules again: records a new generation and wakes every subscriber (PostgreSQL:
     * NOTIFY; SQLite: the subscribers of this instance). Returns the generation.
     */
    async requestRulesReload(request: Input<typeof input.reloadRequest>) {
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

    /** The newest generation asked for, 0 when none: what a replica that missed a wake-up compares with. */
    async latestRulesReload() {
      const [row] = await db.all<{ g: unknown }>(sql`SELECT max(generation) AS g FROM rule_reloads`);
      return Number(row?.g ?? 0);
    },

    async recordRulesReload(outcome: RulesReloadOutcome) {
      const o = check(input.reloadOutcome, outcome);
      await db.run(
        sql`INSERT INTO rule_reload_outcomes (generation, replica, ok, rules, error, at)
            VALUES (${o.generation}, ${o.replica}, ${o.ok}, ${o.rules}, ${o.error ?? null}, ${o.at})
            ON CONFLICT (generation, replica) DO UPDATE SET
              ok = excluded.ok, rules = excluded.rules, error = excluded.error, at = excluded.at`,
      );
    },

    /** Every replica's outcome for `generation`, in the order they arrived. */
    async rulesReloadOutcomes(generation: number): Promise<RulesReloadOutcome[]> {
      const rows = await db.all(
        sql`SELECT ${RELOAD_OUTCOME.list} FROM rule_reload_outcomes WHERE generation = ${check(input.generation, generation)}
            ORDER BY at, replica`,
      );
      return rows.map((row) => {
        const { error, ...outcome } = RELOAD_OUTCOME.read(row);
        return error === null ? outcome : { ...outcome, error };
      });
    },

    /**
     * Calls `onRequest` with each generation asked for from now on. PostgreSQL: LISTEN on a connection of its own,
     * re-established when it drops; `onRequest(latest)` is called after each reconnection so nothing missed is lost.
     * `onError` hears connection problems (the store never logs).
     */
    subscribeRulesReloads(onRequest: (generation: number) => void, onError?: (err: Error) => void) {
      // Through the store the caller holds (not this area's own function), so a wrapper around it sees the reads.
      return db.subscribe(
        onRequest,
        () => this.latestRulesReload(),
        (err) => onError?.(err),
      );
    },
  };
}

export type ReplicaStore = ReturnType<typeof replicas>;
export type RulesReloadOutcome = Output<typeof input.reloadOutcome>;
export type ReloadSubscription = Awaited<ReturnType<ReplicaStore['subscribeRulesReloads']>>;
