import { ACTION_IDS } from '../../src/slack/render/blocks';
import { CONNECT_CALLBACK_ID, TOKEN_BLOCK_ID } from '../../src/slack/render/connect-view';
import {
  buttonClick,
  CHANNEL,
  commandPayload,
  eventEnvelope,
  newConnectionError,
  startHarness,
  userMessage,
  waitFor,
  type Harness,
} from './helpers/harness';
import { TEAM_ID, type RecordedCall } from './helpers/slack-standin';

/**
 * Graceful shutdown in-process (`app.stop()`, what SIGTERM calls): nothing new starts, each kind of request gets
 * what Slack handles best, checks already running still answer, and the grace period bounds the wait.
 * test/ops/serve-process.test.ts does the same through real signals to a `front-why serve` process.
 */

const PASTE =
  'Our integration gets this: {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

function text(call: RecordedCall): string {
  return JSON.stringify(call.args);
}

function since(harness: Harness, mark: number, method: string): RecordedCall[] {
  return harness.slack.calls.slice(mark).filter((c) => c.method === method);
}

/** The threaded answer since `mark` (the reply that names a cause). */
function answerSince(harness: Harness, mark: number): RecordedCall | undefined {
  return since(harness, mark, 'chat.postMessage').find((c) => c.args.thread_ts && text(c).includes('*Cause:*'));
}

async function bound(harness: Harness): Promise<void> {
  await harness.bindTenant('acme', harness.sandbox.tokens.acme_private, CHANNEL);
  await harness.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
}

describe('HTTP mode', () => {
  test('a check in flight still gets its threaded reply; new commands, events and clicks are refused the way Slack handles best', async () => {
    const app = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
    h = app;
    await bound(app);

    // A finished answer first, for a button to click during the shutdown.
    const first = app.slack.calls.length;
    await app.command('cnv_yo1kg5r');
    const withButtons = await waitFor(() => answerSince(app, first), 'the first answer');

    app.sandbox.setFaults({ latencyMs: 500 });
    app.sandbox.resetStats();
    const mark = app.slack.calls.length;
    await app.command('cnv_yo1kg5q');
    await waitFor(() => app.sandbox.stats().total > 0, 'the check to be asking Front');
    expect(answerSince(app, mark)).toBeUndefined();

    const stopped = app.app.stop();
    let stopDone = false;
    void stopped.then(() => (stopDone = true));

    // Load balancers and orchestrators see it at once.
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false });

    // A new command: a 200 with a private "restarting" that repeats what was typed; no check starts.
    const refused = await app.command('cnv_yo1kg5t');
    expect(refused.status).toBe(200);
    const body = JSON.parse(refused.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('front-why is restarting');
    expect(refused.body).toContain('/front-why cnv_yo1kg5t');

    // A new event: 503, so Slack delivers it again later; it is not claimed, so that delivery gets its answer.
    const message = userMessage(PASTE);
    const event = await app.event(message, { eventId: 'Ev0DURINGSTOP' });
    expect(event.status).toBe(503);

    // A click: acknowledged, and a private note through its response_url.
    const responseUrl = app.slack.responseUrl();
    const click = await app.interact(buttonClick(withButtons, ACTION_IDS.checkAgain, { responseUrl }));
    expect(click.status).toBe(200);
    const note = await waitFor(
      () => since(app, mark, 'response_url').find((c) => text(c).includes('Click the button again')),
      'the note for the click',
    );
    expect(note.args).toMatchObject({ response_type: 'ephemeral', replace_original: false });

    // The check that was running finishes and answers in its thread before the app stops.
    const answer = await waitFor(() => answerSince(app, mark), 'the in-flight answer', 15_000);
    expect(text(answer)).toContain('teammate_api_access_disabled');
    await stopped;
    expect(stopDone).toBe(true);

    // Nothing was started for the refused command, event or click: one parent message, one answer thread.
    const parents = since(app, mark, 'chat.postMessage').filter((c) => !c.args.thread_ts);
    expect(parents.map((c) => c.args.text)).toEqual([':mag: Checking `cnv_yo1kg5q` for *acme*…']);
    expect(since(app, mark, 'chat.postMessage').some((c) => c.args.thread_ts === message.ts)).toBe(false);
    expect(await app.store.claimEvent('event:Ev0DURINGSTOP', 60)).toBe(true);
    const [entry] = await app.store.listActivity({ limit: 1 });
    expect(entry).toMatchObject({ action: 'diagnose', target: 'cnv_yo1kg5q', cause: 'teammate_api_access_disabled' });

    expect(
      app.logs.some(
        (l) => l.includes('"msg":"request refused while stopping"') && l.includes('"kind":"event_callback"'),
      ),
    ).toBe(true);
    // Stopped listening once done.
    expect(await newConnectionError(app.url)).toBe('ECONNREFUSED');
  });

  test('the connect form submitted during a shutdown stays open with a note, and nothing is stored', async () => {
    const app = await startHarness();
    h = app;
    await bound(app);
    app.sandbox.setFaults({ latencyMs: 400 });
    app.sandbox.resetStats();
    await app.command('cnv_yo1kg5q');
    await waitFor(() => app.sandbox.stats().total > 0, 'the check to be asking Front');
    const stopped = app.app.stop();
    const reply = await app.interact({
      type: 'view_submission',
      team: { id: TEAM_ID, domain: 'front-why-test' },
      user: { id: 'U0ADMIN', username: 'admin', name: 'admin', team_id: TEAM_ID },
      api_app_id: 'A0FRONTWHY',
      token: 'legacy-verification-token',
      trigger_id: 't',
      view: {
        id: 'V0X',
        team_id: TEAM_ID,
        type: 'modal',
        callback_id: CONNECT_CALLBACK_ID,
        private_metadata: '{}',
        hash: 'h',
        state: { values: {} },
      },
      response_urls: [],
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({
      response_action: 'errors',
      errors: { [TOKEN_BLOCK_ID]: expect.stringContaining('restarting: nothing was stored') },
    });
    await stopped;
    expect((await app.store.listTenants()).map((t) => t.name)).toEqual(['acme']);
  });

  test('past the grace period, a check still waiting on Front is cut short and still answers', async () => {
    const app = await startHarness({
      env: { FRONT_WHY_SHUTDOWN_GRACE_MS: '300', FRONT_WHY_TIMEOUT_MS: '60000', FRONT_WHY_REQUEST_TIMEOUT_MS: '60000' },
    });
    h = app;
    await bound(app);
    app.sandbox.setFaults({ hang: true });
    app.sandbox.resetStats();
    const mark = app.slack.calls.length;
    await app.command('cnv_yo1kg5q');
    await waitFor(() => app.sandbox.stats().total > 0, 'the check to be asking Front');

    // Front's deadline (60 s) is past the test's own time limit: stop() returns in time only if the grace
    // period cut the check short.
    await app.app.stop();
    const answer = answerSince(app, mark);
    expect(answer).toBeDefined();
    expect(text(answer as RecordedCall)).toContain('could not check');
    expect(app.logs.some((l) => l.includes('checks still running after the grace period'))).toBe(true);
    const [entry] = await app.store.listActivity({ limit: 1 });
    expect(entry).toMatchObject({ action: 'diagnose', target: 'cnv_yo1kg5q' });
  });

  test('stop() with nothing running returns promptly, and a second call shares the first', async () => {
    const app = await startHarness();
    h = app;
    const first = app.app.stop();
    const second = app.app.stop();
    await Promise.all([first, second]);
    expect(app.logs.filter((l) => l.includes('"msg":"slack app stopped"'))).toHaveLength(1);
  });
});

describe('Socket Mode', () => {
  test('a check in flight still answers; a new command gets the polite refusal in its ack; a new event is left unacknowledged for Slack to redeliver', async () => {
    const app = await startHarness({ socket: true, sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
    h = app;
    await app.slack.socketConnected();
    await bound(app);
    app.sandbox.setFaults({ latencyMs: 500 });
    app.sandbox.resetStats();
    const mark = app.slack.calls.length;
    await app.slack.sendEnvelope('slash_commands', commandPayload('cnv_yo1kg5q', app.slack.responseUrl()));
    await waitFor(() => app.sandbox.stats().total > 0, 'the check to be asking Front');

    const stopped = app.app.stop();
    expect((await fetch(`${app.url}/healthz`)).status).toBe(503);

    const ack = await app.slack.sendEnvelope('slash_commands', commandPayload('cnv_yo1kg5t', app.slack.responseUrl()));
    expect(ack.payload).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('front-why is restarting'),
    });
    await expect(app.slack.sendEnvelope('events_api', eventEnvelope(userMessage(PASTE)), 1_000)).rejects.toThrow(
      /no ack/,
    );

    // stop() resolves once every check it let finish has posted: anything more would already be recorded.
    await stopped;
    const answer = answerSince(app, mark);
    expect(answer).toBeDefined();
    expect(text(answer as RecordedCall)).toContain('teammate_api_access_disabled');
    const parents = since(app, mark, 'chat.postMessage').filter((c) => !c.args.thread_ts);
    expect(parents).toHaveLength(1);
  });
});
