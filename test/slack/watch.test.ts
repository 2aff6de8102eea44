import { startSandbox } from '../../src/sandbox';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { DEFAULT_TOKEN_TENANT_ID } from '../../src/store';
import { WATCH_ACTION_IDS } from '../../src/slack/render/blocks-watch';
import { PostgresHarness, probePostgres, testPostgresUrl } from '../store/harness';
import { ADMIN, AGENT, buttonClick, CHANNEL, GUEST, GUEST_TEAM, startHarness, type Harness } from './helpers/harness';
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

describe('on the default token (FRONT_API_TOKEN, an unbound channel)', () => {
  let h: Harness;

  beforeEach(async () => {
    now = T0;
    // The sandbox's tokens are the same from run to run: one started only to read them tells the harness's.
    const probe = await startSandbox({ port: 0 });
    const token = probe.tokens.acme_private;
    await probe.close();
    h = await startHarness({
      sandbox: { faults: { rateLimitPerMinute: 100_000 } },
      watch: watchClock,
      env: { FRONT_API_TOKEN: token },
    });
  });

  afterEach(async () => {
    await h.close();
  });

  test('a watch re-checks with the default token; binding the channel to a tenant stops it and says so', async () => {
    const reply = await answer(h, 'cnv_yo1kg5q');
    await click(h, reply, ACTION_IDS.watch);
    const [watch] = await h.store.listWatches();
    expect(watch).toMatchObject({ tenant: 'default', tenantId: DEFAULT_TOKEN_TENANT_ID });
    now += MIN;
    expect(await h.app.tickWatches()).toBe(1);
    expect(toldFine(h)).toEqual([]);

    await h.store.addTenant({ name: 'globex', token: h.sandbox.tokens.globex_private });
    const mark = h.slack.calls.length;
    await h.command('bind globex', { user: ADMIN });
    await h.idle();
    expect(posts(h, mark).map((c) => visibleText(c))).toEqual([
      ':octagonal_sign: Stopped watching cnv_yo1kg5q: this channel now checks with tenant globex.',
    ]);
    h.sandbox.resetStats();
    now += 60 * MIN;
    expect(await h.app.tickWatches()).toBe(0);
    expect(h.sandbox.stats().total).toBe(0);
  });
});

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
      // Bruno and Dmitri both had it off; only Bruno turned it on, so only he is named.
      'Bruno Keller\'s "Allow access to my individual resources via the API" is now on; cnv_yo1kg5q reads fine.',
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

  test('a re-check that meets a Front error no rule explains counts its wording once, with the tenant, as a paste is counted', async () => {
    // A watch started while its error read as the preference case; the rules since explain its wording no more
    // (an operator's rule set changed), so each re-check answers "unknown".
    const paste = JSON.stringify({
      _error: { status: 409, title: 'Conflict', message: 'Import 17 is locked by another import' },
    });
    await h.store.startWatch({
      tenant: 'acme',
      teamId: 'T1',
      channelId: CHANNEL,
      threadTs: '1710000000.000300',
      target: paste,
      label: 'the pasted error',
      cause: 'teammate_api_access_disabled',
      startedBy: AGENT,
      startedAt: new Date(now),
      nextCheckAt: new Date(now + MIN),
      expiresAt: new Date(now + 7 * 24 * 60 * MIN),
    });
    const mark = h.slack.calls.length;
    for (let round = 0; round < 3; round += 1) {
      now += 30 * MIN;
      expect(await h.app.tickWatches()).toBe(1);
    }
    expect(posts(h, mark).map((c) => visibleText(c))).toEqual([
      expect.stringContaining(
        'the pasted error still fails, now for another cause: No rule explains this Front error yet (409',
      ),
    ]);
    const wordings = await h.store.listUnknownWordings();
    expect(wordings.map((w) => [w.template, w.status, w.count, w.tenants])).toEqual([
      ['Import <n> is locked by another import', 409, 1, ['acme']],
    ]);
    const res = await fetch(`${h.metricsUrl}/metrics`);
    expect(valueOf(parseExposition(await res.text()), 'front_why_unknown_wordings_total', { wording: 'new' })).toBe(1);
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

  test("the buttons and the watch carry the paste's errors and IDs, never its free text", async () => {
    const note = 'Note from jane.doe@customer.example, SSN 078-05-1120, password Hunter2-Secret';
    const reply = await answer(h, `${note}\nGET /conversations/cnv_yo1kg5q -> 403 Forbidden`);
    const values = (reply.args as { blocks: { elements?: { action_id?: string; value?: string }[] }[] }).blocks
      .flatMap((b) => b.elements ?? [])
      .filter((e) => e.action_id !== undefined)
      .map((e) => e.value ?? '');
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) {
      expect(value).toContain('cnv_yo1kg5q');
      for (const secret of ['jane.doe', '078-05-1120', 'Hunter2', 'Note from']) expect(value).not.toContain(secret);
    }
    await click(h, reply, ACTION_IDS.watch);
    const [watch] = await h.store.listWatches();
    expect(watch?.target).toContain('cnv_yo1kg5q');
    for (const secret of ['jane.doe', '078-05-1120', 'Hunter2', 'Note from'])
      expect(watch?.target).not.toContain(secret);

    // Re-checked from what was kept, it reaches the fix as the full paste would.
    h.sandbox.setApiAccess(BRUNO, true);
    h.sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
    now += MIN;
    expect(await h.app.tickWatches()).toBe(1);
    expect(toldFine(h)).toHaveLength(1);
  });

  test('a watch whose tenant is removed ends at its next re-check, and the thread is told why', async () => {
    const reply = await answer(h, 'cnv_yo1kg5q');
    await click(h, reply, ACTION_IDS.watch);
    expect(await h.store.listWatches()).toHaveLength(1);

    expect(await h.store.removeTenant('acme')).toBe(true);
    const mark = h.slack.calls.length;
    now += MIN;
    expect(await h.app.tickWatches()).toBe(1);
    expect(await h.store.listWatches()).toEqual([]);
    const told = posts(h, mark);
    expect(told.map((c) => [c.args.thread_ts, visibleText(c)])).toEqual([
      [
        reply.args.thread_ts,
        ':octagonal_sign: Stopped watching cnv_yo1kg5q: the tenant acme was removed from front-why.',
      ],
    ]);
    // Nothing left to re-check: later rounds find no watch.
    now += 60 * MIN;
    expect(await h.app.tickWatches()).toBe(0);
  });

  test("a tenant removed and added back with another company's token: its watch ends, says why, and never uses that token", async () => {
    const reply = await answer(h, 'cnv_yo1kg5q');
    await click(h, reply, ACTION_IDS.watch);
    await h.store.removeTenant('acme');
    await h.bindTenant('acme', h.sandbox.tokens.globex_private, CHANNEL);
    h.sandbox.resetStats();
    const mark = h.slack.calls.length;
    now += MIN;
    expect(await h.app.tickWatches()).toBe(1);
    expect(h.sandbox.stats().total).toBe(0);
    const told = posts(h, mark);
    expect(told.map((c) => visibleText(c))).toEqual([
      ':octagonal_sign: Stopped watching cnv_yo1kg5q: the tenant acme was removed from front-why.',
    ]);
    expect(told[0]?.args.thread_ts).toBe(reply.args.thread_ts);
    expect((await h.store.listWatches({ state: 'any' })).map((w) => w.state)).toEqual(['stopped']);
    now += 60 * MIN;
    expect(await h.app.tickWatches()).toBe(0);
    expect(h.sandbox.stats().total).toBe(0);
  });

  test('/front-why bind to another tenant stops the watches here, tells each thread, and says how many', async () => {
    const reply = await answer(h, 'cnv_yo1kg5q');
    await click(h, reply, ACTION_IDS.watch);
    const bindReply = async (text: string) => {
      const sent = await h.command(text, { user: ADMIN });
      await h.idle();
      const path = new URL(sent.responseUrl).pathname;
      return visibleText(h.slack.calls.find((c) => c.method === 'response_url' && c.path === path)!);
    };
    // Bound again to the same tenant: the watch goes on.
    expect(await bindReply('bind acme')).not.toContain('Stopped');
    expect(await h.store.listWatches()).toHaveLength(1);

    await h.store.addTenant({ name: 'globex', token: h.sandbox.tokens.globex_private });
    const mark = h.slack.calls.length;
    expect(await bindReply('bind globex')).toContain(
      'This channel now checks with tenant globex. Stopped 1 watch that re-checked with the tenant before; each thread was told.',
    );
    const told = posts(h, mark);
    expect(told.map((c) => visibleText(c))).toEqual([
      ':octagonal_sign: Stopped watching cnv_yo1kg5q: this channel now checks with tenant globex.',
    ]);
    expect(told[0]?.args.thread_ts).toBe(reply.args.thread_ts);
    expect(await h.store.listWatches()).toEqual([]);
    h.sandbox.resetStats();
    now += MIN;
    expect(await h.app.tickWatches()).toBe(0);
    expect(h.sandbox.stats().total).toBe(0);
    const stops = (await h.store.listActivity()).filter((a) => a.action === 'watch.stop');
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ action: 'watch.stop', actor: ADMIN, tenant: 'acme', target: 'cnv_yo1kg5q' });
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

  test('an answer a live check overruled offers no watch, and a click on a button from before is refused with why', async () => {
    const paste =
      'GET /conversations/cnv_yo1kg5s 401 {"_error":{"status":401,"title":"Unauthorized","message":"Invalid token"}}';
    const reply = await answer(h, paste);
    expect(visibleText(reply)).toContain('sends another or an old token');
    expect(visibleText(reply)).toContain('Ranked first: The live check (GET /me');
    expect(buttonIds(reply)).not.toContain(ACTION_IDS.watch);

    // A watch button carrying that paste (forged here, as one from before would be) starts nothing.
    const other = await answer(h, 'cnv_yo1kg5q');
    const forged = JSON.parse(JSON.stringify(other)) as RecordedCall;
    const blocks = (forged.args as { blocks: { elements?: { action_id: string; value: string }[] }[] }).blocks;
    for (const e of blocks.flatMap((b) => b.elements ?? [])) if (e.action_id === ACTION_IDS.watch) e.value = paste;
    const mark = h.slack.calls.length;
    await click(h, forged, ACTION_IDS.watch);
    expect(await h.store.listWatches()).toEqual([]);
    const told = h.slack.calls
      .slice(mark)
      .filter((c) => c.method === 'chat.postEphemeral')
      .map((c) => visibleText(c));
    expect(told).toEqual([expect.stringContaining('No watch for this one')]);
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
