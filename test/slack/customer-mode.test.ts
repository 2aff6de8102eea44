import { CUSTOMER_ACTION_IDS } from '../../src/slack/render/blocks-customer-answer';
import { WATCH_ACTION_IDS } from '../../src/slack/render/blocks-watch';
import { CUSTOMER_LIMITS } from '../../src/slack/checks/customer-mode';
import {
  ADMIN,
  AGENT,
  buttonClick,
  GUEST,
  GUEST_TEAM,
  startHarness,
  userMessage,
  waitFor,
  type Harness,
} from './helpers/harness';
import { BOT_USER_ID, TEAM_ID, type RecordedCall } from './helpers/slack-standin';
import { buttonIds, visibleText } from './helpers/visible';

/**
 * Customer mode end to end: signed requests to the running app in a channel shared with a customer, the Slack
 * stand-in, the sandbox as Front, a real store. The customer's people are of GUEST_TEAM; the vendor's of TEAM_ID.
 */

const SHARED = 'C0ACMESHARED';
const MIRROR = 'C0ACMEINTERNAL';
const GUEST_2 = 'U0GUESTTWO';
const BRUNO = 'bruno.keller@acme.example';
const ERROR_PASTE =
  'Our integration gets this: {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';
const MIN = 60_000;

// The watches' clock starts at the app's: the time from a question to fixed is read across both.
let now = Date.now();
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    sandbox: { faults: { rateLimitPerMinute: 100_000 } },
    watch: { now: () => now, timers: null },
  });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, SHARED);
  h.slack.setChannel(SHARED, [GUEST, AGENT, ADMIN, BOT_USER_ID], { extShared: true, name: 'acme-shared' });
  h.slack.setChannel(MIRROR, [AGENT, ADMIN, BOT_USER_ID], { name: 'acme-internal' });
});

afterAll(async () => {
  await h?.close();
});

function since(mark: number, method: string, channel?: string): RecordedCall[] {
  return h.slack.calls
    .slice(mark)
    .filter((c) => c.method === method && (channel === undefined || c.args.channel === channel));
}

const guest = (extra: Record<string, unknown> = {}) => ({
  user: GUEST,
  user_team: GUEST_TEAM,
  channel: SHARED,
  ...extra,
});

async function click(call: RecordedCall, actionId: string, who: { user: string; team: string }): Promise<void> {
  const ack = await h.interact(buttonClick(call, actionId, { responseUrl: h.slack.responseUrl(), ...who }));
  expect(ack.status).toBe(200);
  await h.idle();
}

/** The internal words and values of the full answer: none may reach the customer's channel. */
const INTERNAL = [/teammate_api_access_disabled/, /tenant/i, /\bacme\b(?!\.example)/, /Tell the customer/, /GET \//];

test('an admin turns customer mode on with a mirror; a guest cannot', async () => {
  let mark = h.slack.calls.length;
  await h.command(`customer-mode on ${MIRROR}`, { user: GUEST, team: GUEST_TEAM, channel: SHARED });
  await h.idle();
  expect(await h.store.getCustomerChannel(TEAM_ID, SHARED)).toBeNull();
  expect(visibleText(since(mark, 'response_url')[0]!)).toContain('cannot run front-why checks');

  mark = h.slack.calls.length;
  await h.command(`customer-mode on <#${MIRROR}|acme-internal>`, { user: ADMIN, channel: SHARED });
  await h.idle();
  expect(visibleText(since(mark, 'response_url')[0]!)).toContain('Customer mode is on, with tenant acme');
  expect(await h.store.getCustomerChannel(TEAM_ID, SHARED)).toMatchObject({ mirrorChannelId: MIRROR, setBy: ADMIN });
});

test('the mirror is named as typed, and must be an internal channel the bot is in', async () => {
  const answerTo = async (args: string) => {
    const mark = h.slack.calls.length;
    await h.command(`customer-mode on ${args}`, { user: ADMIN, channel: SHARED });
    await h.idle();
    return visibleText(since(mark, 'response_url')[0]!);
  };
  h.slack.setChannel('C0OTHERCUST', [ADMIN, BOT_USER_ID], { extShared: true, name: 'globex-shared' });
  h.slack.setChannel('C0NOBOT', [ADMIN], { name: 'team-private', private: true });
  expect(await answerTo('#globex-shared')).toContain('#globex-shared is shared outside this workspace');
  expect(await answerTo('<#C0OTHERCUST|globex-shared>')).toContain('is shared outside this workspace');
  expect(await answerTo('#team-private')).toContain('I am not in a channel called #team-private');
  expect(await answerTo('C0NOBOT')).toContain('Invite me to #C0NOBOT first');
  expect(await h.store.getCustomerChannel(TEAM_ID, SHARED)).toMatchObject({ mirrorChannelId: MIRROR });

  expect(await answerTo('#acme-internal')).toContain('Customer mode is on, with tenant acme');
  expect(await h.store.getCustomerChannel(TEAM_ID, SHARED)).toMatchObject({ mirrorChannelId: MIRROR, setBy: ADMIN });
});

let customerAnswer: RecordedCall;
/** The thread of a guest's /front-why. */
let commandThread: string;
let asked: Record<string, unknown>;

test("a guest's paste gets the customer answer in the thread, and the mirror gets the full answer", async () => {
  const mark = h.slack.calls.length;
  asked = userMessage(ERROR_PASTE, guest());
  expect((await h.event(asked)).status).toBe(200);
  await waitFor(() => since(mark, 'chat.postMessage', SHARED)[0], 'the customer answer');
  await h.idle();

  const inShared = since(mark, 'chat.postMessage', SHARED);
  expect(inShared).toHaveLength(1);
  customerAnswer = inShared[0]!;
  expect(customerAnswer.args.thread_ts).toBe(asked.ts);
  const shown = visibleText(customerAnswer);
  expect(shown).toContain(`@${GUEST} I looked into the Front API error about cnv_yo1kg5q`);
  // What happened, in the customer's words, right after the greeting: the rule's what_happened.
  expect(shown).toMatch(
    /cnv_yo1kg5q\.?\s+Front refused because cnv_yo1kg5q is in a teammate's private inbox, and that teammate has "Allow access to my individual resources via the API" turned off/,
  );
  expect(shown).toContain('Bruno Keller');
  for (const pattern of INTERNAL) expect(JSON.stringify(customerAnswer.args)).not.toMatch(pattern);
  expect(buttonIds(customerAnswer)).toEqual([CUSTOMER_ACTION_IDS.watch]);
  expect(since(mark, 'chat.postEphemeral')).toEqual([]);

  const mirrored = since(mark, 'chat.postMessage', MIRROR);
  expect(mirrored.length).toBeGreaterThanOrEqual(2);
  const [header, ...full] = mirrored;
  expect(visibleText(header!)).toContain(`@${GUEST} asked in`);
  expect(JSON.stringify(header!.args)).toContain(`/archives/${SHARED}/p${String(asked.ts).replace('.', '')}`);
  expect(full.every((c) => c.args.thread_ts !== undefined)).toBe(true);
  const fullText = full.map((c) => JSON.stringify(c.args)).join('\n');
  expect(fullText).toContain('checked live with tenant');
  expect(fullText).toContain('teammate_api_access_disabled');
  // No buttons in the mirror: they would act on the mirror channel, not on the customer's.
  expect(full.flatMap(buttonIds)).toEqual([]);
});

test('one of the vendor’s people pasting in the channel gets the full answer privately, nothing in the channel', async () => {
  const mark = h.slack.calls.length;
  const message = userMessage(ERROR_PASTE, { channel: SHARED, user: AGENT });
  await h.event(message);
  await waitFor(() => since(mark, 'chat.postEphemeral')[0], 'the private answer');
  await h.idle();
  expect(since(mark, 'chat.postMessage')).toEqual([]);
  const privately = since(mark, 'chat.postEphemeral');
  expect(privately.every((c) => c.args.user === AGENT && c.args.channel === SHARED)).toBe(true);
  expect(privately.map((c) => JSON.stringify(c.args)).join('\n')).toContain('checked live with tenant');
});

test('/front-why from a guest gets the customer answer; from the vendor’s people, the full answer privately', async () => {
  let mark = h.slack.calls.length;
  await h.command('cnv_yo1kg5q', { user: GUEST, team: GUEST_TEAM, channel: SHARED });
  await h.idle();
  const posted = since(mark, 'chat.postMessage', SHARED);
  expect(posted.map((c) => visibleText(c))).toEqual([
    `:mag: @${GUEST} asked me to check cnv_yo1kg5q…`,
    expect.stringContaining(`@${GUEST} I looked into the Front API error about cnv_yo1kg5q`),
  ]);
  for (const pattern of INTERNAL) expect(JSON.stringify(posted[1]!.args)).not.toMatch(pattern);
  commandThread = posted[0]!.answer!.ts!;

  mark = h.slack.calls.length;
  await h.command('cnv_yo1kg5q', { user: AGENT, channel: SHARED });
  await h.idle();
  expect(since(mark, 'chat.postMessage')).toEqual([]);
  expect(
    since(mark, 'response_url')
      .map((c) => JSON.stringify(c.args))
      .join('\n'),
  ).toContain('checked live with tenant');
});

test("a guest's admin verbs are refused, and change nothing", async () => {
  for (const verb of [
    'bind globex',
    'unbind',
    'connect globex',
    'audit',
    'audit schedule daily',
    'reload',
    'watches',
    'customer-mode off',
    'listen on',
    'allow-external on',
    'status',
  ]) {
    const mark = h.slack.calls.length;
    await h.command(verb, { user: GUEST, team: GUEST_TEAM, channel: SHARED });
    await h.idle();
    const answers = since(mark, 'response_url');
    expect(answers).toHaveLength(1);
    expect(visibleText(answers[0]!)).toContain('is for the support team');
    expect(since(mark, 'views.open')).toEqual([]);
    expect(since(mark, 'chat.postMessage')).toEqual([]);
  }
  const mark = h.slack.calls.length;
  await h.command('help', { user: GUEST, team: GUEST_TEAM, channel: SHARED });
  await h.idle();
  const help = visibleText(since(mark, 'response_url')[0]!);
  expect(help).toContain('In this channel you can ask me about a Front API error');
  expect(help).not.toMatch(/bind|connect|audit|tenant/);
  expect(await h.store.getCustomerChannel(TEAM_ID, SHARED)).not.toBeNull();
  expect((await h.store.getChannelBinding(TEAM_ID, SHARED))?.tenant).toBe('acme');
  expect(await h.store.getAuditSchedule('acme')).toBeNull();
  expect(await h.store.getChannelSettings(TEAM_ID, SHARED)).toEqual({ listen: false, allowExternal: false });
});

test('"Tell me when it works": only its creator can stop it, and it tells them once when it works', async () => {
  let mark = h.slack.calls.length;
  await click(customerAnswer, CUSTOMER_ACTION_IDS.watch, { user: GUEST, team: GUEST_TEAM });
  const [started] = since(mark, 'chat.postMessage', SHARED);
  expect(visibleText(started!)).toBe(`@${GUEST} I'll tell you here when cnv_yo1kg5q works.`);
  expect(started!.args.thread_ts).toBe(asked.ts);
  expect(buttonIds(started!)).toEqual([WATCH_ACTION_IDS.stop]);
  const [watch] = await h.store.listWatches({ channelId: SHARED });
  expect(watch).toMatchObject({ startedBy: GUEST, tenant: 'acme', state: 'active' });

  // Another of the customer's people cannot stop it.
  mark = h.slack.calls.length;
  await click(started!, WATCH_ACTION_IDS.stop, { user: GUEST_2, team: GUEST_TEAM });
  expect(since(mark, 'chat.postEphemeral').map((c) => visibleText(c))).toEqual([
    'Only the person who asked to be told can stop this.',
  ]);
  expect((await h.store.getWatch(watch!.id))?.state).toBe('active');

  now += MIN;
  expect(await h.app.tickWatches()).toBe(1);
  h.sandbox.setApiAccess(BRUNO, true);
  now += 2 * MIN;
  mark = h.slack.calls.length;
  expect(await h.app.tickWatches()).toBe(1);
  now += 60 * MIN;
  expect(await h.app.tickWatches()).toBe(0);
  const told = since(mark, 'chat.postMessage', SHARED);
  expect(told.map((c) => visibleText(c))).toEqual([
    `:white_check_mark: @${GUEST} It works now: Bruno Keller's "Allow access to my individual resources via the API" is now on; cnv_yo1kg5q reads fine.`,
  ]);
  expect(told[0]!.args.thread_ts).toBe(asked.ts);
  h.sandbox.setApiAccess(BRUNO, false);

  // Nobody of the vendor posted in that thread: a question answered and fixed by front-why alone.
  const [question] = await h.store.listCustomerQuestions(new Date(0));
  expect(question).toMatchObject({ tenant: 'acme', agentPostedAt: null });
  expect(question?.fixedAt).not.toBeNull();
});

test('the vendor’s people posting in a customer’s thread is noted; chit-chat gets no answer', async () => {
  const mark = h.slack.calls.length;
  await h.event(userMessage('Looking into it', { channel: SHARED, user: AGENT, thread_ts: commandThread }));
  // A guest's own follow-up is not an agent's.
  await h.event(userMessage('Thanks!', guest({ thread_ts: asked.ts })));
  await h.idle();
  expect(since(mark, 'chat.postMessage')).toEqual([]);
  const questions = await h.store.listCustomerQuestions(new Date(0));
  expect(questions.map((q) => q.agentPostedAt !== null)).toEqual([false, true]);
});

test('an author the event names no team for is looked up with users.info, once, and answered as a customer', async () => {
  const someone = 'U0GUESTTHREE';
  h.slack.setUserTeam(someone, GUEST_TEAM);
  const mark = h.slack.calls.length;
  for (const text of [ERROR_PASTE, `${ERROR_PASTE} (again)`]) {
    await h.event(userMessage(text, { channel: SHARED, user: someone, team: undefined }));
    await h.idle();
  }
  expect(since(mark, 'users.info')).toHaveLength(1);
  const answers = since(mark, 'chat.postMessage', SHARED);
  expect(answers.map((c) => visibleText(c).split('\n')[0])).toEqual([
    expect.stringContaining(`@${someone} I looked into the Front API error`),
    expect.stringContaining(`@${someone} I looked into the Front API error`),
  ]);
  expect(since(mark, 'chat.postEphemeral')).toEqual([]);
});

test('the Home tab of someone in the mirror channel counts the tenant’s customer questions', async () => {
  const mark = h.slack.calls.length;
  await h.event({
    type: 'app_home_opened',
    user: AGENT,
    channel: 'D0HOME',
    tab: 'home',
    event_ts: `${Date.now() / 1000}`,
  });
  await h.idle();
  const [published] = since(mark, 'views.publish');
  const view = JSON.stringify(published?.args.view);
  expect(view).toContain('*acme*');
  // The paste's thread (fixed by the watch, the agent posting only after), the /front-why thread, and the two
  // threads of the author looked up with users.info.
  expect(view).toMatch(
    /Customer questions in the last 30 days:\* 4 answered · 1 fixed without an agent · median \d+ min to fixed/,
  );
});

test('past the per-person limit a guest gets a polite answer and nothing is checked', async () => {
  for (let i = 0; i < CUSTOMER_LIMITS.perPerson; i += 1)
    await h.store.recordCustomerCheck({
      teamId: TEAM_ID,
      channelId: SHARED,
      threadTs: `1710000500.${String(i).padStart(6, '0')}`,
      tenant: 'acme',
      askedBy: GUEST_2,
      at: new Date(),
      ...CUSTOMER_LIMITS,
    });
  h.sandbox.resetStats();
  const mark = h.slack.calls.length;
  const message = userMessage(ERROR_PASTE, guest({ user: GUEST_2 }));
  await h.event(message);
  await waitFor(() => since(mark, 'chat.postMessage', SHARED)[0], 'the limit answer');
  await h.idle();
  expect(since(mark, 'chat.postMessage').map((c) => visibleText(c))).toEqual([
    expect.stringContaining(
      `@${GUEST_2} Sorry, I cannot check this one now: you have asked for 20 checks in the last hour`,
    ),
  ]);
  expect(h.sandbox.stats().total).toBe(0);
});

test('a command whose payload says this workspace, from someone users.info places in another, is a customer’s', async () => {
  const someone = 'U0GUESTFIVE';
  h.slack.setUserTeam(someone, GUEST_TEAM);
  const mark = h.slack.calls.length;
  await h.command('audit', { user: someone, channel: SHARED });
  await h.idle();
  expect(since(mark, 'users.info')).toHaveLength(1);
  expect(visibleText(since(mark, 'response_url')[0]!)).toContain('is for the support team');
});

test('a customer channel no longer bound checks nothing, not even with another token, and says so', async () => {
  await h.command('unbind', { user: ADMIN, channel: SHARED });
  await h.idle();
  h.sandbox.resetStats();
  const mark = h.slack.calls.length;
  await h.event(userMessage(ERROR_PASTE, guest({ user: 'U0GUESTFOUR' })));
  await waitFor(() => since(mark, 'chat.postMessage', SHARED)[0], 'the answer');
  await h.idle();
  expect(since(mark, 'chat.postMessage').map((c) => visibleText(c))).toEqual([
    '@U0GUESTFOUR I cannot check errors in this channel yet. Our support team can see this thread and will answer here.',
  ]);
  expect(h.sandbox.stats().total).toBe(0);
});
