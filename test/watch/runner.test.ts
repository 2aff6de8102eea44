import { diagnose } from '../../src/diagnosis';
import { loadRulesOrThrow, type Rule } from '../../src/rules';
import { NO_FAULTS, PLAN_RATE_LIMITS, SANDBOX_SCENARIOS, type Sandbox } from '../../src/sandbox';
import type { Store, Watch } from '../../src/store';
import {
  createWatchRunner,
  delayAfter,
  expiryOf,
  ownerOf,
  recheck,
  WatchShare,
  type WatchNotice,
  type WatchRunner,
} from '../../src/watch';
import { fakeToken, keyring, newKey, SqliteHarness } from '../store/harness';
import { useLiveSandbox, okOutcome } from '../diagnosis/helpers';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const MIN = 60_000;
const schedule = { intervalMs: MIN, days: 7 };
const original = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let sandbox: Sandbox;
const live = useLiveSandbox((s) => (sandbox = s));
let rules: Rule[];
let h: SqliteHarness;
let store: Store;
let now: number;
let notices: WatchNotice[];

beforeAll(() => {
  rules = loadRulesOrThrow('rules');
});

beforeEach(async () => {
  h = new SqliteHarness();
  store = await h.open(keyring(newKey()));
  await store.addTenant({ name: 'acme', token: fakeToken() });
  now = T0;
  notices = [];
});

afterEach(async () => {
  for (const email of ['bruno.keller@acme.example', 'dmitri.ivanov@acme.example']) sandbox.setApiAccess(email, false);
  await h.dispose();
});

function runner(
  holder = 'r1',
  share?: WatchShare,
  connection: ReturnType<typeof live.connect> = live.connect('acme_private'),
): WatchRunner {
  return createWatchRunner({
    store,
    holder,
    now: () => now,
    schedule,
    rules: () => rules,
    check: (w) =>
      recheck(
        w.target,
        {
          rules,
          live: connection.live,
          ...(share ? { share: { tenant: w.tenant, share, budget: connection.budget } } : {}),
        },
        { cause: w.cause, owner: w.owner },
      ),
    tell: async (notice) => {
      notices.push(notice);
    },
    logger: silent,
    leaseMs: 5 * MIN,
    pollMs: MIN,
    timers: null,
  });
}

/**
 * A watch started as the Slack button starts one: on the first answer's cause and owner. Acme on the Professional plan
 * for that answer, whose share (10 requests) checks all 5 teammates: the candidates are named.
 */
async function watchOriginal(cause?: string, plan: 'Starter' | 'Professional' = 'Professional'): Promise<Watch> {
  sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: PLAN_RATE_LIMITS[plan] });
  const first = okOutcome(await diagnose(original.input, { rules, live: live.connect('acme_private').live }))
    .diagnoses[0]!;
  sandbox.setFaults({ ...NO_FAULTS });
  const { watch } = await store.startWatch({
    tenant: 'acme',
    teamId: 'T1',
    channelId: 'C1',
    threadTs: '1710000000.000100',
    target: original.input,
    label: 'cnv_yo1kg5q',
    cause: cause ?? first.cause,
    owner: ownerOf(first),
    startedBy: 'U1',
    startedAt: new Date(now),
    nextCheckAt: new Date(now + MIN),
    expiresAt: expiryOf(now, schedule),
  });
  return watch;
}

test('backs off from the interval, doubling, to at most 30 minutes', () => {
  expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => delayAfter(n, MIN) / MIN)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
});

test('re-checks when due, stays quiet while the cause holds, and tells once when the target reads fine', async () => {
  const watch = await watchOriginal();
  expect(watch.owner).toBe(
    'one of Bruno Keller <bruno.keller@acme.example>, Dmitri Ivanov <dmitri.ivanov@acme.example>',
  );
  const r = runner();
  expect(await r.tick()).toBe(0);
  now += MIN;
  expect(await r.tick()).toBe(1);
  expect(notices).toEqual([]);
  expect(await store.getWatch(watch.id)).toMatchObject({
    attempts: 1,
    state: 'active',
    nextCheckAt: new Date(T0 + 3 * MIN),
  });

  sandbox.setApiAccess('bruno.keller@acme.example', true);
  now += MIN;
  expect(await r.tick()).toBe(0);
  now += MIN;
  expect(await r.tick()).toBe(1);
  expect(notices.map((n) => [n.kind, n.text])).toEqual([
    [
      'fixed',
      // Bruno and Dmitri both had it off; only Bruno turned it on, so only he is named.
      'Bruno Keller\'s "Allow access to my individual resources via the API" is now on; cnv_yo1kg5q reads fine.',
    ],
  ]);
  expect((await store.getWatch(watch.id))?.state).toBe('fixed');
  const activity = await store.listActivity();
  expect(activity.map((a) => [a.action, a.target, a.cause])).toEqual([
    ['watch.fixed', 'cnv_yo1kg5q', 'teammate_api_access_disabled'],
  ]);
  expect(activity[0]?.detail).toMatch(new RegExp(`^watch=${watch.id} `));

  now += 60 * MIN;
  expect(await r.tick()).toBe(0);
  expect(notices).toHaveLength(1);
  await r.stop();
});

test('a first answer that checked only some teammates names nobody: the fix is told without a name', async () => {
  // On Starter the first answer checks 2 of the 5 teammates and finds Bruno with it off: the owner may still be another.
  const watch = await watchOriginal(undefined, 'Starter');
  expect(watch.owner).toBeNull();
  const r = runner();
  sandbox.setApiAccess('bruno.keller@acme.example', true);
  now += MIN;
  expect(await r.tick()).toBe(1);
  expect(notices.map((n) => n.text)).toEqual([
    'The teammate\'s "Allow access to my individual resources via the API" is now on; cnv_yo1kg5q reads fine.',
  ]);
  await r.stop();
});

test('names every candidate who turned the preference on, and only them', async () => {
  await watchOriginal();
  const r = runner();
  sandbox.setApiAccess('bruno.keller@acme.example', true);
  sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
  now += MIN;
  expect(await r.tick()).toBe(1);
  expect(notices.map((n) => n.text)).toEqual([
    'Bruno Keller and Dmitri Ivanov\'s "Allow access to my individual resources via the API" is now on; cnv_yo1kg5q reads fine.',
  ]);
  await r.stop();
});

test('tells the thread when another cause appears, once, and keeps watching', async () => {
  const watch = await watchOriginal('token_missing_private_scope');
  const r = runner();
  now += MIN;
  await r.tick();
  now += 2 * MIN;
  await r.tick();
  expect(notices.map((n) => [n.kind, n.cause])).toEqual([['changed', 'teammate_api_access_disabled']]);
  expect(await store.getWatch(watch.id)).toMatchObject({ state: 'active', attempts: 2 });
  expect((await store.listActivity()).map((a) => [a.action, a.cause])).toEqual([
    ['watch.changed', 'teammate_api_access_disabled'],
  ]);
});

describe('a re-check is decided the way a diagnosis is', () => {
  async function watchBareLink(): Promise<Watch> {
    const { watch } = await store.startWatch({
      tenant: 'acme',
      teamId: 'T1',
      channelId: 'C1',
      threadTs: '1710000000.000200',
      target: 'https://app.frontapp.com/open/cnv_yo1kg5r',
      label: 'cnv_yo1kg5r',
      cause: 'teammate_api_access_disabled',
      startedBy: 'U1',
      startedAt: new Date(now),
      nextCheckAt: new Date(now + MIN),
      expiresAt: expiryOf(now, schedule),
    });
    return watch;
  }

  test('401 on every request of the re-check: the thread hears the token is refused, as a diagnosis says it', async () => {
    await watchBareLink();
    // Two requests per re-check: GET /me is not among them, only the reads of the conversation.
    const connection = live.connect('acme_revoked', { maxCalls: 2 });
    const r = runner('r1', undefined, connection);
    now += MIN;
    expect(await r.tick()).toBe(1);
    expect(notices.map((n) => [n.kind, n.cause])).toEqual([['changed', 'token_invalid']]);
    const text = notices[0]!.text;
    expect(text).toContain('now for another cause: Front rejects the token itself (401)');
    expect(text).not.toContain('token_invalid');
    expect(text).not.toMatch(/\(unknown\)|no status|\(\s*\)/);
    const diagnosed = okOutcome(
      await diagnose('https://app.frontapp.com/open/cnv_yo1kg5r', { rules, live: connection.live }),
    );
    expect(diagnosed.diagnoses.find((d) => d.status === 'confirmed')?.cause).toBe('token_invalid');
    await r.stop();
  });

  test('this host not reaching Front teaches the watch nothing: no notice, still active', async () => {
    const watch = await watchOriginal();
    const r = runner();
    await sandbox.setReachable(false);
    try {
      now += MIN;
      expect(await r.tick()).toBe(1);
    } finally {
      await sandbox.setReachable(true);
    }
    expect(notices).toEqual([]);
    expect((await store.getWatch(watch.id))?.state).toBe('active');
    await r.stop();
  });
});

test('gives up after FRONT_WHY_WATCH_DAYS with a note in the thread', async () => {
  const watch = await watchOriginal();
  const r = runner();
  now += 7 * 24 * 60 * MIN;
  sandbox.resetStats();
  expect(await r.tick()).toBe(1);
  expect(notices.map((n) => n.kind)).toEqual(['expired']);
  expect(notices[0]?.text).toMatch(/^Stopped watching cnv_yo1kg5q after 7 day\(s\)/);
  expect(sandbox.stats().total).toBe(0);
  expect((await store.getWatch(watch.id))?.state).toBe('expired');
  expect((await store.listActivity()).map((a) => [a.action, a.cause])).toEqual([
    ['watch.expired', 'teammate_api_access_disabled'],
  ]);
});

test('stops, with a note, when the tenant is gone', async () => {
  const watch = await watchOriginal();
  const r = createWatchRunner({
    store,
    holder: 'r1',
    now: () => now,
    schedule,
    rules: () => rules,
    check: async () => ({ kind: 'gone', summary: 'tenant acme no longer exists' }),
    tell: async (notice) => {
      notices.push(notice);
    },
    logger: silent,
    leaseMs: 5 * MIN,
    pollMs: MIN,
    timers: null,
  });
  now += MIN;
  await r.tick();
  expect(notices.map((n) => [n.kind, n.text])).toEqual([
    ['stopped', 'Stopped watching cnv_yo1kg5q: tenant acme no longer exists.'],
  ]);
  expect((await store.getWatch(watch.id))?.state).toBe('stopped');
  expect((await store.listActivity()).map((a) => a.action)).toEqual(['watch.stop']);
});

test("postpones a re-check rather than spend more than the watches' share of the tenant's Front requests", async () => {
  await watchOriginal();
  // 2% of Starter's 50 a minute: one request a minute for watches, a re-check waiting for 12 of them.
  const share = new WatchShare(() => now, 12, 0.02);
  const r = runner('r1', share);
  now += MIN;
  sandbox.resetStats();
  await r.tick();
  const first = sandbox.stats().total;
  expect(first).toBeGreaterThan(2);
  now += 2 * MIN;
  expect((await store.listWatches())[0]?.nextCheckAt.getTime()).toBe(now);
  await r.tick();
  expect(sandbox.stats().total).toBe(first);
  // 12 - first left after the first re-check, 2 more since: the rest comes at one a minute.
  expect((await store.listWatches())[0]).toMatchObject({
    attempts: 1,
    nextCheckAt: new Date(now + (first - 2) * MIN),
  });
});

test("waits while the tenant's Front window is busy or paused, and never reaches into the reserve", () => {
  const share = new WatchShare(() => T0, 12);
  expect(share.decide('acme', { remaining: 40, limit: 50, inFlight: 0, reserve: 5 })).toEqual({ ok: true });
  expect(share.decide('acme', { remaining: 16, resetsAt: T0 + 20_000, inFlight: 0, reserve: 5 })).toMatchObject({
    ok: false,
    retryAt: T0 + 20_000,
  });
  expect(share.decide('acme', { remaining: 20, inFlight: 4, reserve: 5 })).toMatchObject({ ok: false });
  expect(share.decide('acme', { pausedUntil: T0 + 9_000, inFlight: 0, reserve: 5 })).toMatchObject({
    ok: false,
    retryAt: T0 + 9_000,
  });
});

test('two runners on one store: each due watch is checked by one, and the thread told once', async () => {
  const watch = await watchOriginal();
  sandbox.setApiAccess('bruno.keller@acme.example', true);
  now += MIN;
  const [a, b] = [runner('a'), runner('b')];
  const handled = await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
  expect(handled.reduce((x, y) => x + y, 0)).toBe(2);
  expect(notices.map((n) => n.watch.id)).toEqual([watch.id]);
});

test('stop lets the re-check running finish, then starts none', async () => {
  const watch = await watchOriginal();
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let checks = 0;
  const r = createWatchRunner({
    store,
    holder: 'r1',
    now: () => now,
    schedule,
    rules: () => rules,
    check: async () => {
      checks += 1;
      await gate;
      return { kind: 'unknown', summary: 'Front did not answer' };
    },
    tell: async (notice) => {
      notices.push(notice);
    },
    logger: silent,
    leaseMs: 5 * MIN,
    pollMs: MIN,
    timers: null,
  });
  now += MIN;
  const ticking = r.tick();
  await new Promise<void>((resolve) => setImmediate(resolve));
  let stopped = false;
  const stopping = r.stop().then(() => (stopped = true));
  await new Promise<void>((resolve) => setImmediate(resolve));
  expect(stopped).toBe(false);
  release();
  await stopping;
  expect(await ticking).toBe(1);
  // The re-check was recorded (lease released), and nothing more runs after stop.
  expect(await store.getWatch(watch.id)).toMatchObject({
    attempts: 1,
    leaseHolder: null,
    lastResult: 'Front did not answer',
  });
  now += 60 * MIN;
  expect(await r.tick()).toBe(0);
  expect(checks).toBe(1);
});

test("a crashed replica's watch is taken over once its lease runs out", async () => {
  const watch = await watchOriginal();
  sandbox.setApiAccess('bruno.keller@acme.example', true);
  now += MIN;
  // A replica leased it and died before recording anything.
  expect(
    await store.claimDueWatches({ holder: 'crashed', now: new Date(now), leaseMs: 5 * MIN, limit: 5 }),
  ).toHaveLength(1);
  const r = runner('survivor');
  expect(await r.tick()).toBe(0);
  now += 5 * MIN;
  expect(await r.tick()).toBe(1);
  expect(notices.map((n) => [n.kind, n.watch.id])).toEqual([['fixed', watch.id]]);
});
