import { frontPaths, type FrontResult } from '../../src/front';
import type { FrontGateway } from '../../src/probes';
import { CheckShare, waitText } from '../../src/slack/checks/check-share';

/**
 * The share's arithmetic, with Front's side played by a gateway that answers at once and counts what it was asked
 * (the running app and the sandbox are in check-share.test.ts): how replicas divide the share, what a cached answer
 * costs, and how an audit paces itself instead of being refused.
 */

const MINUTE = 60_000;
const starter = { snapshot: () => ({ limit: 50, inFlight: 0, reserve: 5 }) };

function front(shared = false): FrontGateway & { asked: number } {
  const answer: FrontResult = {
    kind: 'response',
    status: 200,
    body: {},
    rateLimit: { limit: 50, remaining: 40 },
    ms: 1,
    attempts: 1,
  };
  const gateway = {
    asked: 0,
    async get() {
      gateway.asked += 1;
      return { result: answer, shared };
    },
  };
  return gateway;
}

function share(replicas: number, start = 10 * MINUTE + 5_000) {
  let now = start;
  const sleeps: number[] = [];
  const s = new CheckShare({
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      // A turn of the event loop, as a real sleep gives: answers in flight arrive meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
    },
    percent: 40,
    replicas: () => replicas,
  });
  return { s, sleeps, advance: (ms: number) => (now += ms) };
}

async function oneRequestCheck(s: CheckShare, gateway: FrontGateway): Promise<'ran' | string> {
  const started = s.startCheck('acme', 'acme', starter);
  if (!started.ok) return waitText(started.wait);
  try {
    await started.ticket.gateway(gateway).get(frontPaths.me(), { deadline: Number.MAX_SAFE_INTEGER });
  } finally {
    started.ticket.finish();
  }
  return 'ran';
}

test('with two replicas each keeps half of the share: 10 of the 50 a minute here, then the agent is told to wait', async () => {
  const { s } = share(2);
  const gateway = front();
  const results: string[] = [];
  for (let i = 0; i < 15; i++) results.push(await oneRequestCheck(s, gateway));
  expect(results.filter((r) => r === 'ran')).toHaveLength(10);
  expect(gateway.asked).toBe(10);
  expect(results[10]).toBe(
    "Not checked: try again in 55 s. front-why's checks may send 10 of the 50 requests a minute Front allows acme on this replica (40%, shared by 2 replicas) and have sent them this minute; the rest is left to acme's own integrations.",
  );
});

test('an answer from the cache costs no share: thirty checks answered from it all run', async () => {
  const { s } = share(1);
  const results: string[] = [];
  for (let i = 0; i < 30; i++) results.push(await oneRequestCheck(s, front(true)));
  expect(results.every((r) => r === 'ran')).toBe(true);
});

test('a check the share runs out under is cut short, not answered from half its checks', async () => {
  const { s } = share(1);
  const gateway = front();
  const started = s.startCheck('acme', 'acme', starter);
  if (!started.ok) throw new Error('the first check must start');
  const live = started.ticket.gateway(gateway);
  // The check's deadline ends before the minute does, so a request past the share is not sent.
  const deadline = 10 * MINUTE + 10_000;
  const answers = [];
  for (let i = 0; i < 25; i++) answers.push((await live.get(frontPaths.me(), { deadline })).result);
  started.ticket.finish();
  expect(gateway.asked).toBe(20);
  expect(answers.filter((a) => a.kind === 'unreachable' && a.reason === 'budget')).toHaveLength(5);
  expect(started.ticket.cutShort()).toMatchObject({ cap: 20, limit: 50 });
});

test('an audit by hand is never refused: past half the share it waits for the next minute, then goes on', async () => {
  const { s, sleeps } = share(1);
  const gateway = front();
  const ticket = s.startAudit('acme', 'acme', starter);
  const live = ticket.gateway(gateway);
  for (let i = 0; i < 15; i++) await live.get(frontPaths.me(), { deadline: 20 * MINUTE });
  ticket.finish();
  expect(gateway.asked).toBe(15);
  // Half of 20 in the first minute, then one wait of the 55 s left of it.
  expect(sleeps).toEqual([55_000]);
  // Checks still find room meanwhile: the audit left them the other half.
  expect(await oneRequestCheck(s, gateway)).toBe('ran');
});

test("until Front's headers tell the plan, a request past Starter's share waits for one in flight to tell it", async () => {
  const { s } = share(2);
  let limit: number | undefined;
  const unknownPlan = { snapshot: () => ({ ...(limit !== undefined ? { limit } : {}), inFlight: 0, reserve: 5 }) };
  let asked = 0;
  // Front on Professional-and-up: the first answers say 1000 a minute.
  const gateway: FrontGateway = {
    async get() {
      asked += 1;
      await new Promise((resolve) => setImmediate(resolve));
      limit = 1000;
      return {
        result: { kind: 'response', status: 200, body: {}, rateLimit: { limit }, ms: 1, attempts: 1 },
        shared: false,
      };
    },
  };
  const started = s.startCheck('globex', 'globex', unknownPlan);
  if (!started.ok) throw new Error('the first check must start');
  const live = started.ticket.gateway(gateway);
  // Fifteen probes at once: Starter's share on one of two replicas would be 10.
  const deadline = 10 * MINUTE + 10_000;
  const answers = await Promise.all(Array.from({ length: 15 }, () => live.get(frontPaths.me(), { deadline })));
  started.ticket.finish();
  expect(asked).toBe(15);
  expect(answers.every((a) => a.result.kind === 'response')).toBe(true);
  expect(started.ticket.cutShort()).toBeUndefined();
});
