import { createFrontClient, createSharedRateBudget, frontPaths, type Clock, type FrontResult } from '../../src/front';
import { startSandbox, type Sandbox } from '../../src/sandbox/server';
import type { Store } from '../../src/store';
import {
  keyring,
  newKey,
  PostgresHarness,
  probePostgres,
  SqliteHarness,
  testPostgresUrl,
  type Harness,
} from '../store/harness';

/**
 * Two Front clients, as two replicas, each with the tenant's budget drawn from its own store instance on one
 * database, against the sandbox as Front (Starter: 50 a minute). Time stands still for both sides, inside one
 * window; a wait only yields to the event loop, so "one request at a time while the count is unknown" is met by
 * the real interleaving of the two clients' requests, and counted by the sandbox.
 */

const T = Date.UTC(2026, 0, 15, 9, 30, 1);
const clock: Clock = { now: () => T, sleep: () => new Promise((resolve) => setImmediate(resolve)) };
const pg = probePostgres(testPostgresUrl());

const kinds: [string, () => Promise<Harness>][] = [['SQLite', async () => new SqliteHarness()]];
if (pg.ok) kinds.push(['PostgreSQL', () => PostgresHarness.create(testPostgresUrl())]);

describe.each(kinds)('the shared rate budget on %s, through the Front client', (_kind, makeHarness) => {
  let h: Harness;
  let sandbox: Sandbox;
  let stores: Store[];

  beforeEach(async () => {
    h = await makeHarness();
    const ring = keyring(newKey());
    stores = [await h.open(ring), await h.open(ring)];
    // Front answers after every draw of the burst is made, so nothing but the budget keeps them apart.
    sandbox = await startSandbox({ port: 0, clock: () => T, latencyMs: 50 });
  });

  afterEach(async () => {
    await sandbox.close();
    await h.dispose();
  });

  test('two replicas sending 60 requests at once leave Front counting 45 of 50, and none is answered 429', async () => {
    const budgets = stores.map((windows) => createSharedRateBudget({ key: 'acme', windows, reserve: 5, clock }));
    const clients = budgets.map((budget) =>
      createFrontClient({ baseUrl: sandbox.url, token: sandbox.tokens.acme_private, clock, budget }),
    );
    try {
      const results: FrontResult[] = await Promise.all(
        Array.from({ length: 60 }, (_, i) => clients[i % 2]!.get(frontPaths.me(), { deadline: T + 10_000 })),
      );
      await Promise.all(budgets.map((b) => b.settled()));

      const answered = results.filter((r) => r.kind === 'response');
      const held = results.filter((r) => r.kind === 'unreachable');
      expect(answered.map((r) => (r.kind === 'response' ? r.status : 0))).toEqual(answered.map(() => 200));
      expect(answered).toHaveLength(45);
      expect(held).toHaveLength(15);
      for (const r of held) expect(r).toMatchObject({ reason: 'budget', exhausted: true });
      expect(sandbox.rateWindows()).toEqual([
        { bucket: 'company:acme', start: expect.any(Number), used: 45, limit: 50 },
      ]);
      expect(sandbox.stats().byStatus['429']).toBeUndefined();
      expect(await stores[0]!.readRateWindow('acme', T)).toMatchObject({ remaining: 5, limit: 50, inFlight: 0 });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test("a watch reads the window as this replica last saw it: the other replica's spending shows once Front says so", async () => {
    let now = T;
    const mine = createSharedRateBudget({ key: 'acme', windows: stores[0]!, reserve: 5, clock: { now: () => now } });
    const theirs = createSharedRateBudget({ key: 'acme', windows: stores[1]!, reserve: 5, clock });
    const client = (budget: typeof mine) =>
      createFrontClient({ baseUrl: sandbox.url, token: sandbox.tokens.acme_private, clock, budget });
    const [a, b] = [client(mine), client(theirs)];
    try {
      expect(mine!.snapshot()).toEqual({ inFlight: 0, reserve: 5 });
      await Promise.all(Array.from({ length: 20 }, () => b.get(frontPaths.me(), { deadline: T + 10_000 })));
      await a.get(frontPaths.me(), { deadline: T + 10_000 });
      await mine!.settled();
      // Front counted the other replica's 20 and this one: 29 of 50 left, until the minute ends.
      expect(mine!.snapshot()).toMatchObject({ remaining: 29, limit: 50, inFlight: 0, reserve: 5 });
      const resetsAt = mine!.snapshot().resetsAt!;
      expect(resetsAt).toBeGreaterThan(T);
      // Once that minute is over, its count holds nothing back.
      now = resetsAt;
      expect(mine!.snapshot()).toEqual({ limit: 50, inFlight: 0, reserve: 5 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test("a replica refused a draw learns the company's plan from the window, before any answer of its own", async () => {
    const spender = createSharedRateBudget({ key: 'acme', windows: stores[0]!, reserve: 5, clock });
    const client = createFrontClient({
      baseUrl: sandbox.url,
      token: sandbox.tokens.acme_private,
      clock,
      budget: spender,
    });
    try {
      for (let i = 0; i < 45; i++) await client.get(frontPaths.me(), { deadline: T + 10_000 });
      await spender.settled();
    } finally {
      await client.close();
    }
    const newcomer = createSharedRateBudget({ key: 'acme', windows: stores[1]!, reserve: 5, clock });
    expect(newcomer.snapshot().limit).toBeUndefined();
    expect(await newcomer.acquire()).toMatchObject({ ok: false, exhausted: true });
    // What the share of checks people start is computed from (src/slack/checks/check-share.ts).
    expect(newcomer.snapshot()).toMatchObject({ limit: 50, remaining: 5 });
  });
});
