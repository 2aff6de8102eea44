import type { Dispatcher } from 'undici';
import { createFrontClient, createRateBudget, frontPaths, parseRateLimit, type RateBudget } from '../../src/front';
import { json, rateLimitHeaders, useStubFront, type StubServer } from './helpers/stub-server';
import { testClock } from './helpers/test-clock';

describe('parseRateLimit', () => {
  const now = Date.UTC(2026, 0, 1);

  test('reads Front headers', () => {
    expect(
      parseRateLimit(
        {
          'x-ratelimit-limit': '100',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '1767225660',
          'retry-after': '12',
        },
        429,
        now,
      ),
    ).toEqual({
      limit: 100,
      remaining: 0,
      reset: 1767225660,
      retryAfterSec: 12,
      burst: false,
    });
  });

  test('burst: x-front-tier present, or requests remaining; only said on a 429', () => {
    expect(parseRateLimit({ 'x-front-tier': 'tier-2', 'x-ratelimit-remaining': '0' }, 429, now)).toMatchObject({
      tier: 'tier-2',
      burst: true,
    });
    expect(parseRateLimit({ 'x-ratelimit-remaining': '3' }, 429, now)).toMatchObject({ burst: true });
    expect(parseRateLimit({ 'x-ratelimit-remaining': '3' }, 200, now)).not.toHaveProperty('burst');
  });

  test('retry-after as an HTTP date becomes seconds from now', () => {
    expect(parseRateLimit({ 'retry-after': new Date(now + 30_000).toUTCString() }, 429, now).retryAfterSec).toBe(30);
  });

  test('malformed values are left out, never guessed', () => {
    expect(
      parseRateLimit(
        { 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': '-1', 'retry-after': 'soon', 'x-ratelimit-reset': '' },
        429,
        now,
      ),
    ).toEqual({ burst: false });
  });
});

describe('createRateBudget', () => {
  const at = (ms: number) => ({ now: () => ms });

  test('with nothing known, requests go through', () => {
    const budget = createRateBudget({ reserve: 5 });
    expect(budget.acquire().ok).toBe(true);
  });

  test('keeps the last `reserve` requests: remaining 6 allows one, 5 allows none', () => {
    const budget = createRateBudget({ reserve: 5, clock: at(1_000_000) });
    budget.observe({ remaining: 6, reset: 1_030 });
    const ticket = budget.acquire();
    expect(ticket.ok).toBe(true);
    expect(budget.acquire()).toEqual({
      ok: false,
      exhausted: true,
      message: expect.stringContaining('leaves the last 5'),
    });
    if (ticket.ok) ticket.release({ remaining: 5, reset: 1_030 });
    const refused = budget.acquire();
    expect(refused).toEqual({
      ok: false,
      exhausted: true,
      message:
        "not sent: Front reports 5 requests left for this company for about 30 s, and front-why leaves the last 5 to the customer's own integrations",
    });
  });

  test('requests in flight count, so parallel probes cannot spend the reserve together', () => {
    const budget = createRateBudget({ reserve: 5, clock: at(0) });
    budget.observe({ remaining: 8, reset: 60 });
    const granted = [budget.acquire(), budget.acquire(), budget.acquire(), budget.acquire()].map((d) => d.ok);
    expect(granted).toEqual([true, true, true, false]);
    expect(budget.snapshot()).toEqual({ remaining: 8, resetsAt: 60_000, inFlight: 3, reserve: 5 });
  });

  test('after the reset time, the old count no longer applies', () => {
    let now = 0;
    const budget = createRateBudget({ reserve: 5, clock: { now: () => now } });
    budget.observe({ remaining: 0, reset: 10 });
    expect(budget.acquire().ok).toBe(false);
    now = 10_000;
    expect(budget.acquire().ok).toBe(true);
  });

  test('out-of-order responses: the smallest count in a window wins, an older window is ignored', () => {
    const budget = createRateBudget({ reserve: 0, clock: at(0) });
    budget.observe({ remaining: 20, reset: 60 });
    budget.observe({ remaining: 30, reset: 60 });
    expect(budget.snapshot().remaining).toBe(20);
    budget.observe({ remaining: 50, reset: 120 });
    budget.observe({ remaining: 1, reset: 60 });
    expect(budget.snapshot().remaining).toBe(50);
  });

  test("a per-minute 429's retry-after, not its reset, says when requests may go again", () => {
    let now = 0;
    const budget = createRateBudget({ reserve: 5, clock: { now: () => now } });
    budget.observe({ limit: 50, remaining: 0, reset: 60, retryAfterSec: 2, burst: false });
    expect(budget.acquire()).toEqual({
      ok: false,
      exhausted: true,
      retryAt: 2_000,
      message:
        "not sent: Front's per-minute rate limit for this company is used up, and Front asked (retry-after) for no request in the next 2 s",
    });
    // An answer to a request sent before the 429 arrives during the pause: its count ends with the pause.
    budget.observe({ remaining: 3, reset: 60 });
    now = 2_000;
    expect(budget.snapshot()).toEqual({ inFlight: 0, reserve: 5 });
    const ticket = budget.acquire();
    expect(ticket.ok).toBe(true);
    // The customer's reserve still holds once Front reports counts again.
    if (ticket.ok) ticket.release({ remaining: 5, reset: 62 });
    expect(budget.acquire()).toMatchObject({ ok: false, message: expect.stringContaining('leaves the last 5') });
  });

  test('a burst 429 holds back only its own request: the company count it carries is used as usual', () => {
    const budget = createRateBudget({ reserve: 5, clock: at(0) });
    budget.observe({ remaining: 40, reset: 60, retryAfterSec: 1, tier: 'tier-2', burst: true });
    expect(budget.acquire().ok).toBe(true);
    expect(budget.snapshot()).toMatchObject({ remaining: 40, inFlight: 1 });
  });

  test('forDiagnosis caps one diagnosis and shares the tenant state', () => {
    const tenant = createRateBudget({ reserve: 5, maxPerDiagnosis: 2, clock: at(0) });
    const diagnosis = tenant.forDiagnosis();
    expect([diagnosis.acquire().ok, diagnosis.acquire().ok]).toEqual([true, true]);
    expect(diagnosis.acquire()).toEqual({
      ok: false,
      exhausted: false,
      message: 'not sent: this diagnosis already made 2 Front requests, its limit',
    });
    expect(diagnosis.used()).toBe(2);
    expect(tenant.forDiagnosis().acquire().ok).toBe(true);
    tenant.observe({ remaining: 5, reset: 60 });
    expect(tenant.forDiagnosis(10).acquire().ok).toBe(false);
  });
});

describe('budget with the client, over HTTP', () => {
  let server: StubServer;
  let dispatcher: Dispatcher;
  useStubFront((s, d) => {
    server = s;
    dispatcher = d;
  });
  const client = (budget: RateBudget, token = 'tenant-token-0001') =>
    createFrontClient({ baseUrl: server.url, token, dispatcher, budget });
  const deadline = () => Date.now() + 3000;

  test('refuses without sending once the remaining count reaches the reserve, across clients of one tenant', async () => {
    server.on(
      '/me',
      json(200, {}, rateLimitHeaders(50, 7)),
      json(200, {}, rateLimitHeaders(50, 6)),
      json(200, {}, rateLimitHeaders(50, 5)),
    );
    const tenant = createRateBudget({ reserve: 5 });
    const a = client(tenant);
    const b = client(tenant, 'tenant-token-0002');
    expect((await a.get(frontPaths.me(), { deadline: deadline() })).kind).toBe('response');
    expect((await b.get(frontPaths.me(), { deadline: deadline() })).kind).toBe('response');
    expect((await a.get(frontPaths.me(), { deadline: deadline() })).kind).toBe('response');
    expect(server.hitCount()).toBe(3);

    const refused = await b.get(frontPaths.conversation('cnv_1'), { deadline: deadline() });
    expect(refused).toMatchObject({ kind: 'unreachable', reason: 'budget', attempts: 0 });
    expect(refused.kind === 'unreachable' && refused.message).toMatch(
      /^GET \/conversations\/cnv_1 not sent: Front reports 5 requests left/,
    );
    expect(server.hitCount()).toBe(3);
    server.assertAllUsed();
  });

  test('a per-minute 429 (none remaining, reset in a minute) with retry-after 1: waited out, retried, answered', async () => {
    const clock = testClock();
    const at = clock.now();
    server
      .on(
        '/teams',
        json(
          429,
          { _error: { status: 429, title: 'Too many requests' } },
          { 'retry-after': '1', ...rateLimitHeaders(50, 0, 60, at) },
        ),
      )
      .on('/teams', json(200, { _results: [] }, rateLimitHeaders(50, 49, 60, at + 1_000)))
      .on('/me', json(200, {}, rateLimitHeaders(50, 48, 60, at + 1_000)));
    const tenant = createRateBudget({ clock });
    const c = createFrontClient({ baseUrl: server.url, token: 'tenant-token-0001', dispatcher, budget: tenant, clock });
    expect(await c.get(frontPaths.teams(), { deadline: at + 5_000 })).toMatchObject({
      kind: 'response',
      status: 200,
      attempts: 2,
      ms: 1_000,
    });
    expect(clock.waits).toEqual([1_000]);
    // Front's fresh count, not the 429's "0 until the reset", decides the next request.
    expect(await c.get(frontPaths.me(), { deadline: clock.now() + 5_000 })).toMatchObject({
      kind: 'response',
      status: 200,
    });
    server.assertAllUsed();
  });

  test("another request of the tenant during a 429's pause waits for it, then goes", async () => {
    const clock = testClock();
    const at = clock.now();
    server
      .on('/teams', json(429, {}, { 'retry-after': '2', ...rateLimitHeaders(50, 0, 60, at) }))
      .on('/me', json(200, {}, rateLimitHeaders(50, 49, 60, at + 2_000)));
    const tenant = createRateBudget({ clock });
    const c = createFrontClient({ baseUrl: server.url, token: 'tenant-token-0001', dispatcher, budget: tenant, clock });
    expect(await c.get(frontPaths.teams(), { deadline: at + 1_500 })).toMatchObject({
      kind: 'unreachable',
      reason: 'rate_limited',
    });
    expect(await c.get(frontPaths.me(), { deadline: at + 5_000 })).toMatchObject({
      kind: 'response',
      status: 200,
      attempts: 1,
      ms: 2_000,
    });
    expect(clock.waits).toEqual([2_000]);
    server.assertAllUsed();
  });

  test('a 429 per-minute response fills the budget, so the next call is not sent', async () => {
    server.on(
      '/teams',
      json(
        429,
        { _error: { status: 429, title: 'Too many requests' } },
        { 'retry-after': '50', ...rateLimitHeaders(50, 0, 50) },
      ),
    );
    const tenant = createRateBudget();
    const c = client(tenant);
    expect(await c.get(frontPaths.teams(), { deadline: deadline() })).toMatchObject({ reason: 'rate_limited' });
    expect(await c.get(frontPaths.teams(), { deadline: deadline() })).toMatchObject({ reason: 'budget', attempts: 0 });
    expect(server.hitCount()).toBe(1);
    server.assertAllUsed();
  });
});
