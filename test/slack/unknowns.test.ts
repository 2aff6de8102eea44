import { ACTION_IDS } from '../../src/slack/render/blocks';
import { ADMIN, AGENT, buttonClick, CHANNEL, startHarness, waitFor, type Harness } from './helpers/harness';
import { parseExposition, valueOf } from './helpers/prometheus';
import { type RecordedCall } from './helpers/slack-standin';

/**
 * A Front error no rule explains, pasted in Slack: the running app counts its wording in the store with the bound
 * tenant, the metric counts it, and the admins' Home tab says how many wordings are new.
 */

let h: Harness;

beforeEach(async () => {
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
  h.slack.setChannel(CHANNEL, [AGENT, ADMIN]);
});

afterEach(async () => {
  await h?.close();
});

const EMAIL = 'bo.kim@acme.example';
const paste = (n: number) =>
  JSON.stringify({ _error: { status: 409, title: 'Conflict', message: `Import ${n} is locked by ${EMAIL}` } });

function answered(mark: number): RecordedCall | undefined {
  return h.slack.calls
    .slice(mark)
    .find((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL && c.args.thread_ts && c.args.blocks);
}

async function scrape(name: string, labels: Record<string, string>): Promise<number> {
  const res = await fetch(`${h.metricsUrl}/metrics`);
  return valueOf(parseExposition(await res.text()), name, labels);
}

async function homeOf(user: string): Promise<string> {
  const mark = h.slack.calls.length;
  await h.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` });
  await h.idle();
  const call = h.slack.calls.slice(mark).find((c) => c.method === 'views.publish');
  if (!call) throw new Error('no views.publish call');
  return JSON.stringify(call.args.view);
}

test('a pasted unknown error is counted by wording with its tenant, in the metric and on the admins’ Home', async () => {
  expect(await homeOf(ADMIN)).toContain('No new Front error wording without a rule in the last 7 days');
  let answer: RecordedCall | undefined;
  for (const n of [17, 18]) {
    const mark = h.slack.calls.length;
    await h.command(paste(n));
    answer = await waitFor(() => answered(mark), 'the answer to the paste');
    await h.idle();
  }
  // Check again re-runs a paste already counted: not another sighting.
  const mark = h.slack.calls.length;
  await h.interact(buttonClick(answer!, ACTION_IDS.checkAgain, { responseUrl: h.slack.responseUrl() }));
  await waitFor(() => answered(mark), 'the answer to Check again');
  await h.idle();

  const wordings = await h.store.listUnknownWordings();
  expect(wordings.map((w) => [w.template, w.status, w.count, w.tenants])).toEqual([
    ['Import <n> is locked by <email>', 409, 2, ['acme']],
  ]);
  expect(JSON.stringify(wordings)).not.toContain(EMAIL);
  expect(await scrape('front_why_unknown_wordings_total', { wording: 'new' })).toBe(1);
  expect(await scrape('front_why_unknown_wordings_total', { wording: 'seen' })).toBe(1);

  const admin = await homeOf(ADMIN);
  expect(admin).toContain('1 new Front error wording*');
  expect(admin).toContain('front-why unknowns --since 7d');
  expect(await homeOf(AGENT)).not.toContain('Front error wording');
});
