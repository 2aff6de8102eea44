import { AGENT, CHANNEL, GUEST, GUEST_TEAM, startHarness, userMessage, waitFor, type Harness } from './helpers/harness';
import { BOT_ID, BOT_USER_ID, TEAM_ID, type RecordedCall } from './helpers/slack-standin';
import { parsePaste } from '../../src/diagnosis';

/** Passive detection over the Events API: one threaded reply per message, whatever Slack retries. */

const QUIET = 'C0QUIET';
const FROM_ENV = 'C0ENVLISTEN';
const ERROR_PASTE =
  'Our integration gets this: {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';

let h: Harness;
/** How often the app's (real) paste parser read each text. */
const parses = new Map<string, number>();

beforeAll(async () => {
  h = await startHarness({
    env: { FRONT_WHY_CHANNELS: FROM_ENV },
    sandbox: { faults: { rateLimitPerMinute: 100_000 } },
    parse: (text) => {
      parses.set(text, (parses.get(text) ?? 0) + 1);
      return parsePaste(text);
    },
  });
  for (const channel of [CHANNEL, QUIET, FROM_ENV]) await h.bindTenant('acme', h.sandbox.tokens.acme_private, channel);
  await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
});

afterAll(async () => {
  await h?.close();
});

function repliesSince(mark: number): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => c.method === 'chat.postMessage');
}

async function oneReply(mark: number): Promise<RecordedCall> {
  const reply = await waitFor(() => repliesSince(mark)[0], 'the threaded reply');
  await h.idle();
  expect(repliesSince(mark)).toHaveLength(1);
  return reply;
}

test('a message with a Front error in a listening channel gets one threaded reply', async () => {
  const mark = h.slack.calls.length;
  const message = userMessage(ERROR_PASTE);
  const ack = await h.event(message);
  expect(ack.status).toBe(200);
  const reply = await oneReply(mark);
  expect(reply.args).toMatchObject({ channel: CHANNEL, thread_ts: message.ts, unfurl_links: false });
  expect(JSON.stringify(reply.args)).toContain('teammate_api_access_disabled');
  await h.idle();
  const [entry] = await h.store.listActivity({ limit: 1 });
  expect(entry).toMatchObject({ actor: AGENT, action: 'diagnose', tenant: 'acme', target: 'cnv_yo1kg5q' });
});

test('a message in a listening channel is parsed once, for the offline check and the live diagnosis alike', async () => {
  // Every message of a listening channel is read: parsing is the part an attacker controls the cost of.
  const text = `${ERROR_PASTE} (parsed once)`;
  const mark = h.slack.calls.length;
  await h.event(userMessage(text));
  await oneReply(mark);
  expect(parses.get(text)).toBe(1);
});

test('a reply inside a thread stays in that thread', async () => {
  const mark = h.slack.calls.length;
  const message = userMessage('still failing for cnv_yo1kg5r', { thread_ts: '1710000000.000001' });
  await h.event(message);
  const reply = await oneReply(mark);
  expect(reply.args.thread_ts).toBe('1710000000.000001');
});

test('Slack retries of the same event (X-Slack-Retry-Num) get no second reply', async () => {
  const mark = h.slack.calls.length;
  const message = userMessage(ERROR_PASTE);
  const eventId = 'Ev0RETRIED';
  const acks = await Promise.all([
    h.event(message, { eventId }),
    h.event(message, { eventId, retryNum: 1 }),
    h.event(message, { eventId, retryNum: 2 }),
  ]);
  expect(acks.map((a) => a.status)).toEqual([200, 200, 200]);
  await h.event(message, { eventId, retryNum: 3 });
  await oneReply(mark);
});

test('the same message delivered under two event ids (channel + ts) is answered once', async () => {
  const mark = h.slack.calls.length;
  const message = userMessage('cnv_yo1kg5q is failing again');
  await Promise.all([h.event(message, { eventId: 'Ev0FIRSTCOPY' }), h.event(message, { eventId: 'Ev0SECONDCOPY' })]);
  await oneReply(mark);
});

test('a message listing many conversation IDs gets one combined reply', async () => {
  const mark = h.slack.calls.length;
  await h.event(userMessage('These all fail: cnv_yo1kg5q, cnv_yo1kg5r, cnv_yo1kg5s and cnv_yo1kg5t'));
  const reply = await oneReply(mark);
  const body = JSON.stringify(reply.args);
  for (const id of ['cnv_yo1kg5q', 'cnv_yo1kg5r', 'cnv_yo1kg5s']) expect(body).toContain(id);
});

test('bots (itself included), edits, deletions, joins and other subtypes are ignored', async () => {
  const mark = h.slack.calls.length;
  const ignored = [
    userMessage(ERROR_PASTE, { bot_id: 'B0OTHERBOT', subtype: 'bot_message' }),
    userMessage(ERROR_PASTE, { bot_id: 'B0OTHERBOT' }),
    userMessage(ERROR_PASTE, { user: BOT_USER_ID, bot_id: BOT_ID }),
    userMessage('', {
      subtype: 'message_changed',
      message: { type: 'message', user: AGENT, text: ERROR_PASTE, ts: '1710000000.000001' },
    }),
    userMessage('', {
      subtype: 'message_deleted',
      previous_message: { type: 'message', user: AGENT, text: ERROR_PASTE },
    }),
    userMessage('<@U0AGENT> has joined the channel', { subtype: 'channel_join' }),
    userMessage(ERROR_PASTE, { subtype: 'thread_broadcast' }),
  ];
  for (const event of ignored) expect((await h.event(event)).status).toBe(200);
  await h.idle();
  expect(repliesSince(mark)).toEqual([]);
});

test('chit-chat gets no reply, and channels without listening are left alone', async () => {
  const mark = h.slack.calls.length;
  await h.event(userMessage('Thanks, that fixed it! Have a nice weekend.'));
  await h.event(userMessage(ERROR_PASTE, { channel: QUIET }));
  await h.idle();
  expect(repliesSince(mark)).toEqual([]);
});

test('a channel listed in FRONT_WHY_CHANNELS listens without the setting', async () => {
  const mark = h.slack.calls.length;
  await h.event(userMessage(ERROR_PASTE, { channel: FROM_ENV }));
  const reply = await oneReply(mark);
  expect(reply.args.channel).toBe(FROM_ENV);
});

test('a hostile paste in a listening channel is answered with everything escaped', async () => {
  const mark = h.slack.calls.length;
  await h.event(
    userMessage(
      '{"_error":{"status":403,"message":"<!channel> <@U123> <https://evil.example|front.com>"}} on cnv_yo1kg5q <!here>',
    ),
  );
  await oneReply(mark);
  const sent = h.slack.calls
    .slice(mark)
    .map((c) => c.raw + JSON.stringify(c.args))
    .join('\n');
  for (const needle of ['<!channel>', '<@U123>', '<https://evil.example', '<!here>'])
    expect(sent).not.toContain(needle);
});

test('a Slack Connect guest’s paste triggers no probe unless the channel allows guests', async () => {
  let mark = h.slack.calls.length;
  h.sandbox.resetStats();
  await h.event(userMessage(ERROR_PASTE, { user: GUEST, user_team: GUEST_TEAM }));
  await h.idle();
  expect(repliesSince(mark)).toEqual([]);
  expect(h.sandbox.stats().total).toBe(0);

  await h.store.setChannelSettings(TEAM_ID, CHANNEL, { allowExternal: true });
  try {
    mark = h.slack.calls.length;
    await h.event(userMessage(ERROR_PASTE, { user: GUEST, user_team: GUEST_TEAM }));
    await oneReply(mark);
  } finally {
    await h.store.setChannelSettings(TEAM_ID, CHANNEL, { allowExternal: false });
  }
});
