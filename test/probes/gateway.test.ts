import { createFrontClient, frontPaths, type FrontClient } from '../../src/front';
import { createFrontGateway } from '../../src/probes/gateway';
import { NO_FAULTS, startSandbox, type Sandbox } from '../../src/sandbox';

/**
 * A tenant's gateway to Front, over real HTTP against the sandbox: identical calls share one request, answers are
 * reused for their time, and an answer past its time is let go once another is kept, so a company's teammate
 * answers (an audit reads all 200 of Initech's) do not stay for the life of the process.
 */

const TTL_MS = 60_000;
let sandbox: Sandbox;
let client: FrontClient;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  client = createFrontClient({ baseUrl: sandbox.url, token: sandbox.tokens.initech_private, requestTimeoutMs: 2_000 });
});

afterAll(async () => {
  await client?.close();
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.setFaults({ ...NO_FAULTS });
  sandbox.resetRateLimits();
  sandbox.resetStats();
});

const deadline = () => Date.now() + 5_000;

test('identical calls at once send one request; an answer is reused for its time, then asked again', async () => {
  let now = 1_000_000;
  const gateway = createFrontGateway(client, { ttlMs: TTL_MS, clock: () => now });
  const [a, b] = await Promise.all([
    gateway.get(frontPaths.teammates(), { deadline: deadline() }),
    gateway.get(frontPaths.teammates(), { deadline: deadline() }),
  ]);
  expect(a.result).toBe(b.result);
  expect([a.shared, b.shared].sort()).toEqual([false, true]);
  now += TTL_MS - 1;
  expect((await gateway.get(frontPaths.teammates(), { deadline: deadline() })).shared).toBe(true);
  now += 1;
  expect((await gateway.get(frontPaths.teammates(), { deadline: deadline() })).shared).toBe(false);
  expect(sandbox.stats().byPath['/teammates']).toBe(2);
});

test("a sweep's 200 teammate answers are let go once they expire and another answer is kept", async () => {
  let now = 1_000_000;
  const gateway = createFrontGateway(client, { ttlMs: TTL_MS, clock: () => now });
  // Initech's plan allows 50 a minute; an audit spreads its reads over minutes, this test does not wait.
  sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: 100_000 });
  const list = (await gateway.get(frontPaths.teammates(), { deadline: deadline() })).result;
  const teammates = (list.kind === 'response' ? (list.body as { _results: { id: string }[] })._results : []).map(
    (t) => t.id,
  );
  expect(teammates).toHaveLength(200);
  for (const id of teammates) await gateway.get(frontPaths.teammatePrivateInboxes(id), { deadline: deadline() });
  expect(gateway.kept()).toBe(201);

  now += TTL_MS;
  await gateway.get(frontPaths.me(), { deadline: deadline() });
  expect(gateway.kept()).toBe(1);
});

test('an answer asked again is kept from its new time: it outlives answers kept before it', async () => {
  let now = 1_000_000;
  const gateway = createFrontGateway(client, { ttlMs: TTL_MS, clock: () => now });
  await gateway.get(frontPaths.teammates(), { deadline: deadline() });
  now += 10;
  await gateway.get(frontPaths.me(), { deadline: deadline() });
  now += TTL_MS - 5;
  await gateway.get(frontPaths.teammates(), { deadline: deadline(), fresh: true });
  now += 10;
  // /me is past its time; /teammates, asked again 15 ms ago, is not.
  await gateway.get(frontPaths.teams(), { deadline: deadline() });
  expect(gateway.kept()).toBe(2);
  expect((await gateway.get(frontPaths.teammates(), { deadline: deadline() })).shared).toBe(true);
});

test("Front's 5xx is not kept: the next call asks again", async () => {
  const gateway = createFrontGateway(client, { ttlMs: TTL_MS });
  sandbox.setFaults({ ...NO_FAULTS, outage: true });
  const down = await gateway.get(frontPaths.me(), { deadline: deadline() });
  expect(down.result.kind === 'response' && down.result.status === 200).toBe(false);
  expect(gateway.kept()).toBe(0);
  sandbox.setFaults({ ...NO_FAULTS });
  const up = await gateway.get(frontPaths.me(), { deadline: deadline() });
  expect(up.shared).toBe(false);
  expect(up.result.kind === 'response' && up.result.status).toBe(200);
});
