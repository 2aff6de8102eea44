import { createLogger } from '../../src/log';
import { AuditScheduler } from '../../src/slack/checks/audit-scheduler';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { WATCH_ACTION_IDS } from '../../src/slack/render/blocks-watch';
import { ADMIN, AGENT, buttonClick, CHANNEL, startHarness, type Harness } from './helpers/harness';
import { BOT_USER_ID, TEAM_ID, type RecordedCall } from './helpers/slack-standin';
import { buttonIds } from './helpers/visible';

/**
 * The Home tab and scheduled audits through the running app: signed requests in, Slack Web API calls out. Each test
 * has its own app, store and sandbox, and opens the Home tabs it expects to see refreshed, so it runs alone as well.
 */

let h: Harness;

beforeEach(async () => {
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
  await h.bindTenant('globex', h.sandbox.tokens.globex_private, 'C0GLOBEX');
  // The agent and the admin are in the support channel; only the admin is in globex's private channel with the bot.
  h.slack.setChannel(CHANNEL, [AGENT, ADMIN, BOT_USER_ID]);
  h.slack.setChannel('C0GLOBEX', [ADMIN, BOT_USER_ID], { private: true });
});

afterEach(async () => {
  await h?.close();
});

function since(mark: number, method: string): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => c.method === method);
}

function homeOpened(user: string, tab = 'home'): Record<string, unknown> {
  return { type: 'app_home_opened', user, channel: 'D0HOME', tab, event_ts: `${Date.now() / 1000}` };
}

function published(call: RecordedCall | undefined): string {
  if (!call) throw new Error('no views.publish call');
  return JSON.stringify(call.args.view);
}

test('opening the Home tab publishes the tenants of the viewer’s channels, with the token masked', async () => {
  await h.store.recordActivity({
    at: new Date(),
    actor: AGENT,
    teamId: TEAM_ID,
    channelId: CHANNEL,
    tenant: 'acme',
    action: 'diagnose',
    target: 'cnv_yo1kg5q',
    cause: 'teammate_api_access_disabled',
  });
  const mark = h.slack.calls.length;
  const reply = await h.event(homeOpened(AGENT));
  expect(reply.status).toBe(200);
  await h.idle();
  const lookups = since(mark, 'users.conversations');
  expect(lookups).toHaveLength(1);
  expect(lookups[0]?.args).toMatchObject({ user: AGENT, types: 'public_channel,private_channel' });
  const calls = since(mark, 'views.publish');
  expect(calls).toHaveLength(1);
  expect(calls[0]?.args.user_id).toBe(AGENT);
  expect(calls[0]?.answer?.ok).toBe(true);
  const view = published(calls[0]);
  expect(view).toContain('*acme*');
  expect(view).toContain('`teammate_api_access_disabled`');
  expect(view).not.toContain('globex');
  expect(view).not.toContain('Audit schedule');
  expect(view).not.toContain(h.sandbox.tokens.acme_private.split('.')[2]);
});

test('the Messages tab publishes nothing', async () => {
  const mark = h.slack.calls.length;
  await h.event(homeOpened(AGENT, 'messages'));
  await h.idle();
  expect(since(mark, 'views.publish')).toEqual([]);
});

test('an admin schedules the audit; a non-admin is refused; the schedule shows on the admin’s Home', async () => {
  await h.event(homeOpened(AGENT));
  await h.idle();
  let mark = h.slack.calls.length;
  await h.command('audit schedule daily', { user: AGENT });
  await h.idle();
  expect(JSON.stringify(since(mark, 'response_url')[0]?.args)).toContain('Only front-why admins can schedule audits');
  expect(await h.store.getAuditSchedule('acme')).toBeNull();

  mark = h.slack.calls.length;
  await h.command('audit schedule hourly', { user: ADMIN });
  await h.idle();
  expect(JSON.stringify(since(mark, 'response_url')[0]?.args)).toContain('Usage: `/front-why audit schedule daily`');

  await h.event(homeOpened(ADMIN));
  await h.idle();
  mark = h.slack.calls.length;
  await h.command('audit schedule daily', { user: ADMIN });
  await h.idle();
  expect(JSON.stringify(since(mark, 'response_url')[0]?.args)).toContain('now runs every day');
  expect(await h.store.getAuditSchedule('acme')).toMatchObject({ cadence: 'daily', setBy: ADMIN });
  const logged = await h.store.listActivity({ tenant: 'acme', actions: ['audit.schedule'] });
  expect(logged.map((e) => [e.actor, e.detail])).toEqual([[ADMIN, 'schedule daily']]);
  // Everyone who saw acme on their Home gets it published again; only the admin's shows the schedule.
  const refreshed = since(mark, 'views.publish');
  expect(refreshed.map((c) => c.args.user_id).sort()).toEqual([ADMIN, AGENT]);
  const adminView = published(refreshed.find((c) => c.args.user_id === ADMIN));
  expect(adminView).toContain('Audit schedule: daily');
  expect(adminView).toContain('*globex*');
  expect(published(refreshed.find((c) => c.args.user_id === AGENT))).not.toContain('Audit schedule');
});

test('a scheduled audit through the app posts its baseline in the bound channel and refreshes the Home tabs', async () => {
  await h.store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: ADMIN, nextRunAt: new Date() });
  await h.event(homeOpened(AGENT));
  await h.event(homeOpened(ADMIN));
  await h.idle();
  const mark = h.slack.calls.length;
  const scheduler = new AuditScheduler({
    store: h.store,
    clock: Date.now,
    holder: 'test-replica',
    logger: createLogger({ level: 'silent' }),
    ...h.app.auditParts(),
  });
  expect(await scheduler.runDue()).toBe(1);
  await h.idle();
  const posts = since(mark, 'chat.postMessage');
  expect(posts.map((c) => c.args.channel)).toEqual([CHANNEL]);
  expect(JSON.stringify(posts[0]?.args.blocks)).toContain('baseline recorded');
  const refreshed = since(mark, 'views.publish');
  expect(refreshed.map((c) => c.args.user_id).sort()).toEqual([ADMIN, AGENT]);
  expect(published(refreshed.find((c) => c.args.user_id === AGENT))).toContain('Bruno Keller');
  expect(await scheduler.runDue()).toBe(0);
  await scheduler.stop();
});

test('a watch started and stopped from a thread shows on, then leaves, the Home tab of whoever opened it', async () => {
  await h.event(homeOpened(AGENT));
  await h.idle();
  let mark = h.slack.calls.length;
  await h.command('cnv_yo1kg5q');
  await h.idle();
  const answer = since(mark, 'chat.postMessage').find((c) => buttonIds(c).includes(ACTION_IDS.watch));
  if (!answer) throw new Error('no answer offering a watch');

  mark = h.slack.calls.length;
  await h.interact(buttonClick(answer, ACTION_IDS.watch, { responseUrl: h.slack.responseUrl() }));
  await h.idle();
  const onStart = since(mark, 'views.publish').filter((c) => c.args.user_id === AGENT);
  expect(onStart).toHaveLength(1);
  expect(published(onStart[0])).toContain('`cnv_yo1kg5q` in <#' + CHANNEL + '>');

  const started = since(mark, 'chat.postMessage').find((c) => buttonIds(c).includes(WATCH_ACTION_IDS.stop));
  if (!started) throw new Error('no watch started');
  mark = h.slack.calls.length;
  await h.interact(buttonClick(started, WATCH_ACTION_IDS.stop, { responseUrl: h.slack.responseUrl() }));
  await h.idle();
  const onStop = since(mark, 'views.publish').filter((c) => c.args.user_id === AGENT);
  expect(onStop).toHaveLength(1);
  expect(published(onStop[0])).not.toContain('`cnv_yo1kg5q` in <#');
});
