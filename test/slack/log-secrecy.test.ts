import { CHANNEL, startHarness, userMessage, waitFor, type Harness } from './helpers/harness';
import { TEAM_ID } from './helpers/slack-standin';

/**
 * Every log line the app writes (trace level, where Bolt logs what it receives) while it diagnoses, and while it
 * fails: neither the tenant's token nor a token an agent pasted by mistake shows, whole or in part. Nor does what
 * it posts to Slack, which quotes the paste.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
  await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
});

afterAll(async () => {
  await h?.close();
});

async function diagnoseAndWait(text: string): Promise<void> {
  const mark = h.slack.calls.length;
  await h.command(text);
  await waitFor(
    () => h.slack.calls.slice(mark).find((c) => c.method === 'chat.postMessage' && c.args.thread_ts !== undefined),
    'the threaded reply',
  );
  await h.idle();
}

test('a full diagnosis and a failing one log no token bytes', async () => {
  const token = h.sandbox.tokens.acme_private;
  const [, payload, signature] = token.split('.');
  await diagnoseAndWait('cnv_yo1kg5q');
  h.sandbox.setFaults({ outage: true });
  try {
    await diagnoseAndWait('cnv_yo1kg5q');
  } finally {
    h.sandbox.setFaults({ outage: false });
  }
  const logs = h.logs.join('\n');
  expect(logs.length).toBeGreaterThan(0);
  const posted = JSON.stringify(h.slack.calls.map((c) => c.args));
  expect(posted).toContain('cnv_yo1kg5q');
  for (const secret of [token, payload, signature, h.botToken, h.secret]) {
    expect(logs).not.toContain(secret);
    expect(posted).not.toContain(secret);
  }
});

test('tokens pasted in a command and in a channel message never reach the logs', async () => {
  // Another customer's real token, as curl -v shows it, and a Slack token from a config dump.
  const pasted = h.sandbox.tokens.globex_private;
  const [header, payload, signature] = pasted.split('.') as [string, string, string];
  const slackToken = 'xoxb-2024061500-7781234567-Zq8vWm3kLp0sTn4rYb6cXd2e';
  const curl = [
    '> GET /conversations/cnv_yo1kg5q HTTP/1.1',
    `> Authorization: Bearer ${pasted}`,
    '< HTTP/1.1 403 Forbidden',
    // A proxy's error that quotes the credential it was sent: the answer's buttons carry Front's message.
    `{"_error":{"status":403,"title":"Forbidden","message":"Token ${pasted} may not read cnv_yo1kg5q"}}`,
    `SLACK_BOT_TOKEN=${slackToken}`,
  ].join('\n');
  await diagnoseAndWait(curl);
  h.sandbox.setFaults({ outage: true });
  try {
    await diagnoseAndWait(`token ${pasted} fails on cnv_yo1kg5q`);
  } finally {
    h.sandbox.setFaults({ outage: false });
  }
  const mark = h.slack.calls.length;
  await h.event(userMessage(`our integration sends ${pasted} and gets 403 on cnv_yo1kg5q`));
  await waitFor(
    () => h.slack.calls.slice(mark).find((c) => c.method === 'chat.postMessage' && c.args.thread_ts !== undefined),
    'the reply to the message',
  );
  await h.idle();

  const logs = h.logs.join('\n');
  const posted = JSON.stringify(h.slack.calls.map((c) => c.args));
  // The pastes were read and quoted back: what is missing was taken out, not never there.
  expect(posted).toContain('cnv_yo1kg5q');
  expect(posted).toContain('[redacted');
  for (const secret of [pasted, `${header}.${payload}`, signature, slackToken, slackToken.slice(5)]) {
    expect(logs).not.toContain(secret);
    expect(posted).not.toContain(secret);
  }
});
