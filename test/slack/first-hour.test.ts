import { AGENT, CHANNEL, GUEST, GUEST_TEAM, startHarness, userMessage, waitFor, type Harness } from './helpers/harness';
import { TEAM_ID, type RecordedCall } from './helpers/slack-standin';

/** A first start with signed requests: no admins yet, and message events that do not say their author's team. */

const PASTE =
  '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';

function since(h: Harness, mark: number, method: string): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => c.method === method);
}

function logLines(h: Harness): { level: number; msg: string; [key: string]: unknown }[] {
  return h.logs.map((line) => JSON.parse(line) as { level: number; msg: string });
}

describe('with no admins configured', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { FRONT_WHY_ADMINS: '' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  test('the start-up log warns, saying who can become an admin and how', () => {
    const warning = logLines(h).find((l) => l.level === 40 && /no front-why admins are configured/.test(l.msg));
    expect(warning?.msg).toContain('FRONT_WHY_ADMINS');
    expect(warning?.msg).toContain('FRONT_WHY_ADMIN_GROUP');
    expect(warning?.msg).toContain('Copy member ID');
  });

  test('`/front-why connect` says none is set up and how to become one, not "ask one of them"', async () => {
    const mark = h.slack.calls.length;
    await h.command('connect acme', { user: AGENT });
    const answer = await waitFor(() => since(h, mark, 'response_url')[0], 'the private answer');
    const text = JSON.stringify(answer.args);
    expect(text).toContain('Only front-why admins can connect tenants, and none is set up yet');
    expect(text).toContain('FRONT_WHY_ADMINS');
    expect(text).toContain(`Your member ID is \`${AGENT}\``);
    expect(text).not.toContain('ask one of them');
    expect(since(h, mark, 'views.open')).toEqual([]);
  });
});

describe("a message event that does not say its author's team", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
    await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
    await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
    h.slack.setUserTeam(GUEST, GUEST_TEAM);
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A message as some events deliver it: neither `team` nor `user_team`. */
  const teamless = (user: string, text = PASTE) => {
    const message = userMessage(text, { user });
    delete message.team;
    return message;
  };

  test('is answered when Slack says the author is of this workspace; users.info is asked once per author', async () => {
    const mark = h.slack.calls.length;
    await h.event(teamless(AGENT));
    await waitFor(() => since(h, mark, 'chat.postMessage')[0], 'the threaded reply');
    await h.event(teamless(AGENT, `${PASTE} again`));
    await waitFor(() => since(h, mark, 'chat.postMessage')[1], 'the second reply');
    await h.idle();
    expect(since(h, mark, 'users.info').map((c) => c.args.user)).toEqual([AGENT]);
    const decided = logLines(h).filter((l) => /the team of a message's author, not in the event/.test(l.msg));
    expect(decided[0]).toMatchObject({ user: AGENT, team: TEAM_ID, external: false });
  });

  test('gets no probe when Slack says the author is of another organisation, and the decision is logged', async () => {
    const mark = h.slack.calls.length;
    h.sandbox.resetStats();
    await h.event(teamless(GUEST));
    await h.idle();
    expect(since(h, mark, 'users.info').map((c) => c.args.user)).toEqual([GUEST]);
    expect(since(h, mark, 'chat.postMessage')).toEqual([]);
    expect(h.sandbox.stats().total).toBe(0);
    const decided = logLines(h).filter((l) => l.user === GUEST && /not in the event/.test(l.msg));
    expect(decided.at(-1)).toMatchObject({ team: GUEST_TEAM, external: true });
  });

  test('is treated as external when Slack cannot say, with the reason logged', async () => {
    const mark = h.slack.calls.length;
    h.slack.failMethod('users.info', 'missing_scope');
    try {
      await h.event(teamless('U0NEWCOMER'));
      await h.idle();
    } finally {
      h.slack.failMethod('users.info', undefined);
    }
    expect(since(h, mark, 'chat.postMessage')).toEqual([]);
    const decided = logLines(h).filter((l) => l.user === 'U0NEWCOMER');
    expect(decided.at(-1)?.msg).toContain('could not be looked up (users.info: missing_scope): treated as external');
  });
});
