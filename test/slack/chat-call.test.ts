import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCall, MAX_CHAT_CALLS_IN_FLIGHT, type ChatTarget } from '../../src/slack/send/chat-call';
import { cannotPostHere } from '../../src/slack/send/reply';
import { failureReason, slackErrorCode, slackRateLimited } from '../../src/slack/send/failure';
import { retryAfterSeconds } from '../../src/slack/send/slack-retry';
import { startSlackStandIn, type SlackStandIn } from './helpers/slack-standin';

/**
 * The chat methods go to Slack as one JSON POST each (send/chat-call.ts). Against the Slack stand-in over real
 * HTTP, and against bare servers for what Slack's edge can do (a 502, silence, an endless answer): each failure
 * reads as the Web API client's did, so what the agent is told does not change.
 */

const BOT_TOKEN = 'xoxb-2024061500-1111111111-chatcalltesttoken000000';
let slack: SlackStandIn;
let target: ChatTarget;
const noWait = { sleep: async () => undefined };

beforeAll(async () => {
  slack = await startSlackStandIn({ botToken: BOT_TOKEN });
  target = { token: BOT_TOKEN, slackApiUrl: slack.apiUrl };
});

afterAll(async () => {
  await slack?.close();
});

/** A server answering every request with `answer`; counts the requests. */
async function bareServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ target: ChatTarget; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    req.resume();
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: { token: BOT_TOKEN, slackApiUrl: `http://127.0.0.1:${port}/api/` },
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function failureOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error('the call did not fail');
}

test('a post arrives as Slack reads JSON: booleans, blocks and the bot token in the Authorization header', async () => {
  const mark = slack.calls.length;
  const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Owner: *Ana*' } }];
  const result = await chatCall(target, 'chat.postMessage', {
    channel: 'C0CHAT',
    text: 'Owner: Ana',
    blocks,
    unfurl_links: false,
  });
  expect(result.ts).toMatch(/^\d+\.\d+$/);
  const [call] = slack.calls.slice(mark);
  expect(call?.method).toBe('chat.postMessage');
  expect(call?.args).toEqual({ channel: 'C0CHAT', text: 'Owner: Ana', blocks, unfurl_links: false });
  expect(call?.authorization).toBe(`Bearer ${BOT_TOKEN}`);
  expect(call?.raw).not.toContain(BOT_TOKEN);
});

test("Slack's refusal keeps its code: not_in_channel is a channel the bot cannot post in", async () => {
  slack.failChannel('C0NOTIN', 'not_in_channel');
  const err = await failureOf(chatCall(target, 'chat.postMessage', { channel: 'C0NOTIN', text: 'hi' }, noWait));
  expect(slackErrorCode(err)).toBe('not_in_channel');
  expect(cannotPostHere(err)).toBe(true);
  expect(failureReason(err)).toBe('Slack answered `not_in_channel`');
});

test('a wrong bot token is invalid_auth, and the token is in no part of the error', async () => {
  const err = await failureOf(
    chatCall({ ...target, token: 'xoxb-0000-0000-wrongtoken' }, 'chat.postMessage', { channel: 'C0X', text: 'hi' }),
  );
  expect(slackErrorCode(err)).toBe('invalid_auth');
  expect(JSON.stringify(err) + String((err as Error).stack)).not.toContain('wrongtoken');
});

test('a 429 is not tried again here: it carries Retry-After for the caller, once', async () => {
  slack.rateLimit('chat.update', { retryAfterSec: 7, times: 1 });
  const mark = slack.calls.length;
  const err = await failureOf(chatCall(target, 'chat.update', { channel: 'C0CHAT', ts: '1.2', text: 'x' }, noWait));
  expect(slackRateLimited(err)).toBe(true);
  expect(retryAfterSeconds(err)).toBe(7);
  expect(failureReason(err)).toMatch(/rate limiting/);
  expect(slack.calls.slice(mark)).toHaveLength(1);
  slack.rateLimit('chat.update', undefined);
});

test('a 502 from the edge is tried twice more, then reads "Slack could not be reached"', async () => {
  const edge = await bareServer((_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html>Bad Gateway</html>');
  });
  const waits: number[] = [];
  try {
    const err = await failureOf(
      chatCall(
        edge.target,
        'chat.postMessage',
        { channel: 'C0', text: 'x' },
        {
          sleep: async (ms) => {
            waits.push(ms);
          },
        },
      ),
    );
    expect(edge.requests()).toBe(3);
    expect(waits).toEqual([500, 1_000]);
    expect(failureReason(err)).toBe('Slack could not be reached');
  } finally {
    await edge.close();
  }
});

test('a Slack that answers after one refused connection gets the post once', async () => {
  let first = true;
  const flaky = await bareServer((_req, res) => {
    if (first) {
      first = false;
      res.socket?.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, ts: '1700000000.000100' }));
  });
  try {
    const result = await chatCall(flaky.target, 'chat.postMessage', { channel: 'C0', text: 'x' }, noWait);
    expect(result.ts).toBe('1700000000.000100');
    expect(flaky.requests()).toBe(2);
  } finally {
    await flaky.close();
  }
});

test('nothing listening: "Slack could not be reached", without the token', async () => {
  const gone = await bareServer(() => undefined);
  await gone.close();
  const err = await failureOf(chatCall(gone.target, 'chat.postMessage', { channel: 'C0', text: 'x' }, noWait));
  expect(failureReason(err)).toBe('Slack could not be reached');
  expect(String((err as Error).stack) + JSON.stringify(err)).not.toContain(BOT_TOKEN);
});

test('a Slack that never answers is given up on at the timeout', async () => {
  const silent = await bareServer(() => undefined);
  try {
    const err = await failureOf(
      chatCall(silent.target, 'chat.postMessage', { channel: 'C0', text: 'x' }, { ...noWait, timeoutMs: 100 }),
    );
    expect(failureReason(err)).toBe('Slack could not be reached');
    expect(silent.requests()).toBe(3);
  } finally {
    await silent.close();
  }
});

test('an answer that does not end is cut at 1 MiB instead of filling memory', async () => {
  const endless = await bareServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const timer = setInterval(() => res.write(chunk), 1);
    res.on('close', () => clearInterval(timer));
  });
  try {
    const err = await failureOf(chatCall(endless.target, 'chat.postMessage', { channel: 'C0', text: 'x' }, noWait));
    expect(failureReason(err)).toBe('Slack could not be reached');
    expect((err as { original?: Error }).original?.message).toMatch(/1048576 bytes/);
  } finally {
    await endless.close();
  }
});

test('a burst of posts keeps at most MAX_CHAT_CALLS_IN_FLIGHT open at once, and every one arrives', async () => {
  const held: (() => void)[] = [];
  const slow = await bareServer((_req, res) => {
    held.push(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, ts: '1700000000.000200' }));
    });
  });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    const burst = MAX_CHAT_CALLS_IN_FLIGHT + 30;
    const calls = Array.from({ length: burst }, (_, i) =>
      chatCall(slow.target, 'chat.postMessage', { channel: 'C0', text: `answer ${i}` }, noWait),
    );
    for (let waited = 0; slow.requests() < MAX_CHAT_CALLS_IN_FLIGHT && waited < 5_000; waited += 10) await pause(10);
    // Slack has not answered any: the rest wait for a slot instead of opening connections of their own.
    await pause(100);
    expect(slow.requests()).toBe(MAX_CHAT_CALLS_IN_FLIGHT);
    for (let waited = 0; slow.requests() < burst || held.length > 0; waited += 5) {
      if (waited > 5_000) throw new Error('the posts that waited were never sent');
      held.splice(0).forEach((answer) => answer());
      await pause(5);
    }
    const results = await Promise.all(calls);
    expect(results.every((r) => r.ts === '1700000000.000200')).toBe(true);
    expect(slow.requests()).toBe(burst);
  } finally {
    await slow.close();
  }
});
