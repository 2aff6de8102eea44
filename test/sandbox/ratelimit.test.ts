import { startSandbox, type Sandbox } from '../../src/sandbox';
import { errorOf, get, manualClock } from './helpers';

const MINUTE = 60_000;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('per-minute limit per company', () => {
  it('every answer carries the plan limit, what remains and the window reset (unix seconds)', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 15, 9, 30, 12, 500));
    sandbox = await startSandbox({ port: 0, clock: clock.now });
    const reset = String(Date.UTC(2026, 0, 15, 9, 31, 0) / 1000);
    const first = await get(sandbox, '/me', { token: 'acme_private' });
    expect(first.headers).toMatchObject({
      'x-ratelimit-limit': '50',
      'x-ratelimit-remaining': '49',
      'x-ratelimit-reset': reset,
    });
    // Errors are charged and labelled too.
    const forbidden = await get(sandbox, '/conversations/cnv_yo1kg5q', { token: 'acme_private' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers).toMatchObject({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '48' });
    const globex = await get(sandbox, '/me', { token: 'globex_private' });
    expect(globex.headers).toMatchObject({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '99' });
    const unauth = await get(sandbox, '/me', { authorization: 'Bearer nope' });
    expect(unauth.status).toBe(401);
    expect(unauth.headers['x-ratelimit-limit']).toBeDefined();
  });

  it('the budget is shared by every token of a company, and a 429 names the wait in ms with retry-after in seconds', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 15, 9, 30, 0));
    sandbox = await startSandbox({ port: 0, clock: clock.now, faults: { rateLimitPerMinute: 3 } });
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
    expect((await get(sandbox, '/teams', { token: 'acme_shared_only' })).status).toBe(200);
    const last = await get(sandbox, '/me', { token: 'acme_legacy_all' });
    expect(last.headers['x-ratelimit-remaining']).toBe('0');

    clock.advance(39_659);
    const limited = await get(sandbox, '/conversations/cnv_yo1kg5s', { token: 'acme_new_style' });
    expect(limited.status).toBe(429);
    expect(errorOf(limited)).toEqual({
      status: 429,
      title: 'Too many requests',
      message: 'Rate limit exceeded. Please retry in 20341 milliseconds.',
    });
    expect(limited.headers).toMatchObject({
      'retry-after': '21',
      'x-ratelimit-limit': '3',
      'x-ratelimit-remaining': '0',
    });
    expect(limited.headers['x-front-tier']).toBeUndefined();

    // Another company is untouched.
    expect((await get(sandbox, '/me', { token: 'globex_private' })).status).toBe(200);

    clock.advance(20_341);
    const again = await get(sandbox, '/me', { token: 'acme_private' });
    expect(again.status).toBe(200);
    expect(again.headers['x-ratelimit-remaining']).toBe('2');
  });

  it("uses the plan's limit: Starter 50 per minute", async () => {
    const clock = manualClock();
    sandbox = await startSandbox({ port: 0, clock: clock.now });
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) statuses.push((await get(sandbox, '/me', { token: 'acme_private' })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses[50]).toBe(429);
    sandbox.resetRateLimits();
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
  });

  it('a limit of 0 refuses everything (the "budget spent" demo)', async () => {
    sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 0 } });
    const res = await get(sandbox, '/me', { token: 'acme_private' });
    expect(res.status).toBe(429);
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
    sandbox.setFaults({ rateLimitPerMinute: null });
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
  });
});

describe('burst limit', () => {
  it('answers 429 with x-front-tier while the minute budget still has room, per route', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 15, 9, 30, 0));
    sandbox = await startSandbox({ port: 0, clock: clock.now, faults: { burstPerSecond: 5 } });
    for (let i = 0; i < 5; i++) {
      expect((await get(sandbox, '/conversations/cnv_yo1kg5s', { token: 'acme_private' })).status).toBe(200);
      clock.advance(100);
    }
    clock.advance(159); // 659 ms after the first of the five
    const burst = await get(sandbox, '/conversations/cnv_yo1kg5r', { token: 'acme_shared_only' });
    expect(burst.status).toBe(429);
    expect(errorOf(burst)).toEqual({
      status: 429,
      title: 'Too many requests',
      message: 'Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.',
    });
    expect(burst.headers).toMatchObject({
      'x-front-tier': 'tier-2',
      'retry-after': '1',
      'x-ratelimit-remaining': '45',
    });

    // Other routes have their own burst allowance.
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
    clock.advance(341);
    expect((await get(sandbox, '/conversations/cnv_yo1kg5s', { token: 'acme_private' })).status).toBe(200);
  });

  it('is off unless set', async () => {
    sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 1000 } });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => get(sandbox as Sandbox, '/me', { token: 'acme_private' }).then((r) => r.status)),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

it('windows follow the injected clock, not the wall clock', async () => {
  const clock = manualClock(Date.UTC(2026, 0, 15, 9, 30, 0));
  sandbox = await startSandbox({ port: 0, clock: clock.now, faults: { rateLimitPerMinute: 1 } });
  expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
  expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(429);
  clock.advance(MINUTE);
  expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
});
