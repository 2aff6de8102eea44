import { ACTION_IDS } from '../../src/slack/render/blocks';
import { startHarness, type Harness } from '../slack/helpers/harness';
import type { RecordedCall } from '../slack/helpers/slack-standin';
import { PostgresHarness, probePostgres, testPostgresUrl } from '../store/harness';
import { createKey, diagnoseCall } from './helpers';

/**
 * Grouped alerts with two replicas on one PostgreSQL store: 50 failures of one fingerprint, sent to both at once,
 * make one Slack thread whose parent ends up reading 50; another cause opens another thread.
 */

const url = testPostgresUrl();
const probe = probePostgres(url);
const ALERTS = 'C0ALERTS';

const SEED_CASE = {
  tenant: 'acme',
  method: 'GET',
  path: '/conversations/cnv_yo1kg5q',
  status: 403,
  body: {
    _error: {
      status: 403,
      title: 'Forbidden',
      message: 'This agent is not allowed to read the "conversation" with ID: "cnv_yo1kg5q"',
    },
  },
} as const;

(probe.ok ? describe : describe.skip)('grouped alerts across replicas (PostgreSQL)', () => {
  let pg: PostgresHarness;
  let a: Harness;
  let b: Harness;
  let key: string;

  beforeAll(async () => {
    pg = await PostgresHarness.create(url);
    a = await startHarness({
      env: { FRONT_WHY_DB: pg.location },
      sandbox: { faults: { rateLimitPerMinute: 100_000 } },
    });
    b = await startHarness({ replicaOf: a });
    await a.bindTenant('acme', a.sandbox.tokens.acme_private, ALERTS);
    key = await createKey(a.env, ['billing-sync', '--tenant', 'acme', '--notify', ALERTS, '--per-minute', '1000']);
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await pg?.dispose();
  });

  const parents = (): RecordedCall[] =>
    a.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === ALERTS && c.args.thread_ts === undefined);

  test('50 failures with one fingerprint give one thread whose count reads 50', async () => {
    // The first live, so the thread offers Watch until fixed; the rest from the call alone (the same fingerprint),
    // half to each replica, ten at a time.
    const first = await diagnoseCall(a.url, key, SEED_CASE);
    expect(first.status).toBe(200);
    const replies = [];
    for (let batch = 0; batch < 49; batch += 10) {
      const calls = Array.from({ length: Math.min(10, 49 - batch) }, (_, i) =>
        diagnoseCall((batch + i) % 2 === 0 ? b.url : a.url, key, SEED_CASE, { query: '?live=false' }),
      );
      replies.push(...(await Promise.all(calls)));
    }
    expect(replies.map((r) => r.status)).toEqual(Array(49).fill(200));
    expect(new Set(replies.map((r) => r.body.fingerprint))).toEqual(new Set([first.body.fingerprint]));
    await Promise.all([a.idle(), b.idle()]);

    expect(parents()).toHaveLength(1);
    const parent = parents()[0]!;
    const ts = parent.answer?.ts;
    expect(ts).toBeDefined();
    const updates = a.slack.callsTo('chat.update').filter((c) => c.args.ts === ts);
    const latest = updates.at(-1) ?? parent;
    expect(JSON.stringify(latest.args)).toContain('50 failures today');
    expect(JSON.stringify(latest.args)).toContain('billing-sync');
    // Never more updates than failures after the first: each replica that held the thread updated it for counts it saw.
    expect(updates.length).toBeLessThanOrEqual(49);

    // The answer is in the thread once, with the buttons /front-why gives, Watch until fixed among them.
    const answers = a.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts);
    expect(answers).toHaveLength(1);
    const buttons = JSON.stringify(answers[0]!.args.blocks);
    for (const id of [ACTION_IDS.checkAgain, ACTION_IDS.details, ACTION_IDS.watch]) expect(buttons).toContain(id);
    expect(buttons).toContain('teammate_api_access_disabled');
  }, 60_000);

  test('a new cause opens a new thread', async () => {
    const before = parents().length;
    const refusedToken = {
      ...SEED_CASE,
      status: 401,
      body: '{"_error":{"status":401,"title":"Unauthorized","message":"Invalid token"}}',
    };
    expect((await diagnoseCall(b.url, key, refusedToken, { query: '?live=false' })).status).toBe(200);
    await Promise.all([a.idle(), b.idle()]);
    expect(parents()).toHaveLength(before + 1);
    const parent = parents().at(-1)!;
    expect(JSON.stringify(parent.args)).toContain('1 failure today');
    expect(JSON.stringify(parent.args)).toContain('token_invalid');
  });
});
