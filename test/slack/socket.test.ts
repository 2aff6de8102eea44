import { ACTION_IDS } from '../../src/slack/render/blocks';
import { TOKEN_ACTION_ID, TOKEN_BLOCK_ID } from '../../src/slack/render/connect-view';
import {
  ADMIN,
  buttonClick,
  CHANNEL,
  commandPayload,
  eventEnvelope,
  startHarness,
  userMessage,
  waitFor,
  type Harness,
} from './helpers/harness';
import { TEAM_ID, type RecordedCall } from './helpers/slack-standin';

/** The same handlers, driven through Socket Mode: apps.connections.open, then envelopes over a local WebSocket. */

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ socket: true, sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.slack.socketConnected();
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
  await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
});

afterAll(async () => {
  await h?.close();
});

function since(mark: number, method: string): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => c.method === method);
}

test('connects with the app-level token and serves /healthz on its own port', async () => {
  const open = h.slack.callsTo('apps.connections.open');
  expect(open).toHaveLength(1);
  expect(open[0]!.authorization).toBe(`Bearer ${h.appToken}`);
  const res = await fetch(`${h.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true, mode: 'socket' });
  expect((await fetch(`${h.url}/slack/events`, { method: 'POST' })).status).toBe(404);
});

test('a slash command envelope is acked over the socket before the probes finish, then answered in a thread', async () => {
  h.sandbox.setFaults({ latencyMs: 500 });
  try {
    const mark = h.slack.calls.length;
    h.sandbox.resetStats();
    await h.slack.sendEnvelope('slash_commands', commandPayload('cnv_yo1kg5r', h.slack.responseUrl()));
    // Acked while Front had answered nothing yet: the ack did not wait for a single probe.
    const answeredAtAck = Object.values(h.sandbox.stats().byStatus).reduce((sum, n) => sum + n, 0);
    expect(answeredAtAck).toBe(0);
    await waitFor(
      () =>
        since(mark, 'chat.postMessage').find((c) => c.args.thread_ts && JSON.stringify(c.args).includes('*Cause:*')),
      'the threaded answer',
    );
    expect(since(mark, 'chat.postMessage')[0]!.args.text).toBe(':mag: Checking `cnv_yo1kg5r` for *acme*…');
    expect(Object.values(h.sandbox.stats().byStatus).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
  } finally {
    h.sandbox.setFaults({ latencyMs: 0 });
  }
});

test('an events_api envelope for a pasted error gets one threaded reply, delivered twice or not', async () => {
  const mark = h.slack.calls.length;
  const message = userMessage('Front says 403 for cnv_yo1kg5q');
  const envelope = eventEnvelope(message);
  await h.slack.sendEnvelope('events_api', envelope);
  // Slack delivers the same event again in a new envelope when it doubts the first arrived.
  await h.slack.sendEnvelope('events_api', envelope);
  await waitFor(() => since(mark, 'chat.postMessage')[0], 'the reply');
  await h.idle();
  const replies = since(mark, 'chat.postMessage');
  expect(replies).toHaveLength(1);
  expect(replies[0]!.args).toMatchObject({ channel: CHANNEL, thread_ts: message.ts });
  expect(JSON.stringify(replies[0]!.args)).toContain('cnv_yo1kg5q');
});

test('interactive envelopes: a button click and the connect modal (token kept out of logs and Slack calls)', async () => {
  let mark = h.slack.calls.length;
  await h.slack.sendEnvelope('slash_commands', commandPayload('cnv_yo1kg5q', h.slack.responseUrl()));
  const answer = await waitFor(
    () => since(mark, 'chat.postMessage').find((c) => JSON.stringify(c.args).includes(ACTION_IDS.checkAgain)),
    'the answer',
  );
  mark = h.slack.calls.length;
  await h.slack.sendEnvelope(
    'interactive',
    buttonClick(answer, ACTION_IDS.checkAgain, { responseUrl: h.slack.responseUrl() }),
  );
  await waitFor(
    () => since(mark, 'chat.postMessage').find((c) => JSON.stringify(c.args).includes('Checked again')),
    'the re-check',
  );

  mark = h.slack.calls.length;
  await h.slack.sendEnvelope(
    'slash_commands',
    commandPayload('connect globex', h.slack.responseUrl(), { user: ADMIN }),
  );
  const opened = await waitFor(() => since(mark, 'views.open')[0], 'views.open');
  const token = h.sandbox.tokens.globex_private;
  const view = opened.args.view as Record<string, unknown>;
  mark = h.slack.calls.length;
  const ack = await h.slack.sendEnvelope('interactive', {
    type: 'view_submission',
    team: { id: TEAM_ID, domain: 'front-why-test' },
    user: { id: ADMIN, username: 'admin', name: 'admin', team_id: TEAM_ID },
    api_app_id: 'A0FRONTWHY',
    trigger_id: 't',
    view: {
      ...view,
      id: 'V0SOCKET1',
      state: { values: { [TOKEN_BLOCK_ID]: { [TOKEN_ACTION_ID]: { type: 'plain_text_input', value: token } } } },
    },
  });
  expect(ack.payload).toMatchObject({ response_action: 'update' });
  const result = await waitFor(() => since(mark, 'views.update')[0], 'the result');
  expect(JSON.stringify(result.args)).toContain('is connected');
  expect(await h.store.getTenantToken('globex')).toBe(token);
  expect(h.logs.length).toBeGreaterThan(0);
  expect(h.logs.join('\n')).not.toContain(token);
  expect(h.slack.calls.map((c) => c.raw).join('\n')).not.toContain(token);
});
