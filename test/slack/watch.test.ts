import { ACTION_IDS } from '../../src/slack/render/blocks';
import { WATCH_ACTION_IDS } from '../../src/slack/render/blocks-watch';
import { PostgresHarness, probePostgres, testPostgresUrl } from '../store/harness';
import { AGENT, buttonClick, CHANNEL, GUEST, GUEST_TEAM, startHarness, type Harness } from './helpers/harness';
import { parseExposition, valueOf } from './helpers/prometheus';
import type { RecordedCall } from './helpers/slack-standin';
import { buttonIds, visibleText } from './helpers/visible';

/**
 * "Watch until fixed" end to end: signed requests to the real app, the Slack stand-in, the sandbox as Front, a real
 * store. Time is the watches' clock, moved by the test; re-checks run when the test ticks.
 */

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const BRUNO = 'bruno.keller@acme.example';

let now = T0;
const watchClock = { now: () => now, timers: null };

function posts(h: Harness, mark = 0): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => c.method === 'chat.postMessage');
}

/** `/front-why <text>`, then the threaded answer carrying the buttons. */
async function answer(h: Harness, text: string): Promise<RecordedCall> {
  const mark = h.slack.calls.length;
  await h.command(text);
  await h.idle();
  const reply = posts(h, mark).find((c) => buttonIds(c).includes(ACTION_IDS.details));
  if (!reply) throw new Error(`no answer with buttons to ${text}`);
  return reply;
}

async function openWatches(h: Harness): Promise<number> {
  const res = await fetch(`${h.metricsUrl}/metrics`);
  return valueOf(parseExposition(await res.text()), 'front_why_open_watches');
}

async function click(h: Harness, call: RecordedCall, actionId: string, who: { user?: string; team?: string } = {}) {
  const ack = await h.interact(buttonClick(call, actionId, { responseUrl: h.slack.responseUrl(), ...who }));
  expect(ack.status).toBe(200);
  await h.idle();
}

function toldFine(h: Harness): RecordedCall[] {
  return posts(h).filter((c) => visibleText(c).startsWith(':white_check_mark:'));
}

describe('on SQLite, across a restart', () => {
  let h: Harness;
  let restarted: Harness | undefined;

  beforeEach(async () => {
    now = T0;
    h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } }, watch: watchClock });
    await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
  });

  afterEach(async () => {
    await restarted?.close();
    restarted = undefined;
    await h.close();
  });

  test('click "Watch until fixed", restart, turn the preference on: the thread is told once', async () => {
    const reply = await answer(h, 'cnv_yo1kg5q');
    expect(buttonIds(reply)).toEqual([
      ACTION_IDS.checkAgain,
      ACTION_IDS.customerMessage,
      ACTION_IDS.details,
      ACTION_IDS.watch,
    ]);
    const mark = h.slack.calls.length;
    await click(h, reply, ACTION_IDS.watch);
    const [started, ...others] = posts(h, mark);
    expect(others).toEqual([]);
    expect(started?.args.thread_ts).toBe(reply.args.thread_ts);
    expect(visibleText(started!)).toContain("Watching cnv_yo1kg5q — I'll post here when it reads fine.");
    expect(buttonIds(started!)).toEqual([WATCH_ACTION_IDS.stop]);
    expect(await openWatches(h)).toBe(1);

    // The server restarts: a new app on the same store (the first one is stopped, as after SIGTERM).
    await h.app.stop();
    restarted = await startHarness({ replicaOf: h, watch: watchClock });
    now += MIN;
    expect(await restarted.app.tickWatches()).toBe(1);
    expect(toldFine(h)).toEqual([]);

    h.sandbox.setApiAccess(BRUNO, true);
    now += 2 * MIN;
    expect(await restarted.app.tickWatches()).toBe(1);
    now += 60 * MIN;
    expect(await restarted.app.tickWatches()).toBe(0);
    const fine = toldFine(h);
    expect(fine).toHaveLength(1);
    expect(await openWatches(restarted)).toBe(0);
    expect(fine[0]?.args.thread_ts).toBe(reply.args.thread_ts);
    expect(visibleText(fine[0]!)).toContain(
      '"Allow access to my individual resources via the API" is now on for one of Bruno Keller, Dmitri Ivanov; cnv_yo1kg5q reads fine.',
    );

    const activity = await restarted.store.listActivity({ tenant: 'acme' });
    const watchLines = activity.filter((a) => a.action.startsWith('watch.')).reverse();
    expect(watchLines.map((a) => [a.action, a.target, a.cause])).toEqual([
      ['watch.start', 'cnv_yo1kg5q', 'teammate_api_access_disabled'],
      ['watch.fixed', 'cnv_yo1kg5q', 'teammate_api_access_disabled'],
    ]);
    const id = (await restarted.store.listWatches({ state: 'any' }))[0]?.id;
    expect(watchLines.every((a) => a.detail?.startsWith(`watch=${id}`))).toBe(true);
  });

  test('/front-why watches lists the channel\'s watches; "Stop watching" ends one, once', async () => {
    const reply = await answer(h, 'cnv_yo1kg5q');
    await click(h, reply, ACTION_IDS.watch);
    // A second click starts no second watch.
    await click(h, reply, ACTION_IDS.watch);
    expect(await h.store.listWatches()).toHaveLength(1);

    const listed = await h.command('watches');
    await h.idle();
    const list = h.slack.calls.find(
      (c) => c.method === 'response_url' && c.path === new URL(listed.responseUrl).pathname,
    );
    expect(visibleText(list!)).toContain('Watching in this channel (1)');
    expect(visibleText(list!)).toContain('cnv_yo1kg5q · tenant acme · teammate_api_access_disabled');

    const started = posts(h).find((c) => buttonIds(c).includes(WATCH_ACTION_IDS.stop))!;
    const mark = h.slack.calls.length;
    await click(h, started, WATCH_ACTION_IDS.stop);
    await click(h, started, WATCH_ACTION_IDS.stop);
    expect(posts(h, mark).map((c) => visibleText(c))).toEqual([
      `:octagonal_sign: Stopped watching cnv_yo1kg5q (@${AGENT}).`,
    ]);
    expect(await h.store.listWatches()).toEqual([]);
    now += MIN;
    expect(await h.app.tickWatches()).toBe(0);
    const actions = (await h.store.listActivity()).map((a) => a.action).filter((a) => a.startsWith('watch.'));
    expect(actions).toEqual(['watch.stop', 'watch.start']);
  });

  test('a Slack Connect guest cannot start a watch where guests may not run checks', async () => {
    const reply = await answer(h, 'cnv_yo1kg5q');
    await click(h, reply, ACTION_IDS.watch, { user: GUEST, team: GUEST_TEAM });
    expect(await h.store.listWatches()).toEqual([]);
  });

  test('a watch button holding nothing to check is refused with why, at once, not "try again in a minute"', async () => {
    const reply = await answer(h, 'cnv_yo1kg5q');
    // A button's value is the paste it answers; one holding only a typo (`msg_`) has nothing to re-check.
    const forged = JSON.parse(JSON.stringify(reply)) as RecordedCall;
    const blocks = (forged.args as { blocks: { elements?: { action_id: string; value: string }[] }[] }).blocks;
    for (const e of blocks.flatMap((b) => b.elements ?? [])) if (e.action_id === ACTION_IDS.watch) e.value = 'msg_';
    const mark = h.slack.calls.length;
    const before = h.sandbox.stats().total;
    await click(h, forged, ACTION_IDS.watch);
    expect(await h.store.listWatches()).toEqual([]);
    expect(h.sandbox.stats().total).toBe(before);
    const told = h.slack.calls
      .slice(mark)
      .filter((c) => c.method === 'chat.postEphemeral')
      .map((c) => visibleText(c));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('Nothing to watch: no Front error and no Front ID to check');
    expect(told[0]).not.toContain('try again');
  });

  test('an answer the customer cannot fix offers no watch', async () => {
    const reply = await answer(h, 'cnv_zz9k2x1');
    expect(buttonIds(reply)).not.toContain(ACTION_IDS.watch);
  });
});

const pgUrl = testPostgresUrl();
const pg = probePostgres(pgUrl);
(pg.ok ? describe : describe.skip)('two replicas on PostgreSQL', () => {
  let db: PostgresHarness;
  let a: Harness;
  let b: Harness;

  beforeEach(async () => {
    now = T0;
    db = await PostgresHarness.create(pgUrl);
    a = await startHarness({
      env: { FRONT_WHY_DB: db.location },
      sandbox: { faults: { rateLimitPerMinute: 100_000 } },
      watch: watchClock,
    });
    b = await startHarness({ replicaOf: a, watch: watchClock });
    await a.bindTenant('acme', a.sandbox.tokens.acme_private, CHANNEL);
  });

  afterEach(async () => {
    await b.close();
    await a.close();
    await db.dispose();
  });

  test('never both notify: each watch is re-checked by one replica at a time and the thread told once', async () => {
    const replies = [await answer(a, 'cnv_yo1kg5q'), await answer(b, 'cnv_yo1kg5v')];
    await click(a, replies[0]!, ACTION_IDS.watch);
    await click(b, replies[1]!, ACTION_IDS.watch);
    expect(await a.store.listWatches()).toHaveLength(2);

    now += MIN;
    const first = await Promise.all([a.app.tickWatches(), b.app.tickWatches()]);
    expect(first.reduce((x, y) => x + y, 0)).toBe(2);

    a.sandbox.setApiAccess(BRUNO, true);
    a.sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
    // Each replica's watches keep within their share of acme's Front requests, so a re-check may wait its turn.
    for (let round = 0; round < 10 && (await a.store.listWatches()).length > 0; round += 1) {
      now += 10 * MIN;
      await Promise.all([b.app.tickWatches(), a.app.tickWatches()]);
    }
    expect(await a.store.listWatches()).toEqual([]);
    now += 60 * MIN;
    expect(await Promise.all([a.app.tickWatches(), b.app.tickWatches()])).toEqual([0, 0]);

    const fine = toldFine(a);
    expect(fine.map((c) => c.args.thread_ts).sort()).toEqual(replies.map((r) => r.args.thread_ts).sort());
    expect((await a.store.listActivity()).filter((e) => e.action === 'watch.fixed')).toHaveLength(2);
  });
});
