import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { RELOAD_CHANNEL } from '../../src/store/postgres-listen';
import { PostgresHarness, probePostgres, testPostgresUrl } from '../store/harness';
import { startHarness, waitFor, type Harness } from './helpers/harness';

/**
 * Any role that can connect to the database may NOTIFY on the reload channel, with no privilege on front-why's
 * tables. Such a notification must not make a replica reload, nor hold it on a made-up generation so that later
 * genuine reloads are ignored; and a flood of them costs a few reads of the table, not a reload each.
 */

const url = testPostgresUrl();
const probe = probePostgres(url);

/** A reload this replica made because another asked (the log line `rules reloaded` with trigger "replica"). */
function replicaReloads(h: Harness): number {
  return h.logs.filter((line) => line.includes('"trigger":"replica"') && line.includes('rules reload')).length;
}

(probe.ok ? describe : describe.skip)('reload notifications from another database role (PostgreSQL)', () => {
  let pg: PostgresHarness;
  let a: Harness;
  let b: Harness;
  let admin: Client;
  let forger: Client;
  const role = `fw_forger_${randomBytes(5).toString('hex')}`;
  /** Reads of the newest generation, per replica: what each notification costs now. */
  const reads = new Map<Harness, number>();

  function countReads(h: Harness): void {
    const read = h.store.latestRulesReload.bind(h.store);
    reads.set(h, 0);
    h.store.latestRulesReload = async () => {
      reads.set(h, (reads.get(h) ?? 0) + 1);
      return read();
    };
  }

  /** Asks every replica to reload as `front-why rules reload` does, and waits until both recorded an outcome. */
  async function genuineReload(): Promise<number> {
    const generation = await a.store.requestRulesReload({ trigger: 'cli', requestedBy: 'test' });
    // Bounded: on failure the assertions below say which replica did not answer.
    for (let i = 0; i < 250 && (await a.store.rulesReloadOutcomes(generation)).length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return generation;
  }

  async function outcomesOf(generation: number): Promise<string[]> {
    return (await a.store.rulesReloadOutcomes(generation)).map((o) => o.replica).sort();
  }

  beforeAll(async () => {
    pg = await PostgresHarness.create(url);
    a = await startHarness({ env: { FRONT_WHY_DB: pg.location } });
    b = await startHarness({ replicaOf: a });
    countReads(a);
    countReads(b);
    admin = new Client({ connectionString: url });
    await admin.connect();
    // A role of its own, with no grant on the schema or its tables: it can connect and NOTIFY, nothing more.
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    const forgerUrl = new URL(url);
    forgerUrl.username = role;
    forgerUrl.password = '';
    forger = new Client({ connectionString: forgerUrl.toString() });
    await forger.connect();
  });

  afterAll(async () => {
    await forger?.end().catch(() => undefined);
    await admin?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await b?.close();
    await a?.close();
    await pg?.dispose();
  });

  test('the forging role cannot read the tables, only notify', async () => {
    await expect(forger.query(`SELECT max(generation) FROM ${pg.schema}.rule_reloads`)).rejects.toThrow(
      /permission denied/,
    );
  });

  test('a forged generation makes no replica reload, and a later genuine reload reaches every replica', async () => {
    const before = [replicaReloads(a), replicaReloads(b)];
    const readsBefore = [reads.get(a) ?? 0, reads.get(b) ?? 0];
    await forger.query(`NOTIFY ${RELOAD_CHANNEL}, '${pg.schema}:999999999'`);
    // Each replica heard it: it read the table for the newest generation, which is not the forged one.
    await waitFor(
      () => (reads.get(a) ?? 0) > (readsBefore[0] ?? 0) && (reads.get(b) ?? 0) > (readsBefore[1] ?? 0),
      'both replicas to read the table after the notification',
    );
    await Promise.all([a.idle(), b.idle()]);
    expect(await a.store.rulesReloadOutcomes(999_999_999)).toEqual([]);
    expect([replicaReloads(a), replicaReloads(b)]).toEqual(before);

    const generation = await genuineReload();
    expect(await outcomesOf(generation)).toEqual([a.app.replicaId, b.app.replicaId].sort());
    expect(replicaReloads(a)).toBe((before[0] ?? 0) + 1);
    expect(replicaReloads(b)).toBe((before[1] ?? 0) + 1);
  });

  test('a burst of 300 forged notifications costs each replica a few reads of the table and no reload', async () => {
    const before = [replicaReloads(a), replicaReloads(b)];
    const readsBefore = [reads.get(a) ?? 0, reads.get(b) ?? 0];
    // One transaction: PostgreSQL delivers the 300 (distinct payloads, so none is folded) together at commit.
    const statements = Array.from(
      { length: 300 },
      (_, i) => `NOTIFY ${RELOAD_CHANNEL}, '${pg.schema}:${1_000_000_000 + i}';`,
    );
    await forger.query(`BEGIN; ${statements.join(' ')} COMMIT;`);
    // Notifications reach a listener in the order they were sent: once the genuine reload after the burst is
    // recorded by both replicas, each has heard all 300.
    const generation = await genuineReload();
    await Promise.all([a.idle(), b.idle()]);
    expect(await outcomesOf(generation)).toEqual([a.app.replicaId, b.app.replicaId].sort());
    // The genuine reload is the only one.
    expect([replicaReloads(a), replicaReloads(b)]).toEqual([(before[0] ?? 0) + 1, (before[1] ?? 0) + 1]);
    for (const [i, h] of [a, b].entries()) {
      const made = (reads.get(h) ?? 0) - (readsBefore[i] ?? 0);
      // One read in flight and one more asked for behind it, per burst; the genuine notification's own read may
      // come as a third.
      expect(made).toBeGreaterThanOrEqual(1);
      expect(made).toBeLessThanOrEqual(4);
    }
  });
});
