import { NO_FAULTS, type FaultSettings } from '../../src/sandbox/faults';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { buttonClick, CHANNEL, startHarness, userMessage, waitFor, type Harness } from '../slack/helpers/harness';
import { TEAM_ID, type RecordedCall } from '../slack/helpers/slack-standin';
import {
  acceptedSince,
  expectHealthy,
  expectNothingLost,
  freshConversation,
  snapshotStore,
  textOf,
  threadedAnswer,
  type StoreSnapshot,
} from './helpers';

/**
 * Front misbehaving while agents ask: 5xx, connection resets, answers slower than the diagnosis deadline, 429
 * storms and burst limits, from the sandbox's fault injector. Whatever Front does, the agent gets an answer in
 * the thread that says how many checks could not be made (and, under Details, which and why), the app keeps
 * serving, and the store keeps every tenant, binding and audit entry (and audits the run).
 */

const GLOBEX = 'C0GLOBEX';
// The plans' own limits (Starter: 50 a minute) would be spent by this file's checks; the storm sets its own.
const CALM: Partial<FaultSettings> = { ...NO_FAULTS, rateLimitPerMinute: 100_000 };

let h: Harness;
let before: StoreSnapshot;

beforeAll(async () => {
  // A short deadline, so that "slower than the deadline" costs the suite little time.
  h = await startHarness({
    env: { FRONT_WHY_TIMEOUT_MS: '1500', FRONT_WHY_REQUEST_TIMEOUT_MS: '1000' },
    sandbox: { faults: CALM },
  });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
  await h.bindTenant('globex', h.sandbox.tokens.globex_private, GLOBEX);
  await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  h.sandbox.setFaults(CALM);
  before = await snapshotStore(h, [CHANNEL, GLOBEX]);
});

/** A slash command for a conversation not asked about before; resolves with the thread's replies. */
async function ask(channel = CHANNEL): Promise<{ target: string; answer: string; first: RecordedCall }> {
  const target = freshConversation();
  const mark = h.slack.calls.length;
  const ack = await h.command(target, { channel });
  expect(ack.status).toBe(200);
  const replies = await threadedAnswer(h, mark, channel);
  return { target, answer: replies.map(textOf).join('\n'), first: replies[0]! };
}

/** Clicks Details under an answer; resolves with what it posted in the thread (which checks could not be made). */
async function detailsOf(first: RecordedCall): Promise<string> {
  const mark = h.slack.calls.length;
  const ack = await h.interact(buttonClick(first, ACTION_IDS.details, { responseUrl: h.slack.responseUrl() }));
  expect(ack.status).toBe(200);
  const inThread = () =>
    acceptedSince(h, mark, 'chat.postMessage').filter((c) => c.args.thread_ts === first.args.thread_ts);
  await waitFor(() => inThread().some((c) => textOf(c).includes('*Details*')), 'the details', 15_000);
  await h.idle();
  return inThread().map(textOf).join('\n');
}

/** Faults off: /healthz answers and the next command gets a full, live answer; nothing was lost from the store. */
async function expectRecovered(audited: { tenant: string; target: string }[]): Promise<void> {
  h.sandbox.setFaults(CALM);
  await expectHealthy(h);
  const mark = h.slack.calls.length;
  await h.command('cnv_yo1kg5q');
  const replies = await threadedAnswer(h, mark);
  expect(replies.map(textOf).join('\n')).toContain('teammate_api_access_disabled');
  await expectNothingLost(
    h,
    before,
    audited.map((a) => ({
      action: 'diagnose',
      tenant: a.tenant,
      target: a.target,
      channelId: a.tenant === 'globex' ? GLOBEX : CHANNEL,
    })),
  );
}

describe('Front failing on every request', () => {
  test.each<[string, Partial<FaultSettings>, RegExp]>([
    [
      '502 HTML pages from the edge',
      { errorRate: 1, failKind: '502_html' },
      /Front answered 502 Bad Gateway \(an HTML error page/,
    ],
    ['503 JSON errors', { errorRate: 1, failKind: '503_json' }, /Front answered 503 Service Unavailable/],
    ['500 JSON errors', { errorRate: 1, failKind: '500_json' }, /Front answered 500/],
    ['a full outage (503 on everything)', { outage: true }, /Front answered 503/],
    ['connection resets', { dropRate: 1 }, /could not reach Front at .* \(UND_ERR_SOCKET/],
  ])('%s: the thread says Front is down and which checks could not be made', async (_name, faults, detail) => {
    h.sandbox.setFaults(faults);
    const { target, answer, first } = await ask();
    expect(answer).toContain('front_unavailable');
    expect(answer).toContain('this is not a token or scope problem');
    expect(answer).toMatch(/could not check \d+ of them/);
    const details = await detailsOf(first);
    expect(details).toContain(`could not check: GET /conversations/${target}`);
    expect(details).toMatch(detail);
    await expectRecovered([{ tenant: 'acme', target }]);
  });
});

describe('Front slower than the deadline', () => {
  test.each<[string, Partial<FaultSettings>]>([
    ['no answer at all', { hang: true }],
    ['answers after the request timeout', { latencyMs: 2_500 }],
  ])('%s: the thread says Front did not answer in time', async (_name, faults) => {
    h.sandbox.setFaults(faults);
    const { target, answer, first } = await ask();
    expect(answer).toContain('front_unavailable');
    expect(answer).toMatch(/could not check \d+ of them/);
    expect(await detailsOf(first)).toMatch(
      new RegExp(
        `could not check: GET /conversations/${target}: Front did not answer within \\d+ ms|had not answered when the deadline came`,
      ),
    );
    await expectRecovered([{ tenant: 'acme', target }]);
  });
});

describe('transient Front failures', () => {
  test.each<[string, Partial<FaultSettings>]>([
    ['two 502s', { failNext: 2, failKind: '502_html' }],
    ['two resets', { dropNext: 2 }],
  ])('%s are retried away: the answer is a real one', async (_name, faults) => {
    h.sandbox.setFaults(faults);
    // A conversation that does not exist: once the retries get through, Front says so (404).
    const { target, answer } = await ask();
    expect(answer).toContain('resource_not_found');
    expect(answer).not.toContain('front_unavailable');
    await expectRecovered([{ tenant: 'acme', target }]);
  });
});

describe('a pasted message in a listening channel while Front fails', () => {
  test('gets one threaded reply saying Front could not be checked', async () => {
    h.sandbox.setFaults({ errorRate: 1, failKind: '503_json' });
    const target = freshConversation();
    const message = userMessage(
      `{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"${target}\\""}}`,
    );
    const mark = h.slack.calls.length;
    expect((await h.event(message)).status).toBe(200);
    const replies = await threadedAnswer(h, mark);
    await h.idle();
    expect(acceptedSince(h, mark, 'chat.postMessage').every((c) => c.args.thread_ts === message.ts)).toBe(true);
    const answer = replies.map(textOf).join('\n');
    expect(answer).toMatch(/could not check \d+ of them/);
    expect(await detailsOf(replies[0]!)).toContain(`could not check: GET /conversations/${target}: Front answered 503`);
    await expectRecovered([{ tenant: 'acme', target }]);
  });
});

describe('rate limits', () => {
  test('a burst limit under concurrent checks: every command gets exactly one answer', async () => {
    h.sandbox.setFaults({ burstPerSecond: 2 });
    const targets = Array.from({ length: 6 }, () => freshConversation());
    const mark = h.slack.calls.length;
    const acks = await Promise.all(targets.map((t) => h.command(t)));
    expect(acks.map((a) => a.status)).toEqual(targets.map(() => 200));
    const parents = await waitForParents(mark, targets);
    await waitForEveryThread(mark, parents);
    await h.idle();
    // One parent per command, and no thread answered twice (a retried 429 never doubles a reply).
    const posted = acceptedSince(h, mark, 'chat.postMessage');
    expect(posted.filter((c) => c.args.thread_ts === undefined)).toHaveLength(targets.length);
    for (const ts of parents.values()) {
      const finals = posted.filter((c) => c.args.thread_ts === ts && textOf(c).includes('front_why_check_again'));
      expect(finals).toHaveLength(1);
    }
    await expectRecovered(targets.map((target) => ({ tenant: 'acme', target })));
  });

  test('a 429 storm (the company’s whole minute used up): the thread says Front is rate limiting', async () => {
    // Globex, so the acme budget the other tests use stays whole.
    h.sandbox.setFaults({ rateLimitPerMinute: 0 });
    const { target, answer, first } = await ask(GLOBEX);
    expect(answer).toContain('rate_limited');
    expect(answer).toContain('Front is rate limiting this company right now');
    // Details runs the checks again, inside the same spent minute: refused by Front or held back, it says so.
    expect(await detailsOf(first)).toMatch(
      /could not check: .*Front's per-minute rate limit for this company is used up/,
    );

    // Still within the window: front-why spends none of the customer's remaining requests, and still answers.
    h.sandbox.setFaults({ rateLimitPerMinute: 0 });
    h.sandbox.resetStats();
    const again = await ask(GLOBEX);
    // Front's retry-after, not a guess, says how long: nothing is sent before it (Details included).
    expect(await detailsOf(again.first)).toMatch(
      /not sent: Front's per-minute rate limit for this company is used up, and Front asked \(retry-after\) for no request in the next \d+ s/,
    );
    // Held back, not guessed: the answer is still the rate limit, not a token or scope problem.
    expect(again.answer).toContain('Front is rate limiting this company right now');
    expect(again.answer).not.toContain('token_invalid');
    expect(h.sandbox.stats().total).toBe(0);
    await expectRecovered([
      { tenant: 'globex', target },
      { tenant: 'globex', target: again.target },
    ]);
  });
});

describe('everything at once', () => {
  test('random 5xx, resets and latency under concurrent commands and pastes: one answer each, nothing lost', async () => {
    h.sandbox.setFaults({ errorRate: 0.3, failKind: '503_json', dropRate: 0.2, latencyMs: 50 });
    const commands = Array.from({ length: 6 }, () => freshConversation());
    const pasted = Array.from({ length: 3 }, () => freshConversation());
    const messages = pasted.map((t) => userMessage(`still failing for ${t}`));
    const mark = h.slack.calls.length;
    await Promise.all([...commands.map((t) => h.command(t)), ...messages.map((m) => h.event(m))]);
    const parents = await waitForParents(mark, commands);
    const threads = new Map([...parents, ...messages.map((m, i) => [pasted[i]!, m.ts as string] as const)]);
    await waitForEveryThread(mark, threads);
    await h.idle();
    const posted = acceptedSince(h, mark, 'chat.postMessage');
    for (const ts of threads.values()) {
      expect(posted.filter((c) => c.args.thread_ts === ts && textOf(c).includes('front_why_check_again'))).toHaveLength(
        1,
      );
    }
    await expectRecovered([...commands, ...pasted].map((target) => ({ tenant: 'acme', target })));
  });
});

/** target → the ts of the parent message naming it. */
async function waitForParents(mark: number, targets: string[]): Promise<Map<string, string>> {
  return waitFor(() => {
    const parents = acceptedSince(h, mark, 'chat.postMessage').filter((c) => c.args.thread_ts === undefined);
    const found = new Map<string, string>();
    for (const target of targets) {
      const ts = parents.find((c) => textOf(c).includes(target))?.answer?.ts;
      if (ts) found.set(target, ts);
    }
    return found.size === targets.length ? found : undefined;
  }, 'a parent message for every command');
}

async function waitForEveryThread(mark: number, threads: Map<string, string>): Promise<void> {
  await waitFor(
    () => {
      const posted = acceptedSince(h, mark, 'chat.postMessage');
      return [...threads.values()].every((ts) =>
        posted.some((c) => c.args.thread_ts === ts && textOf(c).includes('front_why_check_again')),
      );
    },
    'an answer in every thread',
    20_000,
  );
}
