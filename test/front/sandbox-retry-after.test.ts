import { createFrontClient, frontPaths } from '../../src/front';
import { NO_FAULTS, startSandbox, type Sandbox } from '../../src/sandbox';

/** The real client against the sandbox: a burst-limited 429 is waited out exactly as `retry-after` says. */

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});

afterAll(async () => {
  await sandbox.close();
});

test('a 429 with retry-after is retried only after that many seconds, then answered', async () => {
  sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: 1_000, burstPerSecond: 1 });
  const client = createFrontClient({ baseUrl: sandbox.url, token: sandbox.tokens.acme_private });
  try {
    const deadline = Date.now() + 10_000;
    const first = await client.get(frontPaths.conversation('cnv_yo1kg5s'), { deadline });
    expect(first).toMatchObject({ kind: 'response', status: 200 });

    const started = Date.now();
    const second = await client.get(frontPaths.conversation('cnv_yo1kg5s'), { deadline });
    const elapsed = Date.now() - started;
    expect(second).toMatchObject({ kind: 'response', status: 200, attempts: 2 });
    // The sandbox said `retry-after: 1` with the 429: the client waited at least that long before asking again.
    expect(sandbox.stats().byStatus['429']).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
  } finally {
    await client.close();
  }
});
