import { existsSync, readFileSync } from 'node:fs';
import { CONNECT_CALLBACK_ID, TOKEN_BLOCK_ID } from '../../src/slack/render/connect-view';
import {
  ADMIN,
  AGENT,
  CHANNEL,
  connectSubmission,
  GUEST,
  GUEST_TEAM,
  startHarness,
  waitFor,
  type Harness,
} from './helpers/harness';
import { TEAM_ID, type RecordedCall } from './helpers/slack-standin';

/** Who may do what, and the connect modal: the token goes in through the modal and nowhere else. */

const GROUP = 'S0FWADMINS';
const GROUP_ADMIN = 'U0GROUPADMIN';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    env: { FRONT_WHY_ADMIN_GROUP: GROUP },
    sandbox: { faults: { rateLimitPerMinute: 100_000 } },
  });
  h.slack.setGroupMembers(GROUP, [GROUP_ADMIN]);
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
});

afterAll(async () => {
  await h?.close();
});

function since(mark: number, method: string): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => c.method === method);
}

async function privateAnswer(mark: number): Promise<string> {
  const call = await waitFor(() => since(mark, 'response_url')[0], 'the private answer');
  expect(call.args).toMatchObject({ response_type: 'ephemeral' });
  return JSON.stringify(call.args);
}

describe('admin-only verbs', () => {
  test.each([
    ['bind acme', 'bind channels'],
    ['unbind', 'unbind channels'],
    ['listen on', 'change `listen`'],
    ['allow-external on', 'change `allow-external`'],
    ['connect newco', 'connect tenants'],
  ])('`%s` is refused for a non-admin, with a clear private message', async (text, what) => {
    const mark = h.slack.calls.length;
    await h.command(text, { user: AGENT, channel: 'C0REFUSED' });
    const answer = await privateAnswer(mark);
    expect(answer).toContain(`Only front-why admins can ${what}`);
    expect(since(mark, 'views.open')).toEqual([]);
    expect(await h.store.getChannelBinding(TEAM_ID, 'C0REFUSED')).toBeNull();
    expect(await h.store.getChannelSettings(TEAM_ID, 'C0REFUSED')).toEqual({ listen: false, allowExternal: false });
  });

  test('a member of FRONT_WHY_ADMIN_GROUP (usergroups.users.list) may bind, and it is audited', async () => {
    const mark = h.slack.calls.length;
    await h.command('bind acme', { user: GROUP_ADMIN, channel: 'C0BYGROUP' });
    expect(await privateAnswer(mark)).toContain('now checks with tenant *acme*');
    // Fetched once and cached: the refusals above already asked Slack for the group's members.
    expect(since(0, 'usergroups.users.list').map((c) => c.args.usergroup)).toEqual([GROUP]);
    expect(await h.store.getChannelBinding(TEAM_ID, 'C0BYGROUP')).toMatchObject({
      tenant: 'acme',
      boundBy: GROUP_ADMIN,
    });
    await h.idle();
    const [entry] = await h.store.listActivity({ limit: 1 });
    expect(entry).toMatchObject({ action: 'tenant.bind', actor: GROUP_ADMIN, channelId: 'C0BYGROUP', tenant: 'acme' });
  });

  test('bind to an unknown tenant lists the known ones; unbind and listen work for admins', async () => {
    let mark = h.slack.calls.length;
    await h.command('bind nosuch', { user: ADMIN, channel: 'C0ADMINOPS' });
    expect(await privateAnswer(mark)).toContain('There is no tenant named `nosuch`. Tenants: `acme`');

    mark = h.slack.calls.length;
    await h.command('listen on', { user: ADMIN, channel: 'C0ADMINOPS' });
    expect(await privateAnswer(mark)).toContain('I now answer');
    expect((await h.store.getChannelSettings(TEAM_ID, 'C0ADMINOPS')).listen).toBe(true);

    await h.bindTenant('acme', h.sandbox.tokens.acme_private, 'C0ADMINOPS');
    mark = h.slack.calls.length;
    await h.command('unbind', { user: ADMIN, channel: 'C0ADMINOPS' });
    expect(await privateAnswer(mark)).toContain('no longer bound to *acme*');
    expect(await h.store.getChannelBinding(TEAM_ID, 'C0ADMINOPS')).toBeNull();
    await h.idle();
    const actions = (await h.store.listActivity({ limit: 2 })).map((e) => e.action);
    expect(actions).toEqual(['tenant.unbind', 'channel.settings']);
  });
});

describe('Slack Connect guests', () => {
  test('cannot run checks or see token status unless the channel allows it', async () => {
    h.sandbox.resetStats();
    let mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5q', { user: GUEST, team: GUEST_TEAM });
    expect(await privateAnswer(mark)).toContain('outside this workspace');
    mark = h.slack.calls.length;
    await h.command('status', { user: GUEST, team: GUEST_TEAM });
    expect(await privateAnswer(mark)).toContain('outside this workspace');
    await h.idle();
    expect(h.sandbox.stats().total).toBe(0);
    expect(since(0, 'chat.postMessage').filter((c) => JSON.stringify(c.args).includes('cnv_yo1kg5q'))).toEqual([]);

    mark = h.slack.calls.length;
    await h.command('allow-external on', { user: ADMIN });
    await privateAnswer(mark);
    try {
      mark = h.slack.calls.length;
      await h.command('cnv_yo1kg5q', { user: GUEST, team: GUEST_TEAM });
      await waitFor(
        () => since(mark, 'chat.postMessage').find((c) => JSON.stringify(c.args).includes('*Cause:*')),
        'the guest’s answer',
      );
    } finally {
      await h.store.setChannelSettings(TEAM_ID, CHANNEL, { allowExternal: false });
    }
  });

  test('cannot connect tenants even when listed nowhere else', async () => {
    const mark = h.slack.calls.length;
    await h.command('connect guestco', { user: GUEST, team: GUEST_TEAM });
    expect(await privateAnswer(mark)).toContain('outside this workspace');
    expect(since(mark, 'views.open')).toEqual([]);
  });
});

describe('connect NAME', () => {
  test('refuses the name "default", which names FRONT_API_TOKEN, before any form opens', async () => {
    const mark = h.slack.calls.length;
    await h.command('connect default', { user: ADMIN });
    expect(await privateAnswer(mark)).toContain('is reserved: it names FRONT_API_TOKEN');
    await h.idle();
    expect(since(mark, 'views.open')).toEqual([]);
  });

  test('opens a modal, checks the pasted token live, stores it encrypted; the token is never echoed or logged', async () => {
    const token = h.sandbox.tokens.globex_private;
    let mark = h.slack.calls.length;
    await h.command('connect globex', { user: ADMIN });
    const opened = await waitFor(() => since(mark, 'views.open')[0], 'views.open');
    expect(opened.args).toMatchObject({
      trigger_id: expect.any(String),
      view: { type: 'modal', callback_id: CONNECT_CALLBACK_ID },
    });

    h.sandbox.resetStats();
    mark = h.slack.calls.length;
    const submitted = connectSubmission(opened, token);
    const ack = await h.interact(submitted);
    expect(ack.status).toBe(200);
    expect(JSON.parse(ack.body)).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    const result = await waitFor(() => since(mark, 'views.update')[0], 'the result in the modal');
    expect(result.args).toMatchObject({ view_id: (submitted.view as { id: string }).id });
    expect(JSON.stringify(result.args)).toContain('Tenant *globex* is connected');
    expect(JSON.stringify(result.args)).toContain('Globex');
    expect(h.sandbox.stats().byRoute['GET /me']).toBe(1);

    expect(await h.store.getTenant('globex')).toMatchObject({
      companyId: 'cmp_g10b',
      companyName: 'Globex',
      addedBy: ADMIN,
    });
    expect(await h.store.getTenantToken('globex')).toBe(token);
    await h.idle();
    const [entry] = await h.store.listActivity({ tenant: 'globex', limit: 1 });
    expect(entry).toMatchObject({ action: 'tenant.add', actor: ADMIN });

    // The new tenant works at once in a channel bound to it.
    mark = h.slack.calls.length;
    await h.command('bind globex', { user: ADMIN, channel: 'C0GLOBEXNEW' });
    await privateAnswer(mark);
    mark = h.slack.calls.length;
    await h.command('cnv_zq3ab11', { channel: 'C0GLOBEXNEW' });
    await waitFor(
      () => since(mark, 'chat.postMessage').find((c) => c.args.thread_ts),
      'a diagnosis with the new tenant',
    );

    // Nowhere but the store: not in any Slack call, not in any log line, not in the database file in clear.
    const everything = h.slack.calls.map((c) => `${c.raw}\n${JSON.stringify(c.args)}`).join('\n');
    expect(everything).not.toContain(token);
    expect(h.logs.join('\n')).not.toContain(token);
    await h.idle();
    expect((await h.store.listActivity({ limit: 1000 })).map((e) => JSON.stringify(e)).join('\n')).not.toContain(token);
    // The database file and whichever of its WAL files exist right now.
    const files = ['', '-wal', '-shm']
      .map((suffix) => `${h.config.FRONT_WHY_DB}${suffix}`)
      .filter((file) => existsSync(file));
    expect(files).toContain(h.config.FRONT_WHY_DB);
    for (const file of files) expect(readFileSync(file).includes(Buffer.from(token))).toBe(false);
  });

  test('connect on an existing tenant replaces its token after the live check', async () => {
    let mark = h.slack.calls.length;
    await h.command('connect globex', { user: ADMIN });
    const opened = await waitFor(() => since(mark, 'views.open')[0], 'views.open');
    expect(JSON.stringify(opened.args)).toContain('Replace the Front API token');
    mark = h.slack.calls.length;
    await h.interact(connectSubmission(opened, h.sandbox.tokens.globex_legacy_all));
    const result = await waitFor(() => since(mark, 'views.update')[0], 'the result');
    expect(JSON.stringify(result.args)).toContain('has a new token');
    expect(await h.store.getTenantToken('globex')).toBe(h.sandbox.tokens.globex_legacy_all);
    await h.idle();
    expect((await h.store.listActivity({ tenant: 'globex', limit: 1 }))[0]).toMatchObject({
      action: 'tenant.token.replace',
    });
  });

  test('a token Front refuses is not stored, and the modal says why', async () => {
    let mark = h.slack.calls.length;
    await h.command('connect revoked', { user: ADMIN });
    const opened = await waitFor(() => since(mark, 'views.open')[0], 'views.open');
    mark = h.slack.calls.length;
    await h.interact(connectSubmission(opened, h.sandbox.tokens.acme_revoked));
    const result = await waitFor(() => since(mark, 'views.update')[0], 'the result');
    expect(JSON.stringify(result.args)).toContain('Nothing was stored');
    expect(JSON.stringify(result.args)).toContain('Front refuses the token');
    expect(await h.store.getTenant('revoked')).toBeNull();
  });

  test('a value that is not a token, or a submission by a non-admin, is refused inside the modal', async () => {
    const mark = h.slack.calls.length;
    await h.command('connect other', { user: ADMIN });
    const opened = await waitFor(() => since(mark, 'views.open')[0], 'views.open');
    const notToken = await h.interact(connectSubmission(opened, 'my password is hunter2'));
    expect(JSON.parse(notToken.body)).toMatchObject({
      response_action: 'errors',
      errors: { [TOKEN_BLOCK_ID]: expect.stringContaining('not a Front API token') },
    });
    const forged = await h.interact(
      connectSubmission(opened, h.sandbox.tokens.acme_private, { id: AGENT, team_id: TEAM_ID }),
    );
    expect(JSON.parse(forged.body)).toMatchObject({
      response_action: 'errors',
      errors: { [TOKEN_BLOCK_ID]: expect.stringContaining('Only front-why admins') },
    });
    await h.idle();
    expect(await h.store.getTenant('other')).toBeNull();
    expect(h.logs.join('\n')).not.toContain('hunter2');
    expect(h.slack.calls.map((c) => c.raw).join('\n')).not.toContain('hunter2');
  });

  test('a tenant name that is not valid is refused before any modal opens', async () => {
    const mark = h.slack.calls.length;
    await h.command('connect Not_A_Name', { user: ADMIN });
    expect(await privateAnswer(mark)).toContain('is not a tenant name');
    expect(since(mark, 'views.open')).toEqual([]);
  });
});
