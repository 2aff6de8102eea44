import { createFrontClient, frontPaths } from '../../src/front';
import { NO_FAULTS, startSandbox, type Sandbox } from '../../src/sandbox';
import { testClock } from './helpers/test-clock';

/** The real client against the sandbox: a burst-limited 429 is waited out exactly as `retry-after` says. */

const clock = testClock();
let sandbox: Sandbox;

beforeAll(async () => {
  // One clock for both sides: the sandbox's burst window moves only when the client waits.
  sandbox = await startSandbox({ port: 0, clock: clock.now });
});

afterAll(async () => {
  await sandbox.close();
});

test('a 429 with retry-after is retried only after that many seconds, then answered', async () => {
  sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: 1_000, burstPerSecond: 1 });
  const client = createFrontClient({ baseUrl: sandbox.url, token: sandbox.tokens.acme_private, clock });
  try {
    const deadline = clock.now() + 10_000;
    const first = await client.get(frontPaths.conversation('cnv_yo1kg5s'), { deadline });
    expect(first).toMatchObject({ kind: 'response', status: 200 });

    const second = await client.get(frontPaths.conversation('cnv_yo1kg5s'), { deadline });
    expect(second).toMatchObject({ kind: 'response', status: 200, attempts: 2, ms: 1_000 });
    // The sandbox said `retry-after: 1` with the 429: the client waited that long, and only then asked again.
    expect(sandbox.stats().byStatus['429']).toBe(1);
    expect(clock.waits).toEqual([1_000]);
  } finally {
    await client.close();
  }
});
