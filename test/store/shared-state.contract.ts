import { createSharedRateBudget } from '../../src/front';
import type { Store } from '../../src/store';
import { keyring, newKey, type Harness, type PostgresHarness } from './harness';

const T0 = Date.parse('2025-03-01T09:00:00.000Z');
const RESET = T0 + 45_000;
const LEASE = 10_000;
const RESERVE = 5;

/**
 * What replicas share through the store: each tenant's Front rate window, the live replicas, and rule reloads.
 * Time is the draw's own `now` (and the store's clock for replica stamps), moved by hand.
 */
/** Polls `done` until it holds: a wait for a signal, not for time to pass. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function describeSharedStateContract(name: string, makeHarness: () => Promise<Harness>): void {
  const h0Kind = () => (name.startsWith('Postgres') ? 'postgres' : 'sqlite');
  describe(`${name} shared state`, () => {
    let h: Harness;
    let now: number;
    let a: Store;
    let b: Store;
    const ring = keyring(newKey());

    beforeEach(async () => {
      now = T0;
      h = await makeHarness();
      a = await h.open(ring, { clock: () => new Date(now) });
      // A second instance on the same database: on PostgreSQL, another replica.
      b = await h.open(ring, { clock: () => new Date(now) });
    });

    afterEach(async () => {
      await h.dispose();
    });

    const draw = (store: Store, key = 'acme') => store.drawRateWindow(key, { now, reserve: RESERVE, leaseMs: LEASE });
    const learn = (store: Store, remaining: number, returning: 0 | 1 = 1, until = RESET) =>
      store.settleRateWindow('acme', { now, returning, remaining, limit: 50, until });

    describe('rate window', () => {
      it('while no count is known, lets one request at a time go and learn it, from any instance', async () => {
        expect(await draw(a)).toEqual({ ok: true });
        expect(await draw(b)).toEqual({
          ok: false,
          state: { remaining: null, limit: null, until: null, pausedUntil: null, inFlight: 1 },
        });
        await learn(a, 20);
        expect(await b.readRateWindow('acme', now)).toEqual({
          remaining: 20,
          limit: 50,
          until: RESET,
          pausedUntil: null,
          inFlight: 0,
        });
        expect(await draw(b)).toEqual({ ok: true });
        expect(await draw(a)).toEqual({ ok: true });
      });

      it('concurrent draws from two instances never pass the reserve: exactly remaining − reserve go', async () => {
        expect(await draw(a)).toEqual({ ok: true });
        await learn(a, 20);
        const grants = await Promise.all(Array.from({ length: 40 }, (_, i) => draw(i % 2 === 0 ? a : b)));
        expect(grants.filter((g) => g.ok)).toHaveLength(20 - RESERVE);
        const refused = grants.find((g) => !g.ok);
        expect(refused).toEqual({
          ok: false,
          state: { remaining: 20, limit: 50, until: RESET, pausedUntil: null, inFlight: 15 },
        });
      });

      it('budgets built on two instances, drawing at once through the Front client interface, stop at the reserve', async () => {
        const budgets = [a, b].map((windows) =>
          createSharedRateBudget({ key: 'acme', windows, reserve: RESERVE, clock: { now: () => now } }),
        );
        const first = await budgets[0]!.acquire();
        if (!first.ok) throw new Error('the first request of an unknown window must go');
        first.release({ remaining: 12, limit: 50, reset: RESET / 1000 });
        await budgets[0]!.settled();
        const decisions = await Promise.all(Array.from({ length: 12 }, (_, i) => budgets[i % 2]!.acquire()));
        expect(decisions.filter((d) => d.ok)).toHaveLength(12 - RESERVE);
        expect(decisions.find((d) => !d.ok)).toMatchObject({
          ok: false,
          exhausted: true,
          message: expect.stringContaining("front-why leaves the last 5 to the customer's own integrations"),
        });
      });

      it('a release gives the request back; within one window the smallest count wins, an older window is ignored', async () => {
        await draw(a);
        await learn(a, 10);
        for (let i = 0; i < 5; i += 1) expect((await draw(b)).ok).toBe(true);
        expect((await draw(a)).ok).toBe(false); // 10 − 5 in flight leaves only the reserve
        await b.settleRateWindow('acme', { now, returning: 1, remaining: 9, until: RESET });
        await b.settleRateWindow('acme', { now, returning: 1, remaining: 12, until: RESET });
        await b.settleRateWindow('acme', { now, returning: 1, remaining: 30, until: RESET - 60_000 });
        expect(await a.readRateWindow('acme', now)).toMatchObject({ remaining: 9, until: RESET, inFlight: 2 });
        // A new window starts afresh.
        await b.settleRateWindow('acme', { now, returning: 1, remaining: 40, until: RESET + 60_000 });
        expect(await a.readRateWindow('acme', now)).toMatchObject({
          remaining: 40,
          until: RESET + 60_000,
          inFlight: 1,
        });
      });

      it("a per-minute 429's retry-after stops every instance until then, and the count starts afresh after it", async () => {
        await draw(a);
        await learn(a, 30);
        await draw(b);
        await b.settleRateWindow('acme', { now, returning: 1, pauseUntil: now + 20_000 });
        // An answer to a request sent before the 429 teaches nothing during the pause.
        await a.settleRateWindow('acme', { now, returning: 0, remaining: 25, until: RESET });
        expect(await draw(a)).toEqual({
          ok: false,
          state: { remaining: null, limit: 50, until: null, pausedUntil: T0 + 20_000, inFlight: 0 },
        });
        now += 20_000;
        expect(await draw(b)).toEqual({ ok: true });
        expect((await draw(a)).ok).toBe(false); // unknown again: one at a time
      });

      it('a count expires with its window; a draw never settled stops counting when its lease runs out', async () => {
        await draw(a);
        await learn(a, 20, 1, T0 + 5_000);
        await draw(a); // its replica dies: never settled
        now = T0 + 5_000;
        expect(await draw(b)).toEqual({ ok: false, state: expect.objectContaining({ remaining: null, inFlight: 1 }) });
        now = T0 + LEASE;
        expect(await draw(b)).toEqual({ ok: true });
      });

      it('keeps tenants apart, and refuses a key that is not a tenant name', async () => {
        await draw(a, 'acme');
        expect(await draw(b, 'globex')).toEqual({ ok: true });
        expect(await draw(b, '(default)')).toEqual({ ok: true });
        await expect(draw(a, 'Robert); DROP TABLE')).rejects.toThrow(/tenant name .* is not valid/);
      });
    });

    describe('replicas and rule reloads', () => {
      it('knows which replicas are alive', async () => {
        await a.heartbeat('host-1:101', new Date(T0));
        now += 5_000;
        await b.heartbeat('host-2:202', new Date(now));
        expect((await a.liveReplicas(new Date(T0))).map((r) => r.id)).toEqual(['host-1:101', 'host-2:202']);
        expect((await a.liveReplicas(new Date(T0 + 1))).map((r) => r.id)).toEqual(['host-2:202']);
        await b.removeReplica('host-2:202');
        expect(await a.liveReplicas(new Date(T0))).toHaveLength(1);
      });

      it('a reload asked through one instance wakes the subscribers, and every outcome is kept per replica', async () => {
        const heard: number[] = [];
        const listener = h.kind === 'postgres' ? b : a;
        let wake: () => void = () => undefined;
        const woken = new Promise<void>((resolve) => (wake = resolve));
        const sub = await listener.subscribeRulesReloads((g) => {
          heard.push(g);
          wake();
        });
        try {
          expect(await a.latestRulesReload()).toBe(0);
          const generation = await a.requestRulesReload({ trigger: 'slack', requestedBy: 'U0ADMIN' });
          await woken;
          expect(heard).toEqual([generation]);
          expect(await b.latestRulesReload()).toBe(generation);
          await b.recordRulesReload({
            generation,
            replica: 'r2',
            ok: false,
            rules: 19,
            error: 'x.yml:1:1 bad',
            at: new Date(now),
          });
          now += 1;
          await a.recordRulesReload({ generation, replica: 'r1', ok: true, rules: 18, at: new Date(now) });
          expect(await a.rulesReloadOutcomes(generation)).toEqual([
            { generation, replica: 'r2', ok: false, rules: 19, error: 'x.yml:1:1 bad', at: new Date(T0) },
            { generation, replica: 'r1', ok: true, rules: 18, at: new Date(T0 + 1) },
          ]);
        } finally {
          await sub.close();
        }
      });

      (h0Kind() === 'postgres' ? it : it.skip)(
        'a listener whose connection drops reconnects and catches up on what it missed',
        async () => {
          const heard: number[] = [];
          const errors: Error[] = [];
          const sub = await b.subscribeRulesReloads(
            (g) => heard.push(g),
            (err) => errors.push(err),
          );
          try {
            const first = await a.requestRulesReload({ trigger: 'slack', requestedBy: 'U0ADMIN' });
            await until(() => heard.includes(first), 'the first wake-up');
            expect(await (h as PostgresHarness).terminateListeners()).toBe(1);
            // Asked while the listener is down: no NOTIFY reaches it, the catch-up after reconnecting does.
            const missed = await a.requestRulesReload({ trigger: 'cli', requestedBy: 'cli:ops' });
            await until(() => heard.includes(missed), 'the missed generation after reconnecting');
            expect(errors.length).toBeGreaterThan(0);
          } finally {
            await sub.close();
          }
        },
        30_000,
      );

      it('answers a ping', async () => {
        await expect(a.ping()).resolves.toBeUndefined();
        await a.close();
        await expect(a.ping()).rejects.toThrow();
      });
    });
  });
}
