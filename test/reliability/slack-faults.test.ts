import { ACTION_IDS } from '../../src/slack/render/blocks';
import {
  ADMIN,
  buttonClick,
  CHANNEL,
  startHarness,
  userMessage,
  waitFor,
  type Harness,
} from '../slack/helpers/harness';
import { BOT_NAME, TEAM_ID } from '../slack/helpers/slack-standin';
import {
  acceptedSince,
  callsSince,
  ephemeralAnswer,
  expectHealthy,
  expectNothingLost,
  freshConversation,
  snapshotStore,
  textOf,
  threadedAnswer,
  type StoreSnapshot,
} from './helpers';

/**
 * Slack refusing front-why's messages: `not_in_channel`, `channel_not_found`, and rate limiting as Slack does it
 * (HTTP 429, `Retry-After`, `{"ok":false,"error":"ratelimited"}`). A rate-limited call fails at once and holds
 * up no other call; a reply is tried again after Retry-After, a form (whose trigger expires) is not. Whatever Slack answers, the agent gets the answer or a notice saying what could not be done (in the
 * thread, through the command's response_url, or with chat.postEphemeral), the app keeps serving, and the store
 * keeps everything and audits the run.
 */

let h: Harness;
let before: StoreSnapshot;
const CHANNELS = [CHANNEL, 'C0NOTMEMBER', 'C0DELETED', 'C0VANISHING', 'C0BROKENURL'];

beforeAll(async () => {
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  for (const channel of CHANNELS) await h.bindTenant('acme', h.sandbox.tokens.acme_private, channel);
  await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  before = await snapshotStore(h, CHANNELS);
});

afterEach(() => {
  h.slack.rateLimit('chat.postMessage', undefined);
  h.slack.rateLimit('views.open', undefined);
  h.slack.failResponseUrls(undefined);
  h.sandbox.setFaults({ latencyMs: 0 });
});

/** Slack answering normally again: /healthz is fine and the next command in a working channel is answered in its thread. */
async function expectRecovered(audited: { target: string; channel: string }[]): Promise<void> {
  h.slack.rateLimit('chat.postMessage', undefined);
  await expectHealthy(h);
  const mark = h.slack.calls.length;
  await h.command('cnv_yo1kg5q');
  const replies = await threadedAnswer(h, mark);
  expect(replies.map(textOf).join('\n')).toContain('teammate_api_access_disabled');
  await expectNothingLost(
    h,
    before,
    audited.map(({ target, channel }) => ({ action: 'diagnose', tenant: 'acme', target, channelId: channel })),
  );
}

describe('/front-why where Slack will not take the message', () => {
  test('not_in_channel: the whole answer comes privately with the /invite that fixes it', async () => {
    const channel = 'C0NOTMEMBER';
    h.slack.failChannel(channel, 'not_in_channel');
    const target = freshConversation();
    const { responseUrl } = await h.command(target, { channel });
    const answer = (await ephemeralAnswer(h, responseUrl)).map(textOf).join('\n');
    expect(answer).toContain('"response_type":"ephemeral"');
    expect(answer).toContain(`/invite @${BOT_NAME}`);
    expect(answer).toContain('resource_not_found');
    await expectRecovered([{ target, channel }]);
  });

  test('channel_not_found: the answer comes privately', async () => {
    const channel = 'C0DELETED';
    h.slack.failChannel(channel, 'channel_not_found');
    const target = freshConversation();
    const { responseUrl } = await h.command(target, { channel });
    const answer = (await ephemeralAnswer(h, responseUrl)).map(textOf).join('\n');
    expect(answer).toContain('"response_type":"ephemeral"');
    expect(answer).toContain('resource_not_found');
    await expectRecovered([{ target, channel }]);
  });

  test('the channel disappears between the parent message and the answer: a private notice names Slack’s error', async () => {
    const channel = 'C0VANISHING';
    // Front answers slowly enough for the channel to go while the checks run.
    h.sandbox.setFaults({ latencyMs: 400 });
    const target = freshConversation();
    const mark = h.slack.calls.length;
    const { responseUrl } = await h.command(target, { channel });
    await waitFor(
      () => acceptedSince(h, mark, 'chat.postMessage').find((c) => c.args.channel === channel),
      'the parent message',
    );
    h.slack.failChannel(channel, 'channel_not_found');
    const notice = (await ephemeralAnswer(h, responseUrl)).map(textOf).join('\n');
    expect(notice).toContain('I could not finish this check: Slack answered `channel_not_found`');
    expect(notice).toMatch(/Reference `[0-9A-F]{6}`/);
    await expectRecovered([{ target, channel }]);
  });

  test('rate limited once (429, Retry-After: 1): the reply waits, is tried again, and each message is posted exactly once', async () => {
    h.slack.rateLimit('chat.postMessage', { retryAfterSec: 1, times: 1 });
    const target = freshConversation();
    const mark = h.slack.calls.length;
    await h.command(target);
    const replies = await threadedAnswer(h, mark);
    await h.idle();
    const attempts = callsSince(h, mark, 'chat.postMessage');
    expect(attempts[0]!.answer).toEqual({ status: 429, ok: false, error: 'ratelimited' });
    const posted = acceptedSince(h, mark, 'chat.postMessage');
    expect(posted.filter((c) => c.args.thread_ts === undefined)).toHaveLength(1);
    expect(replies.filter((c) => textOf(c).includes(ACTION_IDS.checkAgain))).toHaveLength(1);
    expect(replies.map(textOf).join('\n')).toContain('resource_not_found');
    await expectRecovered([{ target, channel: CHANNEL }]);
  });

  test('rate limited for good: once its tries are spent, the answer comes privately and says why', async () => {
    h.slack.rateLimit('chat.postMessage', { retryAfterSec: 1 });
    const target = freshConversation();
    const mark = h.slack.calls.length;
    const { responseUrl } = await h.command(target);
    const answer = (await ephemeralAnswer(h, responseUrl)).map(textOf).join('\n');
    expect(answer).toContain('I could not post in this channel: Slack is rate limiting front-why');
    expect(answer).toMatch(/Reference `[0-9A-F]{6}`/);
    expect(answer).toContain('resource_not_found');
    expect(acceptedSince(h, mark, 'chat.postMessage')).toEqual([]);
    await expectRecovered([{ target, channel: CHANNEL }]);
  });

  test('rate limited with a long Retry-After (60 s): not waited for, the answer comes privately at once', async () => {
    h.slack.rateLimit('chat.postMessage', { retryAfterSec: 60 });
    const target = freshConversation();
    const mark = h.slack.calls.length;
    const { responseUrl } = await h.command(target);
    const answer = (await ephemeralAnswer(h, responseUrl, 8_000)).map(textOf).join('\n');
    expect(answer).toContain('Slack is rate limiting front-why');
    expect(answer).toContain('resource_not_found');
    await h.idle();
    // One try of the parent message: a wait that long would only make the answer later.
    expect(callsSince(h, mark, 'chat.postMessage')).toHaveLength(1);
    await expectRecovered([{ target, channel: CHANNEL }]);
  });

  test('nowhere to answer (not a member, response_url expired): logged, and the app carries on', async () => {
    const channel = 'C0BROKENURL';
    h.slack.failChannel(channel, 'not_in_channel');
    h.slack.failResponseUrls(404);
    const target = freshConversation();
    const mark = h.slack.calls.length;
    await h.command(target, { channel });
    await waitFor(() => h.logs.some((l) => l.includes('could not tell the user about the failure')), 'the log line');
    expect(callsSince(h, mark, 'response_url').length).toBeGreaterThan(0);
    h.slack.failResponseUrls(undefined);
    await expectRecovered([{ target, channel }]);
  });
});

describe('the connect form while Slack rate limits views.open', () => {
  test('the form fails at once with a message saying when to try again; views.open is not retried', async () => {
    h.slack.rateLimit('views.open', { retryAfterSec: 30, times: 1 });
    const mark = h.slack.calls.length;
    const { responseUrl } = await h.command('connect limitedco', { user: ADMIN });
    // Well before the 30 s Slack asked for: the trigger would have expired by then.
    const answer = (await ephemeralAnswer(h, responseUrl, 8_000)).map(textOf).join('\n');
    expect(answer).toContain('Slack is rate limiting front-why right now (`ratelimited`), so the form could not open');
    expect(answer).toContain('Run `/front-why connect limitedco` again in 30 seconds');
    await h.idle();
    expect(callsSince(h, mark, 'views.open')).toHaveLength(1);
    expect(await h.store.getTenant('limitedco')).toBeNull();
  });

  test('a rate-limited call holds up no other: a check started meanwhile is answered at once', async () => {
    h.slack.rateLimit('views.open', { retryAfterSec: 30 });
    const mark = h.slack.calls.length;
    const target = freshConversation();
    const [form] = await Promise.all([h.command('connect limitedco', { user: ADMIN }), h.command(target)]);
    const replies = await threadedAnswer(h, mark, CHANNEL, 8_000);
    expect(replies.map(textOf).join('\n')).toContain('resource_not_found');
    await ephemeralAnswer(h, form.responseUrl, 8_000);
    await h.idle();
    expect(callsSince(h, mark, 'views.open')).toHaveLength(1);
    await expectRecovered([{ target, channel: CHANNEL }]);
  });
});

describe('a pasted error in a listening channel where Slack will not take the reply', () => {
  test('rate limited for good: the author gets a private notice (chat.postEphemeral) saying so', async () => {
    h.slack.rateLimit('chat.postMessage', { retryAfterSec: 1 });
    const target = freshConversation();
    const message = userMessage(
      `{"_error":{"status":404,"title":"Not found","message":"Unknown conversation ID ${target}"}}`,
    );
    const mark = h.slack.calls.length;
    await h.event(message);
    const notice = await waitFor(() => acceptedSince(h, mark, 'chat.postEphemeral')[0], 'the private notice');
    expect(notice.args).toMatchObject({ channel: CHANNEL, user: message.user, thread_ts: message.ts });
    expect(textOf(notice)).toContain('I could not finish checking this message: Slack is rate limiting front-why');
    await expectRecovered([{ target, channel: CHANNEL }]);
  });

  test('Slack refuses the answer once: a notice in the thread names Slack’s error', async () => {
    h.slack.failNext('chat.postMessage', 'internal_error');
    const target = freshConversation();
    const message = userMessage(`still failing for ${target}`);
    const mark = h.slack.calls.length;
    await h.event(message);
    const [notice] = await threadedAnswer(h, mark);
    expect(notice!.args.thread_ts).toBe(message.ts);
    expect(textOf(notice!)).toContain('I could not finish checking this message: Slack answered `internal_error`');
    await expectRecovered([{ target, channel: CHANNEL }]);
  });
});

describe('buttons where Slack will not take the message', () => {
  test('"Check again" in a channel that is gone: the clicker is told through the action’s response_url', async () => {
    const mark = h.slack.calls.length;
    const target = freshConversation();
    await h.command(target, { channel: 'C0VANISHING2' });
    // An unbound channel answers from the paste alone; its buttons are what matters here.
    const [reply] = await threadedAnswer(h, mark, 'C0VANISHING2');
    h.slack.failChannel('C0VANISHING2', 'channel_not_found');
    const responseUrl = h.slack.responseUrl();
    await h.interact(buttonClick(reply!, ACTION_IDS.checkAgain, { responseUrl }));
    const notice = (await ephemeralAnswer(h, responseUrl)).map(textOf).join('\n');
    expect(notice).toContain('I could not finish checking again: Slack answered `channel_not_found`');
    await expectRecovered([]);
    const audit = await h.store.listActivity({ limit: 5 });
    // The command and its re-run are both logged; the re-run as such, so the case counts once.
    expect(audit.filter((e) => e.channelId === 'C0VANISHING2').map((e) => e.action)).toEqual([
      'explain.again',
      'explain',
    ]);
  });
});
