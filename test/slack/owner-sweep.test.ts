import { OWNER_SWEEP_TOLD_ACTION } from '../../src/slack/checks/owner-sweeps';
import { PLAN_RATE_LIMITS } from '../../src/sandbox/seed';
import { PostgresHarness, probePostgres, testPostgresUrl } from '../store/harness';
import { CHANNEL, startHarness, type Harness } from './helpers/harness';
import type { RecordedCall } from './helpers/slack-standin';
import { visibleText } from './helpers/visible';

/**
 * The 200-teammate company (Initech, Starter: 50 requests a minute) end to end: signed requests to the real app, the
 * Slack stand-in, the sandbox as Front, a real store. One clock, moved by the test, drives the app, its watches and
 * the sandbox's rate-limit minutes; the background work runs when the test ticks. Front requests are counted at the
 * sandbox.
 */

const MIN = 60_000;
const SHARE = PLAN_RATE_LIMITS.Starter / 10;
const PETER = 'Peter Gibbons <peter.gibbons@initech.example>';
let now = Date.now();
const clock = () => now;
const watch = { now: clock, timers: null };

function posts(h: Harness, mark = 0): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => c.method === 'chat.postMessage');
}

const ownerPosts = (h: Harness) => posts(h).filter((c) => visibleText(c).includes(':bust_in_silhouette:'));

/** Requests the sandbox answered on each teammate's private inboxes. */
function checksByTeammate(h: Harness): number[] {
  return Object.entries(h.sandbox.stats().byPath)
    .filter(([p]) => /^\/teammates\/[^/]+\/private_inboxes$/.test(p))
    .map(([, n]) => n);
}

/** `/front-why cnv_9b0c001`: the first answer, and the Front requests it cost. */
async function firstAnswer(h: Harness): Promise<{ answer: RecordedCall; requests: number; teammateChecks: number }> {
  h.sandbox.resetStats();
  const mark = h.slack.calls.length;
  await h.command('cnv_9b0c001');
  await h.idle();
  const answer = posts(h, mark).find((c) => visibleText(c).includes('teammate_api_access_disabled'));
  if (!answer) throw new Error('no answer');
  const teammateChecks = checksByTeammate(h).reduce((a, b) => a + b, 0);
  return { answer, requests: h.sandbox.stats().total, teammateChecks };
}

/** Minutes pass, each replica ticking once a minute, until the thread is told (or `minutes` have passed). */
async function sweepFor(replicas: Harness[], minutes: number, until: () => boolean = () => false): Promise<void> {
  for (let m = 0; m < minutes && !until(); m += 1) {
    now += MIN;
    await Promise.all(replicas.map((r) => r.app.tickOwnerSweeps()));
  }
}

/** Requests of the first answer before any teammate is checked: the conversation and the teammate list (not its inboxes, refused in the same words). */
const BEFORE_CHECKS = 2;

function expectFirstAnswer(first: { answer: RecordedCall; requests: number; teammateChecks: number }): void {
  const checked = SHARE - BEFORE_CHECKS;
  const text = visibleText(first.answer);
  expect(text).toContain(`Owner: not named yet (checked ${checked} of 200 teammates)`);
  expect(text).toContain(`Checking the other ${200 - checked} teammates; I'll post the owner here.`);
  // The whole first answer, every request of it, took no more than 10% of the company's minute.
  expect(first.requests).toBeLessThanOrEqual(SHARE);
  expect(first.teammateChecks).toBe(checked);
}

const pgUrl = testPostgresUrl();
const pg = probePostgres(pgUrl);
(pg.ok ? describe : describe.skip)('two replicas on PostgreSQL', () => {
  let db: PostgresHarness;
  let a: Harness;
  let b: Harness;

  beforeEach(async () => {
    now = Date.now();
    db = await PostgresHarness.create(pgUrl);
    a = await startHarness({ env: { FRONT_WHY_DB: db.location }, sandbox: { clock }, clock, watch });
    b = await startHarness({ replicaOf: a, clock, watch });
    await a.bindTenant('initech', a.sandbox.tokens.initech_private, CHANNEL);
  });

  afterEach(async () => {
    await b.close();
    await a.close();
    await db.dispose();
  });

  test('the first answer comes at once within the share; the owner is posted in its thread once', async () => {
    const first = await firstAnswer(a);
    expectFirstAnswer(first);

    a.sandbox.resetStats();
    await sweepFor([a, b], 120, () => ownerPosts(a).length > 0);
    const told = ownerPosts(a);
    expect(told).toHaveLength(1);
    expect(told[0]?.args.thread_ts).toBe(first.answer.args.thread_ts);
    expect(visibleText(told[0]!)).toContain(
      `Owner of cnv_9b0c001: ${PETER}, the only one of the 200 teammates with "Allow access to my individual resources via the API" off.`,
    );
    // Every teammate checked once by the two replicas together, and never past Front's limit.
    expect(checksByTeammate(a)).toHaveLength(200);
    expect(checksByTeammate(a).every((n) => n === 1)).toBe(true);
    expect(a.sandbox.stats().byStatus['429'] ?? 0).toBe(0);
    for (const window of a.sandbox.rateWindows().filter((w) => w.bucket.includes('initech')))
      expect(window.used).toBeLessThanOrEqual(2 * 12);

    // The map knows the whole company now; nothing more is sent or said.
    const tenant = await a.store.getTenant('initech');
    expect((await a.store.getTeammateMap(tenant!.id))?.sweep).toMatchObject({ seenBy: 'sweep', total: 200 });
    a.sandbox.resetStats();
    await sweepFor([a, b], 30);
    expect(a.sandbox.stats().total).toBe(0);
    expect(ownerPosts(a)).toHaveLength(1);
  });
});

describe('on SQLite', () => {
  let h: Harness;
  let restarted: Harness | undefined;

  beforeEach(async () => {
    now = Date.now();
    h = await startHarness({ sandbox: { clock }, clock, watch });
    await h.bindTenant('initech', h.sandbox.tokens.initech_private, CHANNEL);
  });

  afterEach(async () => {
    await restarted?.close();
    restarted = undefined;
    await h.close();
  });

  test('a restart goes on where the sweep was: each teammate is checked once, the owner posted once', async () => {
    const first = await firstAnswer(h);
    expectFirstAnswer(first);
    h.sandbox.resetStats();
    await sweepFor([h], 10);
    const before = checksByTeammate(h).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(200);

    await h.app.stop();
    restarted = await startHarness({ replicaOf: h, clock, watch });
    await sweepFor([restarted], 120, () => ownerPosts(h).length > 0);
    expect(ownerPosts(h)).toHaveLength(1);
    expect(visibleText(ownerPosts(h)[0]!)).toContain(PETER);
    expect(checksByTeammate(h)).toHaveLength(200);
    expect(checksByTeammate(h).every((n) => n === 1)).toBe(true);
  });

  test('removing the tenant ends its sweep: nothing more is sent to Front nor said', async () => {
    expectFirstAnswer(await firstAnswer(h));
    await sweepFor([h], 3);
    expect(await h.store.removeTenant('initech')).toBe(true);
    h.sandbox.resetStats();
    const mark = h.slack.calls.length;
    await sweepFor([h], 60);
    expect(h.sandbox.stats().total).toBe(0);
    expect(posts(h, mark)).toEqual([]);
  });
});

describe('the seed case on Starter (5 teammates)', () => {
  let h: Harness;
  const BRUNO = 'Bruno Keller <bruno.keller@acme.example>';
  const DMITRI = 'Dmitri Ivanov <dmitri.ivanov@acme.example>';

  beforeEach(async () => {
    now = Date.now();
    h = await startHarness({ sandbox: { clock }, clock, watch });
    await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
  });

  afterEach(async () => {
    await h.close();
  });

  /** `/front-why cnv_yo1kg5q`: the answer, and the Front requests it cost. */
  async function answerSeed(): Promise<{ text: string; threadTs: unknown; requests: number; checks: number }> {
    h.sandbox.resetStats();
    const mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5q');
    await h.idle();
    const answer = posts(h, mark).find((c) => visibleText(c).includes('teammate_api_access_disabled'));
    if (!answer) throw new Error('no answer');
    const checks = checksByTeammate(h).reduce((x, y) => x + y, 0);
    return { text: visibleText(answer), threadTs: answer.args.thread_ts, requests: h.sandbox.stats().total, checks };
  }

  test('cold: 10% of the minute, 3 teammates checked, no owner named; the thread is told both with it off, once', async () => {
    const first = await answerSeed();
    expect(first.requests).toBe(SHARE);
    expect(first.checks).toBe(SHARE - BEFORE_CHECKS);
    // Bruno was found with it off among the 3 checked, but the owner is not named from a partial check.
    expect(first.text).toContain(`found with it off: ${BRUNO}; checked 3 of 5 teammates`);
    expect(first.text).toContain("Checking the other 2 teammates; I'll post the owner here.");

    await sweepFor([h], 10, () => ownerPosts(h).length > 0);
    const told = ownerPosts(h);
    expect(told).toHaveLength(1);
    expect(told[0]?.args.thread_ts).toBe(first.threadTs);
    expect(visibleText(told[0]!)).toContain(
      `Owner of cnv_yo1kg5q: one of ${BRUNO}, ${DMITRI}, the 2 of the 5 teammates with "Allow access to my individual resources via the API" off.`,
    );
    // The follow-up is in the tenant's activity too, next to the answer it completes.
    const posted = await h.store.listActivity({ tenant: 'acme', actions: [OWNER_SWEEP_TOLD_ACTION] });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channelId: CHANNEL, target: 'cnv_yo1kg5q' });
    expect(posted[0]?.detail).toContain(`one of ${BRUNO}, ${DMITRI}`);

    // The sweep left the whole company in the map: the next answer (past the answers kept a minute) names both from
    // it, each confirmed live.
    now += 2 * MIN;
    const next = await answerSeed();
    expect(next.requests).toBeLessThanOrEqual(3);
    expect(next.checks).toBe(2);
    expect(next.text).toContain(BRUNO);
    expect(next.text).toContain(DMITRI);
    expect(next.text).not.toContain("I'll post the owner here");
  });
});
