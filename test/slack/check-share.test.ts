import { ACTION_IDS } from '../../src/slack/render/blocks';
import { get } from '../sandbox/helpers';
import { AGENT, buttonClick, CHANNEL, startHarness, waitFor, type Harness } from './helpers/harness';
import type { RecordedCall } from './helpers/slack-standin';

/**
 * Front's limit is per company and per minute, and the customer's own integrations need most of it. An agent (no
 * admin rights needed) clicking "Check again" over and over and running the audit again and again must not take
 * the company's minute: the checks people start keep to their share (40% by default), an audit by hand waits its
 * turn, and whoever must wait is told how long and why. The sandbox plays Front, counting every request and
 * answering 429 past the company's 50 a minute (acme is on Starter).
 */

// Both clocks stand still at 5 s into a minute, so the share's minute ends 55 s later whatever the machine's speed;
// the wall clock is kept close, since Slack's signatures are checked against the app's clock.
let now = Math.floor(Date.now() / 60_000) * 60_000 + 5_000;
const clock = () => now;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ clock, sandbox: { clock } });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
});

afterAll(async () => {
  await h?.close();
});

const text = (call: RecordedCall): string => JSON.stringify(call.args);
const since = (mark: number, method: string): RecordedCall[] =>
  h.slack.calls.slice(mark).filter((c) => c.method === method);
/** Requests front-why sent to the sandbox with the tenant's token. */
const frontWhyRequests = (): number => h.sandbox.stats().byToken.acme_private ?? 0;

async function answered(conversation: string): Promise<RecordedCall> {
  const mark = h.slack.calls.length;
  await h.command(conversation);
  return waitFor(
    () => since(mark, 'chat.postMessage').find((c) => text(c).includes(ACTION_IDS.checkAgain)),
    'the answer with its buttons',
  );
}

test('of ten audits asked at once by an agent, one runs, at half the share; the others are told how long to wait', async () => {
  const audits = await Promise.all(Array.from({ length: 10 }, () => h.command('audit', { user: AGENT })));
  await h.idle();
  const auditReplies = audits.map((a) =>
    h.slack.calls.filter((c) => c.method === 'response_url' && c.path === new URL(a.responseUrl).pathname),
  );
  const waits = auditReplies.flat().filter((c) => text(c).includes('The audit of acme must wait'));
  expect(waits).toHaveLength(9);
  expect(text(waits[0]!)).toContain('try again in 10 min');
  expect(text(waits[0]!)).toContain("so that acme's own integrations keep their share of its Front rate limit");
  const reports = h.slack.calls.filter((c) => c.method === 'chat.postMessage' && text(c).includes('Auditing the'));
  expect(reports).toHaveLength(1);
  // The audit paces itself to half of front-why's share (40% of 50), so checks can still run meanwhile.
  expect(frontWhyRequests()).toBeLessThanOrEqual(10);
});

test("after the audits, 100 Check again clicks leave the customer's integration its share of the minute", async () => {
  const reply = await answered('cnv_yo1kg5q');
  const mark = h.slack.calls.length;
  for (let batch = 0; batch < 5; batch++) {
    await Promise.all(
      Array.from({ length: 20 }, () =>
        h.interact(buttonClick(reply, ACTION_IDS.checkAgain, { responseUrl: h.slack.responseUrl() })),
      ),
    );
  }
  await h.idle();

  // Every click was answered: a fresh answer in the thread, or privately to the agent, how long to wait and why.
  const rechecked = since(mark, 'chat.postMessage').filter((c) => text(c).includes('Checked again'));
  const toldToWait = since(mark, 'chat.postEphemeral').filter((c) => text(c).includes('Not checked: try again in'));
  expect(rechecked.length + toldToWait.length).toBe(100);
  expect(toldToWait.length).toBeGreaterThan(0);
  // An answer is never built from half its checks: a check the share ran out under is told to wait too.
  expect(rechecked.filter((c) => text(c).includes('could not check'))).toEqual([]);
  expect(toldToWait[0]!.args).toMatchObject({ channel: CHANNEL, user: AGENT });
  expect(text(toldToWait[0]!)).toContain(
    "Not checked: try again in 55 s. front-why's checks may send 20 of the 50 requests a minute Front allows acme (40%) and have sent them this minute; the rest is left to acme's own integrations.",
  );

  // front-why kept to 40% of the company's minute; the customer's integration draws half of it without a 429.
  expect(frontWhyRequests()).toBeLessThanOrEqual(20);
  const integration: number[] = [];
  for (let i = 0; i < 25; i++) integration.push((await get(h.sandbox, '/me', { token: 'acme_shared_only' })).status);
  expect(integration.filter((s) => s !== 200)).toEqual([]);
});

test('once the minute is over, Check again runs again', async () => {
  now += 60_000;
  const reply = await answered('cnv_yo1kg5q');
  const mark = h.slack.calls.length;
  await h.interact(buttonClick(reply, ACTION_IDS.checkAgain, { responseUrl: h.slack.responseUrl() }));
  await h.idle();
  expect(since(mark, 'chat.postMessage').filter((c) => text(c).includes('Checked again'))).toHaveLength(1);
  expect(since(mark, 'chat.postEphemeral')).toEqual([]);
});
