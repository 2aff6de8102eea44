import type { Dispatcher } from 'undici';
import { createFrontClient, frontPaths, type FrontClientOptions, type FrontResult } from '../../src/front';
import {
  frontError,
  hang,
  html,
  json,
  rateLimitHeaders,
  resetConnection,
  useStubFront,
  type Responder,
  type StubServer,
} from './helpers/stub-server';
import { testClock, until, type TestClock } from './helpers/test-clock';

const TOKEN = 'test-token-abc.def.ghi';
const NOT_ALLOWED = 'This agent is not allowed to read the "conversation" with ID: "cnv_1"';

let server: StubServer;
let dispatcher: Dispatcher;

useStubFront((s, d) => {
  server = s;
  dispatcher = d;
});

function client(extra: Partial<FrontClientOptions> = {}) {
  return createFrontClient({
    baseUrl: server.url,
    token: TOKEN,
    dispatcher,
    random: () => 0,
    retryBaseDelayMs: 20,
    ...extra,
  });
}

const inSeconds = (s: number) => Date.now() + s * 1000;

function asResponse(result: FrontResult) {
  if (result.kind !== 'response') throw new Error(`expected a response, got ${JSON.stringify(result)}`);
  return result;
}

function asUnreachable(result: FrontResult) {
  if (result.kind !== 'unreachable') throw new Error(`expected unreachable, got ${JSON.stringify(result)}`);
  return result;
}

test('200: parses the body, sends the bearer token, keeps the rate-limit headers', async () => {
  server.on('/me', json(200, { id: 'cmp_1', name: 'Planet Express' }, rateLimitHeaders(50, 47, 30)));
  const result = asResponse(await client().get(frontPaths.me(), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ status: 200, body: { id: 'cmp_1', name: 'Planet Express' }, attempts: 1 });
  expect(result.rateLimit).toMatchObject({ limit: 50, remaining: 47 });
  expect(result.rateLimit.reset).toBeGreaterThan(Date.now() / 1000);
  expect(result.rateLimit.burst).toBeUndefined();
  expect(result.error).toBeUndefined();
  expect(server.hits[0]?.authorization).toBe(`Bearer ${TOKEN}`);
  server.assertAllUsed();
});

test('a base URL with a path prefix is kept in front of every path', async () => {
  server.on('/front/teams', json(200, { _results: [] }));
  const result = asResponse(
    await client({ baseUrl: `${server.url}/front/` }).get(frontPaths.teams(), { deadline: inSeconds(5) }),
  );
  expect(result.status).toBe(200);
  server.assertAllUsed();
});

test.each([
  [401, 'Unauthenticated', 'JSON Web Token error'],
  [403, 'Forbidden', NOT_ALLOWED],
  [403, 'Forbidden', 'You do not have access to the resources of this teammate'],
  [404, 'Not found', 'Unknown conversation ID cnv_1'],
])('%i is an answer: returned once, not retried, with the _error envelope parsed', async (status, title, message) => {
  server.on('/conversations/cnv_1', frontError(status, title, message, rateLimitHeaders(50, 40)));
  const result = asResponse(await client().get(frontPaths.conversation('cnv_1'), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ status, attempts: 1, error: { status, title, message } });
  expect(result.body).toEqual({ _error: { status, title, message } });
  expect(server.hitCount()).toBe(1);
  server.assertAllUsed();
});

test('an envelope with only some fields, or a plain-text 401, still gives what is there', async () => {
  server
    .on('/conversations/cnv_2', json(404, { _error: { status: 404, title: 'Not found' } }))
    .on('/me', (_req, res) => res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized'));
  const notFound = asResponse(await client().get(frontPaths.conversation('cnv_2'), { deadline: inSeconds(5) }));
  expect(notFound.error).toEqual({ status: 404, title: 'Not found' });
  const text = asResponse(await client().get(frontPaths.me(), { deadline: inSeconds(5) }));
  expect(text).toMatchObject({ status: 401, body: 'Unauthorized', error: { message: 'Unauthorized' } });
  server.assertAllUsed();
});

test('5xx is retried, then the success is returned with the attempt count', async () => {
  server.on(
    '/teammates',
    json(503, { _error: { status: 503 } }),
    json(500, {}),
    json(200, { _results: [{ id: 'tea_1' }] }),
  );
  const result = asResponse(await client().get(frontPaths.teammates(), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ status: 200, attempts: 3, body: { _results: [{ id: 'tea_1' }] } });
  server.assertAllUsed();
});

/** Answers after `ms` of the test clock's time: the clock moves, then the responder answers. */
function takes(clock: TestClock, ms: number, responder: Responder, answeredAt: number[] = []): Responder {
  return (req, res) => {
    clock.advance(ms);
    answeredAt.push(clock.now());
    responder(req, res);
  };
}

test('backoff is exponential with jitter from the injected random, timed by the injected clock', async () => {
  server.on('/me', json(503, {}), json(500, {}), json(503, {}), json(200, {}));
  const clock = testClock();
  const result = await client({ clock, random: () => 0.5, retryBaseDelayMs: 100, maxAttempts: 4 }).get(
    frontPaths.me(),
    { deadline: clock.now() + 10_000 },
  );
  expect(result).toMatchObject({ kind: 'response', status: 200, attempts: 4, ms: 75 + 150 + 300 });
  // ceiling 100, 200, 400 ms; half fixed, half scaled by random().
  expect(clock.waits).toEqual([75, 150, 300]);
  server.assertAllUsed();
});

test('a reset connection is retried', async () => {
  server.on('/me', resetConnection, json(200, { id: 'cmp_1' }));
  const result = asResponse(await client().get(frontPaths.me(), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ status: 200, attempts: 2 });
  server.assertAllUsed();
});

test('resets on every attempt end as network, after maxAttempts', async () => {
  server.on('/me', resetConnection, resetConnection, resetConnection);
  const result = asUnreachable(await client().get(frontPaths.me(), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ reason: 'network', attempts: 3 });
  expect(result.message).toMatch(/could not reach Front at http:\/\/127\.0\.0\.1:\d+ after 3 attempts/);
  server.assertAllUsed();
});

test('a refused connection is this host not connecting (connect), retried, never a bad token', async () => {
  const closedPort = server.port;
  await server.close();
  const result = asUnreachable(
    await createFrontClient({
      baseUrl: `http://127.0.0.1:${closedPort}`,
      token: TOKEN,
      dispatcher,
      random: () => 0,
      retryBaseDelayMs: 10,
    }).get(frontPaths.me(), {
      deadline: inSeconds(5),
    }),
  );
  expect(result.message).toContain('ECONNREFUSED');
  expect(result).toMatchObject({ reason: 'connect', attempts: 3 });
});

test('a host name that does not resolve is connect, not retried', async () => {
  const result = asUnreachable(
    await createFrontClient({
      // .invalid never resolves (RFC 6761).
      baseUrl: 'https://front-why-test.invalid',
      token: TOKEN,
      dispatcher,
      random: () => 0,
      retryBaseDelayMs: 10,
    }).get(frontPaths.me(), { deadline: inSeconds(5) }),
  );
  expect(result.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
  expect(result.reason).toBe('connect');
});

test('a TLS failure (https to a server that speaks plain http) is connect, not Front being down', async () => {
  server.on('/me', json(200, { id: 'cmp_1' }));
  const result = asUnreachable(
    await createFrontClient({
      baseUrl: server.url.replace('http://', 'https://'),
      token: TOKEN,
      dispatcher,
      random: () => 0,
      retryBaseDelayMs: 10,
    }).get(frontPaths.me(), { deadline: inSeconds(5) }),
  );
  expect(result.reason).toBe('connect');
  expect(result.attempts).toBe(1);
});

test('an HTML 502 page from the edge is a 5xx: retried, and summarised without the HTML', async () => {
  const page =
    '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
  server.on('/conversations/cnv_1', html(502, page), html(502, page), html(502, page));
  const result = asUnreachable(await client().get(frontPaths.conversation('cnv_1'), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ reason: 'server_error', status: 502, attempts: 3 });
  expect(result.message).toBe(
    'GET /conversations/cnv_1: Front answered 502 Bad Gateway (an HTML error page, likely from an edge proxy) after 3 attempts',
  );
  server.assertAllUsed();
});

test('an HTML 502 followed by a 403 returns the 403', async () => {
  server.on('/conversations/cnv_1', html(502, '<html>bad gateway</html>'), frontError(403, 'Forbidden', NOT_ALLOWED));
  const result = asResponse(await client().get(frontPaths.conversation('cnv_1'), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ status: 403, attempts: 2, error: { message: NOT_ALLOWED } });
  server.assertAllUsed();
});

test('per-request timeout: a silent server gives timeout, not retried, not a bad token', async () => {
  server.on('/me', hang);
  const clock = testClock();
  let settled = false;
  const pending = client({ clock, requestTimeoutMs: 300 })
    .get(frontPaths.me(), { deadline: clock.now() + 10_000 })
    .finally(() => (settled = true));
  await until(() => server.hitCount() === 1, 'the request to arrive');
  clock.advance(299);
  expect(clock.pendingTimers()).toBe(1);
  clock.advance(1);
  const result = asUnreachable(await pending);
  expect(settled).toBe(true);
  expect(result).toMatchObject({
    reason: 'timeout',
    attempts: 1,
    ms: 300,
    message: 'GET /me: Front did not answer within 300 ms',
  });
  await until(() => server.hits[0]?.closedAt !== undefined, 'the server to see the request end');
  server.assertAllUsed();
});

describe('deadline', () => {
  test('a request in flight is cut at the deadline, with what could not be checked', async () => {
    server.on('/conversations/cnv_1/inboxes', hang);
    const clock = testClock();
    const deadline = clock.now() + 400;
    const pending = client({ clock, requestTimeoutMs: 5000 }).get(frontPaths.conversationInboxes('cnv_1'), {
      deadline,
    });
    await until(() => server.hitCount() === 1, 'the request to arrive');
    clock.advance(399);
    expect(server.hits[0]?.closedAt).toBeUndefined();
    clock.advance(1);
    const result = asUnreachable(await pending);
    expect(result).toMatchObject({ reason: 'deadline', attempts: 1, ms: 400 });
    expect(result.message).toContain('GET /conversations/cnv_1/inboxes');
    // The client aborted the request at the deadline: the server sees it end.
    await until(() => server.hits[0]?.closedAt !== undefined, 'the server to see the request end');
    server.assertAllUsed();
  });

  test('retries stop when the next wait and attempt would not fit; every attempt ended by the deadline', async () => {
    const clock = testClock();
    const answeredAt: number[] = [];
    const slow503 = takes(clock, 100, json(503, {}), answeredAt);
    server.on('/teammates', slow503, slow503, slow503);
    const deadline = clock.now() + 600;
    const result = asUnreachable(
      await client({ clock, maxAttempts: 10, retryBaseDelayMs: 100, minAttemptMs: 100 }).get(frontPaths.teammates(), {
        deadline,
      }),
    );
    expect(result).toMatchObject({ reason: 'deadline', status: 503, attempts: 3, ms: 450 });
    expect(result.message).toBe(
      'GET /teammates not checked: no time left before the deadline (after 3 attempts; last: Front answered 503 Service Unavailable)',
    );
    // Answers take 100 ms and waits 50, 100 ms: the third attempt starts at 350 ms and ends at 450 ms;
    // a 200 ms wait plus a 100 ms attempt would end at 750 ms, past the deadline, so it is not begun.
    expect(clock.waits).toEqual([50, 100]);
    for (const at of answeredAt) expect(at).toBeLessThanOrEqual(deadline);
    server.assertAllUsed();
  });

  test('a 5xx retry-after longer than the time left is not waited for', async () => {
    server.on('/me', json(503, {}, { 'retry-after': '5' }));
    const clock = testClock();
    const result = asUnreachable(await client({ clock }).get(frontPaths.me(), { deadline: clock.now() + 2_000 }));
    expect(result).toMatchObject({ reason: 'deadline', status: 503, attempts: 1, ms: 0 });
    expect(clock.waits).toEqual([]);
    server.assertAllUsed();
  });

  test('a deadline already past sends nothing', async () => {
    const result = asUnreachable(await client().get(frontPaths.me(), { deadline: Date.now() - 1 }));
    expect(result).toMatchObject({ reason: 'deadline', attempts: 0 });
    expect(result.message).toBe('GET /me not checked: no time left before the deadline');
    expect(server.hitCount()).toBe(0);
  });
});

describe('429', () => {
  test('retry-after: 1 is honoured: the retry waits 1000 ms and succeeds', async () => {
    server.on(
      '/conversations/cnv_1',
      frontError(429, 'Too many requests', 'Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.', {
        'retry-after': '1',
        'x-front-tier': 'tier-2',
        ...rateLimitHeaders(50, 30),
      }),
      json(200, { id: 'cnv_1', is_private: true }, rateLimitHeaders(50, 29)),
    );
    const clock = testClock();
    const result = asResponse(
      await client({ clock }).get(frontPaths.conversation('cnv_1'), { deadline: clock.now() + 5_000 }),
    );
    expect(result).toMatchObject({ status: 200, attempts: 2, ms: 1000, rateLimit: { remaining: 29 } });
    expect(clock.waits).toEqual([1000]);
    server.assertAllUsed();
  });

  test('a burst limit (x-front-tier, requests left) whose retry-after passes the deadline: rate_limited at once', async () => {
    server.on(
      '/teammates/tea_1/private_inboxes',
      frontError(429, 'Too many requests', 'Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.', {
        'retry-after': '30',
        'x-front-tier': 'tier-2',
        ...rateLimitHeaders(100, 62),
      }),
    );
    const clock = testClock();
    const result = asUnreachable(
      await client({ clock }).get(frontPaths.teammatePrivateInboxes('tea_1'), { deadline: clock.now() + 3_000 }),
    );
    expect(clock.waits).toEqual([]);
    expect(result).toMatchObject({
      reason: 'rate_limited',
      status: 429,
      attempts: 1,
      ms: 0,
      rateLimit: { burst: true, tier: 'tier-2', remaining: 62, retryAfterSec: 30 },
    });
    expect(result.message).toBe(
      'Front\'s burst limit (tier-2) refused GET /teammates/tea_1/private_inboxes; retry in 30 s, which is past the deadline; Front said: "Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds."',
    );
    server.assertAllUsed();
  });

  test('a 429 with none remaining and no tier is the per-minute limit', async () => {
    server.on(
      '/teams',
      frontError(429, 'Too many requests', 'Rate limit exceeded', {
        'retry-after': '40',
        ...rateLimitHeaders(50, 0, 40),
      }),
    );
    const result = asUnreachable(await client().get(frontPaths.teams(), { deadline: inSeconds(3) }));
    expect(result).toMatchObject({ reason: 'rate_limited', rateLimit: { burst: false, remaining: 0, limit: 50 } });
    expect(result.message).toMatch(
      /^Front's per-minute rate limit for this company is used up \(50 requests\/minute\), so GET \/teams was refused; retry in 40 s/,
    );
    server.assertAllUsed();
  });

  test('a burst 429 with requests left but no tier header is still a burst', async () => {
    server.on('/me', json(429, {}, { 'retry-after': '0', ...rateLimitHeaders(50, 12) }), json(200, {}));
    const result = asResponse(await client().get(frontPaths.me(), { deadline: inSeconds(3) }));
    expect(result).toMatchObject({ status: 200, attempts: 2 });
    server.assertAllUsed();
  });

  test('a 429 is retried once: a second 429 ends as rate_limited, though attempts are left', async () => {
    const busy = json(429, {}, { 'retry-after': '0', 'x-front-tier': 'tier-1' });
    server.on('/me', busy, busy);
    const result = asUnreachable(await client({ maxAttempts: 5 }).get(frontPaths.me(), { deadline: inSeconds(3) }));
    expect(result).toMatchObject({ reason: 'rate_limited', attempts: 2 });
    expect(result.message).toBe("Front's burst limit (tier-1) refused GET /me 2 times; retry in 0 s");
    server.assertAllUsed();
  });

  test('429 on every attempt ends as rate_limited after maxAttempts', async () => {
    const busy = json(429, {}, { 'retry-after': '0', 'x-front-tier': 'tier-1' });
    server.on('/me', busy, busy);
    const result = asUnreachable(await client({ maxAttempts: 2 }).get(frontPaths.me(), { deadline: inSeconds(3) }));
    expect(result).toMatchObject({ reason: 'rate_limited', attempts: 2, rateLimit: { burst: true, tier: 'tier-1' } });
    server.assertAllUsed();
  });
});

test('a 301 is an answer: not followed, location returned', async () => {
  server.on('/conversations/cnv_1', (_req, res) => {
    res.writeHead(301, { location: '/conversations/cnv_2' }).end();
  });
  const result = asResponse(await client().get(frontPaths.conversation('cnv_1'), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ status: 301, location: '/conversations/cnv_2', attempts: 1 });
  // assertAllUsed also fails on any request to /conversations/cnv_2, which nothing stubs.
  server.assertAllUsed();
});

test('the dispatcher is shared: two tenants reuse one pool, and keep-alive reuses the connection', async () => {
  const sockets = new Set<unknown>();
  const remember: Parameters<StubServer['on']>[1] = (req, res) => {
    sockets.add(req.socket);
    json(200, {})(req, res);
  };
  server.on('/me', remember, remember, remember);
  const a = client();
  const b = client({ token: 'another-tenant-token' });
  // undici frees a connection a tick after the body ends; without the pause a second socket may open.
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  await a.get(frontPaths.me(), { deadline: inSeconds(5) });
  await tick();
  await b.get(frontPaths.me(), { deadline: inSeconds(5) });
  await tick();
  await a.get(frontPaths.me(), { deadline: inSeconds(5) });
  expect(sockets.size).toBe(1);
  expect(server.hits.map((h) => h.authorization)).toEqual([
    `Bearer ${TOKEN}`,
    'Bearer another-tenant-token',
    `Bearer ${TOKEN}`,
  ]);
  server.assertAllUsed();
});

test('close() aborts requests in flight and refuses new ones', async () => {
  server.on('/me', hang);
  const c = client();
  const pending = c.get(frontPaths.me(), { deadline: inSeconds(5) });
  await until(() => server.hitCount() === 1, 'the request to arrive');
  await c.close();
  const result = asUnreachable(await pending);
  expect(result.reason).toBe('network');
  await expect(c.get(frontPaths.me(), { deadline: inSeconds(5) })).rejects.toThrow('closed');
  server.assertAllUsed();
});

test('close() during a retry wait: the retry is not sent', async () => {
  server.on('/me', json(503, {}, { 'retry-after': '1' }));
  const base = testClock();
  let wake: (() => void) | undefined;
  // The wait ends only when the test says so, after close().
  const clock = { ...base, sleep: () => new Promise<void>((resolve) => (wake = resolve)) };
  const c = client({ clock });
  const pending = c.get(frontPaths.me(), { deadline: base.now() + 5_000 });
  await until(() => wake !== undefined, 'the retry wait');
  await c.close();
  wake!();
  expect(await pending).toMatchObject({
    kind: 'unreachable',
    reason: 'network',
    message: 'GET /me: not sent, the client was closed',
    attempts: 1,
  });
  expect(server.hitCount()).toBe(1);
  server.assertAllUsed();
});

test('a large body is cut at maxBodyBytes and returned as text', async () => {
  server.on('/teammates', json(200, { _results: 'x'.repeat(5000) }));
  const result = asResponse(
    await client({ maxBodyBytes: 1000 }).get(frontPaths.teammates(), { deadline: inSeconds(5) }),
  );
  expect(typeof result.body).toBe('string');
  expect((result.body as string).length).toBe(1000);
  server.assertAllUsed();
});
