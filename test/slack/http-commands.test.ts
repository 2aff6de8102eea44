import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli';
import type { CliIo } from '../../src/commands/io';
import { SANDBOX_SCENARIOS } from '../../src/sandbox';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { AGENT, buttonClick, CHANNEL, startHarness, waitFor, type Harness } from './helpers/harness';
import { signedHeaders } from './helpers/signing';
import { BOT_NAME, TEAM_ID, type RecordedCall } from './helpers/slack-standin';
import { visibleText } from './helpers/visible';

/** End to end in HTTP mode: signed requests to the real app, Slack stand-in on one side, the sandbox on the other. */

let h: Harness;

const ORIGINAL_REPORT = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!.input;

beforeAll(async () => {
  // Acme is on the Starter plan (50 requests a minute); this file runs more checks than that.
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
});

afterAll(async () => {
  await h?.close();
});

afterEach(() => {
  h.sandbox.setFaults({ latencyMs: 0, outage: false });
});

function callsSince(mark: number, method?: string): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => !method || c.method === method);
}

function text(call: RecordedCall): string {
  return JSON.stringify(call.args);
}

/** The parent message and every threaded reply under it, once the last expected reply arrived. */
async function threadAfter(
  mark: number,
  channel = CHANNEL,
): Promise<{ parent: RecordedCall; replies: RecordedCall[] }> {
  const parent = await waitFor(
    () => callsSince(mark, 'chat.postMessage').find((c) => c.args.channel === channel && !c.args.thread_ts),
    'the parent message',
  );
  const replies = await waitFor(() => {
    const found = callsSince(mark, 'chat.postMessage').filter((c) => c.args.thread_ts !== undefined);
    return found.some((c) => text(c).includes(ACTION_IDS.checkAgain) || text(c).includes('could not finish'))
      ? found
      : undefined;
  }, 'the threaded reply');
  return { parent, replies };
}

describe('the HTTP endpoint', () => {
  test('GET /healthz answers 200', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, mode: 'http', inflight: expect.any(Number) });
  });

  test('a bad signature or a stale timestamp gets 401 and reaches no listener', async () => {
    const mark = h.slack.calls.length;
    const body = new URLSearchParams({
      command: '/front-why',
      text: 'cnv_yo1kg5q',
      user_id: AGENT,
      channel_id: CHANNEL,
      team_id: TEAM_ID,
      response_url: h.slack.responseUrl(),
      trigger_id: 't',
    }).toString();
    const contentType = 'application/x-www-form-urlencoded';
    const wrongSecret = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: signedHeaders('not-the-secret', body, contentType),
      body,
    });
    expect(wrongSecret.status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const old = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: signedHeaders(h.secret, body, contentType, stale),
      body,
    });
    expect(old.status).toBe(401);
    const tampered = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: signedHeaders(h.secret, body, contentType),
      body: `${body}&x=1`,
    });
    expect(tampered.status).toBe(401);
    const unsigned = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    expect(unsigned.status).toBe(401);
    await h.idle();
    expect(callsSince(mark)).toEqual([]);
  });
});

describe('/front-why <conversation>', () => {
  test('acks at once, posts a parent message, then the diagnosis in its thread with steps and buttons', async () => {
    const mark = h.slack.calls.length;
    const ack = await h.command('cnv_yo1kg5q');
    expect(ack.status).toBe(200);
    expect(ack.body).toBe('');

    const { parent, replies } = await threadAfter(mark);
    expect(parent.args).toMatchObject({
      channel: CHANNEL,
      text: ':mag: Checking `cnv_yo1kg5q` for *acme*…',
      unfurl_links: false,
      unfurl_media: false,
    });
    const parentResponse = callsSince(mark, 'chat.postMessage').indexOf(parent);
    expect(parentResponse).toBe(0);
    for (const reply of replies) {
      expect(reply.args).toMatchObject({ channel: CHANNEL, unfurl_links: false, unfurl_media: false });
      expect(typeof reply.args.text).toBe('string');
      expect(reply.args.text).not.toBe('');
    }
    const answer = replies.map(text).join('\n');
    // The cause, the teammate concerned, the steps for each audience and the buttons; the checks wait for Details.
    expect(answer).toContain('*Cause:*');
    expect(answer).toContain('teammate_api_access_disabled');
    expect(answer).toContain('Allow access to my individual resources via the API');
    expect(answer).toContain('Bruno Keller');
    expect(answer).toContain('*Support agent*');
    expect(answer).toContain("*Customer's teammate*");
    expect(answer).toContain("*Customer's admin*");
    expect(answer).not.toContain('GET /conversations/cnv_yo1kg5q');
    expect(answer).toContain(ACTION_IDS.checkAgain);
    expect(answer).toContain(ACTION_IDS.customerMessage);
    expect(answer).toContain(ACTION_IDS.details);

    // The threaded replies hang under the parent the stand-in answered with.
    const parentTs = await waitFor(() => replies[0]?.args.thread_ts as string | undefined, 'thread ts');
    expect(replies.every((r) => r.args.thread_ts === parentTs)).toBe(true);

    await h.idle();
    const [entry] = await h.store.listActivity({ tenant: 'acme', limit: 1 });
    expect(entry).toMatchObject({
      actor: AGENT,
      channelId: CHANNEL,
      tenant: 'acme',
      action: 'diagnose',
      target: 'cnv_yo1kg5q',
      cause: 'teammate_api_access_disabled',
    });
  });

  test('in a channel with no tenant bound, an ID says it needs the customer’s token and how to bind one', async () => {
    const channel = 'C0UNBOUND';
    const mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5q', { channel });
    const { replies } = await threadAfter(mark, channel);
    const answer = replies.map((r) => visibleText(r)).join('\n');
    expect(answer).toContain('Not checked.');
    expect(answer).toContain('not checked (no tenant is bound to this channel)');
    expect(answer).toContain('/front-why bind NAME');
    expect(answer).toContain('front-why diagnose --tenant NAME cnv_yo1kg5q');
    expect(answer).not.toContain('No known cause matched');
    // Nothing to tell the customer and no details: only the check, to run again once a tenant is bound.
    const all = replies.map(text).join('\n');
    expect(all).toContain(ACTION_IDS.checkAgain);
    expect(all).not.toContain(ACTION_IDS.customerMessage);
    expect(all).not.toContain(ACTION_IDS.details);
  });

  test('the ack comes back before the probes finish (Front answers slowly)', async () => {
    h.sandbox.setFaults({ latencyMs: 1_500 });
    h.sandbox.resetStats();
    const mark = h.slack.calls.length;
    // A conversation not asked about before, so the tenant's short cache cannot answer for Front.
    const ack = await h.command('cnv_yo1kg5t');
    const frontAtAck = h.sandbox.stats();
    expect(ack.status).toBe(200);
    // Ordering, not a latency budget (the benchmark measures that): Front had answered nothing yet.
    expect(frontAtAck.byStatus).toEqual({});
    const { replies } = await threadAfter(mark);
    expect(replies[0]!.at).toBeGreaterThan(ack.receivedAt);
    expect(Object.values(h.sandbox.stats().byStatus).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  test('where the bot is not a member, the answer comes privately with the exact /invite hint', async () => {
    const channel = 'C0NOTMEMBER';
    h.slack.failChannel(channel, 'not_in_channel');
    await h.bindTenant('acme', h.sandbox.tokens.acme_private, channel);
    const mark = h.slack.calls.length;
    const ack = await h.command('cnv_yo1kg5q', { channel });
    expect(ack.status).toBe(200);
    const responses = await waitFor(() => {
      const found = callsSince(mark, 'response_url');
      return found.length > 0 && found.some((c) => text(c).includes('*Cause:*')) ? found : undefined;
    }, 'the ephemeral answer');
    const first = responses[0]!;
    expect(first.raw).toContain(JSON.stringify(`/invite @${BOT_NAME}`).slice(1, -1));
    expect(first.args).toMatchObject({ response_type: 'ephemeral' });
    expect(responses.map(text).join('\n')).toContain('Bruno Keller');
    // No button on a private answer: it could not be re-run in place.
    expect(responses.map(text).join('\n')).not.toContain(ACTION_IDS.checkAgain);
    expect(callsSince(mark, 'chat.postMessage').map((c) => c.args.channel)).toEqual([channel]);
  });

  test('in a direct message the private answer says to use a channel instead', async () => {
    const channel = 'D0DIRECTMSG';
    h.slack.failChannel(channel, 'channel_not_found');
    // The previous test's private answer can still be on its way: it must not count as this one's.
    await h.idle();
    const mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5q', { channel });
    const response = await waitFor(() => callsSince(mark, 'response_url')[0], 'the ephemeral answer');
    expect(text(response)).toContain('cannot post in direct messages');
    expect(text(response)).toContain(`/invite @${BOT_NAME}`);
  });

  test('a hostile paste can never ping anyone or forge a link in any Slack call', async () => {
    const hostile =
      '{"_error":{"status":403,"title":"Forbidden","message":"<!channel> <@U123> look <https://evil.example|front.com> <!here>"}} cnv_yo1kg5q';
    const mark = h.slack.calls.length;
    await h.command(hostile);
    await threadAfter(mark);
    await h.idle();
    const sent = callsSince(mark)
      .map((c) => c.raw + JSON.stringify(c.args))
      .join('\n');
    for (const needle of ['<!channel>', '<@U123>', '<https://evil.example', '<!here>']) {
      expect(sent).not.toContain(needle);
      expect(sent).not.toContain(encodeURIComponent(needle));
    }
    // The buttons still carry Front's message, to check it again, with its brackets JSON-escaped.
    expect(sent).toContain('\\\\u003c!channel\\\\u003e');
  });

  test('a token pasted by mistake (curl -v output) is never repeated into Slack', async () => {
    const token = h.sandbox.tokens.acme_legacy_all;
    const paste = [
      '> GET /conversations/cnv_yo1kg5q HTTP/1.1',
      `> Authorization: Bearer ${token}`,
      '< HTTP/1.1 403 Forbidden',
      '{"_error":{"status":403,"title":"Forbidden","message":"You do not have access to the resources of this teammate"}}',
    ].join('\n');
    const mark = h.slack.calls.length;
    await h.command(paste);
    await threadAfter(mark);
    await h.idle();
    const sent = callsSince(mark)
      .map((c) => c.raw + JSON.stringify(c.args))
      .join('\n');
    expect(sent).not.toContain(token);
    expect(sent).not.toContain(token.split('.')[1]);
    expect(h.logs.join('\n')).not.toContain(token);
  });

  test('a diagnosis in channel A never uses tenant B’s token', async () => {
    await h.bindTenant('globex', h.sandbox.tokens.globex_private, 'C0GLOBEX');
    h.sandbox.resetStats();
    let mark = h.slack.calls.length;
    await h.command('cnv_zq3ab11', { channel: 'C0GLOBEX' });
    await threadAfter(mark, 'C0GLOBEX');
    expect(Object.keys(h.sandbox.stats().byToken)).toEqual(['globex_private']);

    // An Acme conversation asked about in the Globex channel is looked up with Globex's token, and not found.
    h.sandbox.resetStats();
    mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5v', { channel: 'C0GLOBEX' });
    await threadAfter(mark, 'C0GLOBEX');
    expect(Object.keys(h.sandbox.stats().byToken)).toEqual(['globex_private']);

    h.sandbox.resetStats();
    mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5w', { channel: CHANNEL });
    await threadAfter(mark);
    expect(Object.keys(h.sandbox.stats().byToken)).toEqual(['acme_private']);
  });

  test('with Front down the agent still gets a threaded answer that says what could not be checked', async () => {
    h.sandbox.setFaults({ outage: true });
    const mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5s');
    const { replies } = await threadAfter(mark);
    const answer = replies.map(text).join('\n');
    expect(answer).toContain('front_unavailable');
    expect(answer).toContain('could not check');
  });

  test('a Slack API error still reaches the agent, with a reference id that is in the logs', async () => {
    h.slack.failMethod('chat.postMessage', 'rate_limited_custom');
    try {
      const mark = h.slack.calls.length;
      await h.command('cnv_yo1kg5q');
      const response = await waitFor(() => callsSince(mark, 'response_url')[0], 'the failure notice');
      const ref = /Reference `([0-9A-F]{6})`/.exec(text(response))?.[1];
      expect(ref).toBeDefined();
      expect(text(response)).toContain('rate_limited_custom');
      expect(h.logs.some((line) => line.includes(`"ref":"${ref}"`) && line.includes('"level":50'))).toBe(true);
    } finally {
      h.slack.failMethod('chat.postMessage', undefined);
    }
  });
});

describe('buttons', () => {
  async function answeredReply(conversation: string): Promise<RecordedCall> {
    const mark = h.slack.calls.length;
    await h.command(conversation);
    const { replies } = await threadAfter(mark);
    return replies.find((r) => text(r).includes(ACTION_IDS.checkAgain))!;
  }

  test('"Check again" re-runs the checks and adds the answer to the same thread', async () => {
    const reply = await answeredReply('cnv_yo1kg5q');
    const mark = h.slack.calls.length;
    const ack = await h.interact(buttonClick(reply, ACTION_IDS.checkAgain, { responseUrl: h.slack.responseUrl() }));
    expect(ack.status).toBe(200);
    const again = await waitFor(
      () => callsSince(mark, 'chat.postMessage').find((c) => text(c).includes('Checked again')),
      'the re-check',
    );
    expect(again.args.thread_ts).toBe(reply.args.thread_ts);
    expect(text(again)).toContain('teammate_api_access_disabled');
  });

  test('`front-why stats` counts a case once, however often its answer is checked again or opened', async () => {
    const diagnosesSoFar = async (): Promise<number> => {
      await h.idle();
      const out: string[] = [];
      const io: CliIo = {
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: () => undefined },
        stdin: new PassThrough(),
        env: h.env,
      };
      expect(await runCli(['stats', '--tenant', 'acme', '--json'], io)).toBe(0);
      return (JSON.parse(out.join('')) as { diagnoses: { total: number } }).diagnoses.total;
    };
    const before = await diagnosesSoFar();
    const reply = await answeredReply('cnv_yo1kg5r');
    for (const button of [ACTION_IDS.checkAgain, ACTION_IDS.details, ACTION_IDS.customerMessage]) {
      const mark = h.slack.calls.length;
      await h.interact(buttonClick(reply, button, { responseUrl: h.slack.responseUrl() }));
      await waitFor(() => callsSince(mark).length > 0, `the answer to ${button}`);
    }
    expect((await diagnosesSoFar()) - before).toBe(1);
    // The re-runs are still in the activity log, as re-runs of that case.
    const log = await h.store.listActivity({ tenant: 'acme', limit: 10 });
    expect(log.filter((e) => e.target === 'cnv_yo1kg5r').map((e) => e.action)).toEqual([
      'diagnose.again',
      'diagnose.again',
      'diagnose.again',
      'diagnose',
    ]);
  });

  test('"Message for the customer" shows the clicker a customer-ready text: what to change, where, for whom', async () => {
    const reply = await answeredReply(ORIGINAL_REPORT);
    const mark = h.slack.calls.length;
    await h.interact(buttonClick(reply, ACTION_IDS.customerMessage, { responseUrl: h.slack.responseUrl() }));
    const ephemeral = await waitFor(() => callsSince(mark, 'chat.postEphemeral')[0], 'the customer message');
    expect(ephemeral.args).toMatchObject({ channel: CHANNEL, user: AGENT, thread_ts: reply.args.thread_ts });
    const body = text(ephemeral);
    expect(body).toContain('What to change');
    expect(body).toContain('Allow access to my individual resources via the API');
    // The teammates concerned, and the exact click path for the admin and for the teammate.
    expect(body).toContain('Bruno Keller');
    expect(body).toContain('Dmitri Ivanov');
    // The admin has Front, not front-why: the message never asks them to run it.
    expect(body).not.toMatch(/front-why/i);
    expect(body).toContain('gear icon → Company settings → Teammates');
    expect(body).toContain('gear icon → Personal tab → Preferences');
    expect(callsSince(mark, 'chat.postMessage')).toEqual([]);
  });

  test('"Details" posts the why and the live checks that decided in the thread, not the pasted facts', async () => {
    const reply = await answeredReply(ORIGINAL_REPORT);
    expect(text(reply)).not.toContain('*Why*');
    const mark = h.slack.calls.length;
    const ack = await h.interact(buttonClick(reply, ACTION_IDS.details, { responseUrl: h.slack.responseUrl() }));
    expect(ack.status).toBe(200);
    const details = await waitFor(
      () => callsSince(mark, 'chat.postMessage').find((c) => text(c).includes('*Details*')),
      'the details',
    );
    expect(details.args.thread_ts).toBe(reply.args.thread_ts);
    const shown = visibleText(details);
    expect(shown).toContain('Why\n');
    expect(shown).toContain('Front lets no API token read them');
    expect(shown).toContain('What decided it (the live checks)');
    expect(shown).toMatch(/✗ GET \/conversations\/cnv_yo1kg5q: 403 /);
    expect(shown).toMatch(/✗ private inboxes of tea_6r55b: 403 /);
    // What the agent pasted is not echoed back as if it had been checked.
    expect(shown).not.toContain('error.status');
    expect(shown).not.toContain('error.message');
    expect(text(details)).toContain('https://help.front.com/t/80d8nt');
    // The steps the first reply had no room for are here in full.
    expect(shown).toContain('Teammates invited by cloning');
    expect(text(reply)).not.toContain('Teammates invited by cloning');
  });

  test('"Details" works on another replica (and so after a restart): the button carries what it needs', async () => {
    const reply = await answeredReply('cnv_yo1kg5q');
    const replica = await startHarness({ replicaOf: h });
    try {
      const mark = h.slack.calls.length;
      const ack = await replica.interact(
        buttonClick(reply, ACTION_IDS.details, { responseUrl: h.slack.responseUrl() }),
      );
      expect(ack.status).toBe(200);
      const details = await waitFor(
        () => callsSince(mark, 'chat.postMessage').find((c) => text(c).includes('*Details*')),
        'the details from the replica',
      );
      expect(details.args.thread_ts).toBe(reply.args.thread_ts);
      expect(visibleText(details)).toContain('GET /conversations/cnv_yo1kg5q');
      await replica.idle();
    } finally {
      await replica.close();
    }
  });
});

describe('/front-why verbs', () => {
  test('help lists the commands privately', async () => {
    const mark = h.slack.calls.length;
    await h.command('help');
    const response = await waitFor(() => callsSince(mark, 'response_url')[0], 'help');
    for (const sub of ['status', 'audit', 'connect NAME', 'bind NAME', 'listen on|off', 'allow-external on|off'])
      expect(text(response)).toContain(sub);
    expect(response.args).toMatchObject({ response_type: 'ephemeral' });
  });

  test('status shows the tenant and its token health, masked', async () => {
    const mark = h.slack.calls.length;
    await h.command('status');
    const response = await waitFor(() => callsSince(mark, 'response_url')[0], 'status');
    const body = text(response);
    expect(body).toContain('*Tenant:* acme');
    expect(body).toContain('Front accepts the token');
    const token = h.sandbox.tokens.acme_private;
    expect(body).toContain(`${token.slice(0, 4)}…${token.slice(-4)}`);
    expect(h.slack.calls.some((c) => c.raw.includes(token) || JSON.stringify(c.args).includes(token))).toBe(false);
  });

  test('audit sweeps the teammates, updating a progress reply, and posts who to fix in the thread', async () => {
    const mark = h.slack.calls.length;
    await h.command('audit');
    const report = await waitFor(
      () => callsSince(mark, 'chat.postMessage').find((c) => text(c).includes('is *off* for')),
      'the audit report',
    );
    const parent = callsSince(mark, 'chat.postMessage')[0]!;
    expect(text(parent)).toContain('Auditing the teammates of *acme*');
    const progress = callsSince(mark, 'chat.postMessage')[1]!;
    expect(progress.args.thread_ts).toBeDefined();
    expect(report.args.thread_ts).toBe(progress.args.thread_ts);
    const done = await waitFor(
      () => callsSince(mark, 'chat.update').find((c) => text(c).includes('finished')),
      'the final progress edit',
    );
    expect(done.args.channel).toBe(CHANNEL);
    expect(text(report)).toContain('Bruno Keller');
    expect(text(report)).toContain('Dmitri Ivanov');
    expect(text(report)).not.toContain('Ada Moreno');
    // The audit is recorded after its report is posted: wait until the app has finished.
    await h.idle();
    const [entry] = await h.store.listActivity({ tenant: 'acme', limit: 1 });
    expect(entry).toMatchObject({ action: 'audit', actor: AGENT, cause: 'teammate_api_access_disabled' });
    // It is the tenant's latest audit: what the Home tab shows and the next scheduled run compares with.
    const stored = await h.store.getAuditResult('acme');
    expect(stored?.preferenceOff.map((t) => t.name).sort()).toEqual([
      expect.stringContaining('Bruno Keller'),
      expect.stringContaining('Dmitri Ivanov'),
    ]);
    expect(stored).toMatchObject({ tokenWorks: true, complete: true });
  });
});

describe('when front-why itself fails', () => {
  test('a bug after the parent message is reported in the thread with a reference id, and logged', async () => {
    const broken = await startHarness({
      env: { FRONT_API_TOKEN: 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJmcm9udCJ9.c2lnbmF0dXJl' },
      connect: () => {
        throw new Error('simulated bug in the Front connection');
      },
    });
    try {
      const ack = await broken.command('cnv_yo1kg5q');
      expect(ack.status).toBe(200);
      const note = await waitFor(
        () => broken.slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts),
        'the failure note',
      );
      const body = JSON.stringify(note.args);
      expect(body).toContain('I could not finish this check');
      const ref = /Reference `([0-9A-F]{6})`/.exec(body)?.[1];
      expect(ref).toBeDefined();
      const logged = broken.logs.find((line) => line.includes(`"ref":"${ref}"`));
      expect(logged).toContain('simulated bug in the Front connection');
      expect(logged).toContain('"level":50');
      expect(body).not.toContain('simulated bug');
    } finally {
      await broken.close();
    }
  });
});
