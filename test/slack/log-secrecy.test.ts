import { CHANNEL, startHarness, waitFor, type Harness } from './helpers/harness';

/** The tenant's token in every log line the app writes (trace level) while it diagnoses, and while it fails. */

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
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
  expect(logs).toContain('cnv_yo1kg5q');
  for (const secret of [token, payload, signature, h.botToken, h.secret]) expect(logs).not.toContain(secret);
});
