import { randomBytes } from 'node:crypto';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { CONNECT_CALLBACK_ID, TOKEN_BLOCK_ID } from '../../src/slack/render/connect-view';
import {
  ADMIN,
  buttonClick,
  CHANNEL,
  commandPayload,
  connectSubmission,
  eventEnvelope,
  renderedText,
  startHarness,
  userMessage,
  waitFor,
  type Harness,
} from './helpers/harness';
import { signedHeaders } from './helpers/signing';
import { TEAM_ID, type RecordedCall } from './helpers/slack-standin';

/**
 * Requests that are correctly signed but must not run: signed too far from now (either way), or sent a second
 * time. And Slack Connect guests whose payload does not say their team: they count as external everywhere.
 */

const FORM = 'application/x-www-form-urlencoded';
const ERROR_PASTE =
  '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
  if (!(await h.store.getTenant('globex')))
    await h.store.addTenant({ name: 'globex', token: h.sandbox.tokens.globex_private, addedBy: ADMIN });
});

afterAll(async () => {
  await h?.close();
});

function since(mark: number, method: string): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => c.method === method);
}

function freshChannel(): string {
  return `C0${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** A `/front-why` command as Slack would sign it at `timestamp` (seconds), sent with exactly these headers. */
function signedCommand(text: string, who: { user?: string; channel?: string }, timestamp?: number) {
  const responseUrl = h.slack.responseUrl();
  const body = new URLSearchParams(commandPayload(text, responseUrl, who)).toString();
  const headers = signedHeaders(h.secret, body, FORM, timestamp);
  return { responseUrl, send: (to: Harness = h) => to.send(body, FORM, headers) };
}

async function bindActivity(channel: string) {
  return (await h.store.listActivity({ limit: 1000 })).filter(
    (e) => e.action === 'tenant.bind' && e.channelId === channel,
  );
}

describe('the request timestamp', () => {
  const now = () => Math.floor(Date.now() / 1000);

  test.each([
    ['a day in the future', 24 * 60 * 60],
    ['six minutes in the future', 6 * 60],
    ['six minutes in the past', -6 * 60],
  ])('a command signed %s is refused with 401 and does nothing', async (_what, offset) => {
    const channel = freshChannel();
    const mark = h.slack.calls.length;
    const command = signedCommand('bind acme', { user: ADMIN, channel }, now() + offset);
    const reply = await command.send();
    expect(reply.status).toBe(401);
    await h.idle();
    expect(h.slack.calls.slice(mark)).toEqual([]);
    expect(await h.store.getChannelBinding(TEAM_ID, channel)).toBeNull();
    expect(await bindActivity(channel)).toEqual([]);
  });

  test('a command signed four minutes in the future is within the window and runs', async () => {
    const channel = freshChannel();
    const command = signedCommand('bind acme', { user: ADMIN, channel }, now() + 4 * 60);
    expect((await command.send()).status).toBe(200);
    await h.idle();
    expect(await h.store.getChannelBinding(TEAM_ID, channel)).toMatchObject({ tenant: 'acme' });
  });
});

describe('a signed request sent again', () => {
  test('`bind` replayed after the channel was re-bound: 401, the binding and the audit log unchanged', async () => {
    const channel = freshChannel();
    const bindAcme = signedCommand('bind acme', { user: ADMIN, channel });
    expect((await bindAcme.send()).status).toBe(200);
    await h.idle();
    expect((await signedCommand('bind globex', { user: ADMIN, channel }).send()).status).toBe(200);
    await h.idle();
    const mark = h.slack.calls.length;

    const replay = await bindAcme.send();
    expect(replay.status).toBe(401);
    expect(replay.body).toBe('request already received\n');
    await h.idle();
    expect(await h.store.getChannelBinding(TEAM_ID, channel)).toMatchObject({ tenant: 'globex' });
    expect((await bindActivity(channel)).map((e) => e.tenant)).toEqual(['globex', 'acme']);
    expect(h.slack.calls.slice(mark)).toEqual([]);
    expect(h.logs.some((l) => l.includes('refused a replayed request') && l.includes('"kind":"command"'))).toBe(true);
  });

  test('sent twice at once: exactly one runs', async () => {
    const channel = freshChannel();
    const bind = signedCommand('bind acme', { user: ADMIN, channel });
    const replies = await Promise.all([bind.send(), bind.send(), bind.send()]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    await h.idle();
    expect(await bindActivity(channel)).toHaveLength(1);
    expect(since(0, 'response_url').filter((c) => c.path === new URL(bind.responseUrl).pathname)).toHaveLength(1);
  });

  test('replayed to another replica: refused there too (the claim is in the shared store)', async () => {
    const replica = await startHarness({ replicaOf: h });
    try {
      const channel = freshChannel();
      const bind = signedCommand('bind acme', { user: ADMIN, channel });
      expect((await bind.send(h)).status).toBe(200);
      expect((await bind.send(replica)).status).toBe(401);
      await Promise.all([h.idle(), replica.idle()]);
      expect(await bindActivity(channel)).toHaveLength(1);
    } finally {
      await replica.close();
    }
  });

  test('a button click replayed: one re-check', async () => {
    let mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5q');
    const answer = await waitFor(
      () => since(mark, 'chat.postMessage').find((c) => JSON.stringify(c.args).includes(ACTION_IDS.checkAgain)),
      'the answer',
    );
    await h.idle();
    mark = h.slack.calls.length;
    const body = new URLSearchParams({
      payload: JSON.stringify(buttonClick(answer, ACTION_IDS.checkAgain, { responseUrl: h.slack.responseUrl() })),
    }).toString();
    const headers = signedHeaders(h.secret, body, FORM);
    expect((await h.send(body, FORM, headers)).status).toBe(200);
    expect((await h.send(body, FORM, headers)).status).toBe(401);
    await h.idle();
    expect(
      since(mark, 'chat.postMessage').filter((c) => JSON.stringify(c.args).includes('Checked again')),
    ).toHaveLength(1);
  });

  test('a connect form submission replayed: the token is written once, with one audit line', async () => {
    let mark = h.slack.calls.length;
    await h.command('connect replayco', { user: ADMIN });
    const opened = await waitFor(() => since(mark, 'views.open')[0], 'views.open');
    mark = h.slack.calls.length;
    const body = new URLSearchParams({
      payload: JSON.stringify(connectSubmission(opened, h.sandbox.tokens.globex_private)),
    }).toString();
    const headers = signedHeaders(h.secret, body, FORM);
    expect((await h.send(body, FORM, headers)).status).toBe(200);
    await h.idle();
    expect((await h.send(body, FORM, headers)).status).toBe(401);
    await h.idle();
    expect((await h.store.listActivity({ tenant: 'replayco', limit: 10 })).map((e) => e.action)).toEqual([
      'tenant.add',
    ]);
    expect(since(mark, 'views.update')).toHaveLength(1);
  });

  test('the same command with its signature or timestamp written another way: refused, one diagnosis', async () => {
    const mark = h.slack.calls.length;
    const responseUrl = h.slack.responseUrl();
    const body = new URLSearchParams(commandPayload('cnv_yo1kg5q', responseUrl)).toString();
    const headers = signedHeaders(h.secret, body, FORM);
    const signature = headers['x-slack-signature']!;
    const timestamp = headers['x-slack-request-timestamp']!;
    const variants: Record<string, string>[] = [
      headers,
      ...['=', '=1', '=2', '=abc'].map((tail) => ({ ...headers, 'x-slack-signature': `${signature}${tail}` })),
      ...[`0${timestamp}`, `${timestamp}.0`, `+${timestamp}`].map((t) => ({
        ...headers,
        'x-slack-request-timestamp': t,
      })),
    ];
    const statuses: number[] = [];
    for (const variant of variants) statuses.push((await h.send(body, FORM, variant)).status);
    expect(statuses).toEqual([200, ...variants.slice(1).map(() => 401)]);
    await waitFor(
      () => since(mark, 'chat.postMessage').find((c) => renderedText(c).includes('*Cause:*')),
      'the answer',
    );
    await h.idle();
    expect(since(mark, 'chat.postMessage').filter((c) => renderedText(c).includes('*Cause:*'))).toHaveLength(1);
  });

  test('a Check again click replayed with its signature written another way: one re-check', async () => {
    let mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5q');
    const answer = await waitFor(
      () => since(mark, 'chat.postMessage').find((c) => JSON.stringify(c.args).includes(ACTION_IDS.checkAgain)),
      'the answer',
    );
    await h.idle();
    mark = h.slack.calls.length;
    const body = new URLSearchParams({
      payload: JSON.stringify(buttonClick(answer, ACTION_IDS.checkAgain, { responseUrl: h.slack.responseUrl() })),
    }).toString();
    const headers = signedHeaders(h.secret, body, FORM);
    const statuses: number[] = [];
    for (const tail of ['', '=', '=1', '=2', '=3', '==']) {
      const signature = `${headers['x-slack-signature']}${tail}`;
      statuses.push((await h.send(body, FORM, { ...headers, 'x-slack-signature': signature })).status);
    }
    expect(statuses).toEqual([200, 401, 401, 401, 401, 401]);
    await h.idle();
    expect(
      since(mark, 'chat.postMessage').filter((c) => JSON.stringify(c.args).includes('Checked again')),
    ).toHaveLength(1);
  });

  test('an event delivered twice with the same signature is not refused: its event id decides (one reply)', async () => {
    await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
    try {
      const message = userMessage(ERROR_PASTE);
      const body = JSON.stringify(eventEnvelope(message, `Ev0SAMESIG${randomBytes(3).toString('hex')}`));
      const headers = signedHeaders(h.secret, body, 'application/json');
      const mark = h.slack.calls.length;
      expect((await h.send(body, 'application/json', headers)).status).toBe(200);
      expect(
        (
          await h.send(body, 'application/json', {
            ...headers,
            'x-slack-retry-num': '1',
            'x-slack-retry-reason': 'http_timeout',
          })
        ).status,
      ).toBe(200);
      await waitFor(() => since(mark, 'chat.postMessage')[0], 'the reply');
      await h.idle();
      expect(since(mark, 'chat.postMessage').filter((c) => c.args.thread_ts === message.ts)).toHaveLength(1);
    } finally {
      await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: false });
    }
  });
});

describe('a payload that does not say the user’s team counts as a Slack Connect guest', () => {
  test('a button click without user.team_id is refused in a channel that does not allow guests', async () => {
    let mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5q');
    const answer = await waitFor(
      () => since(mark, 'chat.postMessage').find((c) => JSON.stringify(c.args).includes(ACTION_IDS.checkAgain)),
      'the answer',
    );
    await h.idle();
    h.sandbox.resetStats();
    mark = h.slack.calls.length;
    const responseUrl = h.slack.responseUrl();
    const click = buttonClick(answer, ACTION_IDS.checkAgain, { responseUrl });
    delete (click.user as Record<string, unknown>).team_id;
    expect((await h.interact(click)).status).toBe(200);
    await h.idle();
    const told = [...since(mark, 'chat.postEphemeral'), ...since(mark, 'response_url')];
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0]!.args)).toContain('outside this workspace');
    expect(since(mark, 'chat.postMessage')).toEqual([]);
    expect(h.sandbox.stats().total).toBe(0);
  });

  test('a connect form submitted by an admin id without user.team_id stores nothing', async () => {
    let mark = h.slack.calls.length;
    await h.command('connect guestform', { user: ADMIN });
    const opened = await waitFor(() => since(mark, 'views.open')[0], 'views.open');
    mark = h.slack.calls.length;
    const reply = await h.interact(connectSubmission(opened, h.sandbox.tokens.globex_private, { id: ADMIN }));
    expect(JSON.parse(reply.body)).toMatchObject({
      response_action: 'errors',
      errors: { [TOKEN_BLOCK_ID]: expect.stringContaining('Only front-why admins of this workspace') },
    });
    await h.idle();
    expect(await h.store.getTenant('guestform')).toBeNull();
    expect(since(mark, 'views.update')).toEqual([]);
    expect(opened.args.view).toMatchObject({ callback_id: CONNECT_CALLBACK_ID });
  });

  test('a pasted error whose message names no team, by an author Slack cannot place, gets no reply', async () => {
    await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
    h.slack.failMethod('users.info', 'user_not_found');
    try {
      h.sandbox.resetStats();
      const mark = h.slack.calls.length;
      const message = userMessage(ERROR_PASTE);
      delete message.team;
      expect((await h.event(message)).status).toBe(200);
      await h.idle();
      expect(h.slack.calls.slice(mark).map((c) => c.method)).toEqual(['users.info']);
      expect(h.sandbox.stats().total).toBe(0);

      // The same message naming the workspace as the author's team is answered.
      const ours = userMessage(ERROR_PASTE);
      await h.event(ours);
      await waitFor(
        () => since(mark, 'chat.postMessage').find((c) => c.args.thread_ts === ours.ts),
        'the reply to a member',
      );
    } finally {
      h.slack.failMethod('users.info', undefined);
      await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: false });
    }
  });
});
