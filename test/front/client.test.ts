import type { Dispatcher } from 'undici';
import { createFrontClient, createFrontDispatcher, frontPaths, type FrontClientOptions, type FrontResult } from '../../src/front';
import { delayed, frontError, hang, html, json, rateLimitHeaders, resetConnection, startStubServer, type StubServer } from './helpers/stub-server';

const TOKEN = 'test-token-abc.def.ghi';
const NOT_ALLOWED = 'This agent is not allowed to read the "conversation" with ID: "cnv_1"';

let server: StubServer;
let dispatcher: Dispatcher;

beforeEach(async () => {
  server = await startStubServer();
  dispatcher = createFrontDispatcher();
});

afterEach(async () => {
  await dispatcher.close();
  await server.close();
});

function client(extra: Partial<FrontClientOptions> = {}) {
  return createFrontClient({ baseUrl: server.url, token: TOKEN, dispatcher, random: () => 0, retryBaseDelayMs: 20, ...extra });
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
  const result = asResponse(await client({ baseUrl: `${server.url}/front/` }).get(frontPaths.teams(), { deadline: inSeconds(5) }));
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
  server.on('/teammates', json(503, { _error: { status: 503 } }), json(500, {}), json(200, { _results: [{ id: 'tea_1' }] }));
  const result = asResponse(await client().get(frontPaths.teammates(), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ status: 200, attempts: 3, body: { _results: [{ id: 'tea_1' }] } });
  server.assertAllUsed();
});

test('backoff is exponential with jitter from the injected random, timed by the injected clock', async () => {
  server.on('/me', json(503, {}), json(500, {}), json(503, {}), json(200, {}));
  const waits: number[] = [];
  let now = 1_000_000;
  const clock = {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
  };
  const result = await client({ clock, random: () => 0.5, retryBaseDelayMs: 100, maxAttempts: 4 }).get(frontPaths.me(), { deadline: now + 10_000 });
  expect(result).toMatchObject({ kind: 'response', status: 200, attempts: 4, ms: 75 + 150 + 300 });
  // ceiling 100, 200, 400 ms; half fixed, half scaled by random().
  expect(waits).toEqual([75, 150, 300]);
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

test('a refused connection is network, retried, never a bad token', async () => {
  const closedPort = server.port;
  await server.close();
  const result = asUnreachable(
    await createFrontClient({ baseUrl: `http://127.0.0.1:${closedPort}`, token: TOKEN, dispatcher, random: () => 0, retryBaseDelayMs: 10 }).get(frontPaths.me(), {
      deadline: inSeconds(5),
    }),
  );
  expect(result.message).toContain('ECONNREFUSED');
  expect(result).toMatchObject({ reason: 'network', attempts: 3 });
  server = await startStubServer(); // afterEach closes it
});

test('an HTML 502 page from the edge is a 5xx: retried, and summarised without the HTML', async () => {
  const page = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
  server.on('/conversations/cnv_1', html(502, page), html(502, page), html(502, page));
  const result = asUnreachable(await client().get(frontPaths.conversation('cnv_1'), { deadline: inSeconds(5) }));
  expect(result).toMatchObject({ reason: 'server_error', status: 502, attempts: 3 });
  expect(result.message).toBe('GET /conversations/cnv_1: Front answered 502 Bad Gateway (an HTML error page, likely from an edge proxy) after 3 attempts');
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
  const started = Date.now();
  const result = asUnreachable(await client({ requestTimeoutMs: 300 }).get(frontPaths.me(), { deadline: inSeconds(10) }));
  const elapsed = Date.now() - started;
  expect(result).toMatchObject({ reason: 'timeout', attempts: 1, message: 'GET /me: Front did not answer within 300 ms' });
  expect(elapsed).toBeGreaterThanOrEqual(290);
  expect(elapsed).toBeLessThan(1000);
  server.assertAllUsed();
});

describe('deadline', () => {
  const SLACK_MS = 80;

  test('a request in flight is cut at the deadline, with what could not be checked', async () => {
    server.on('/conversations/cnv_1/inboxes', hang);
    const deadline = Date.now() + 400;
    const result = asUnreachable(await client({ requestTimeoutMs: 5000 }).get(frontPaths.conversationInboxes('cnv_1'), { deadline }));
    expect(Date.now()).toBeLessThan(deadline + SLACK_MS);
    expect(result).toMatchObject({ reason: 'deadline', attempts: 1 });
    expect(result.message).toContain('GET /conversations/cnv_1/inboxes');
    // The server saw the request end (aborted by the client) by the deadline.
    await new Promise((r) => setTimeout(r, 20));
    expect(server.hits[0]?.closedAt).toBeLessThan(deadline + SLACK_MS);
    server.assertAllUsed();
  });

  test('retries stop when the next wait and attempt would not fit; every attempt ended by the deadline', async () => {
    const slow503 = delayed(100, json(503, {}));
    server.on('/teammates', slow503, slow503, slow503);
    const deadline = Date.now() + 600;
    const result = asUnreachable(
      await client({ maxAttempts: 10, retryBaseDelayMs: 100, minAttemptMs: 100 }).get(frontPaths.teammates(), { deadline }),
    );
    const returnedAt = Date.now();
    expect(returnedAt).toBeLessThan(deadline + SLACK_MS);
    expect(result).toMatchObject({ reason: 'deadline', status: 503 });
    expect(result.message).toMatch(/^GET \/teammates not checked: no time left before the deadline \(after \d attempts; last: Front answered 503 Service Unavailable\)$/);
    // Answers take 100 ms and waits 50, 100, 200 ms: the third attempt starts near 350 ms (needs 100 ms,
    // fits by 150 ms) and ends near 450 ms; a 200 ms wait plus 100 ms would end near 750 ms. 150 ms of
    // margin each way keeps this steady on a slow machine.
    expect(result.attempts).toBe(3);
    for (const hit of server.hits) expect(hit.closedAt).toBeLessThanOrEqual(deadline);
    server.assertAllUsed();
  });

  test('a 5xx retry-after longer than the time left is not waited for', async () => {
    server.on('/me', json(503, {}, { 'retry-after': '5' }));
    const started = Date.now();
    const result = asUnreachable(await client().get(frontPaths.me(), { deadline: inSeconds(2) }));
    expect(Date.now() - started).toBeLessThan(300);
    expect(result).toMatchObject({ reason: 'deadline', status: 503, attempts: 1 });
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
  test('retry-after: 1 is honoured: the retry comes at least 1000 ms later and succeeds', async () => {
    server.on(
      '/conversations/cnv_1',
      frontError(429, 'Too many requests', 'Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.', {
        'retry-after': '1',
        'x-front-tier': 'tier-2',
        ...rateLimitHeaders(50, 30),
      }),
      json(200, { id: 'cnv_1', is_private: true }, rateLimitHeaders(50, 29)),
    );
    const started = Date.now();
    const result = asResponse(await client().get(frontPaths.conversation('cnv_1'), { deadline: inSeconds(5) }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result).toMatchObject({ status: 200, attempts: 2, rateLimit: { remaining: 29 } });
    const [first, second] = server.hits;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
    expect(second!.at - first!.at).toBeLessThan(1500);
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
    const started = Date.now();
    const result = asUnreachable(await client().get(frontPaths.teammatePrivateInboxes('tea_1'), { deadline: inSeconds(3) }));
    expect(Date.now() - started).toBeLessThan(300);
    expect(result).toMatchObject({ reason: 'rate_limited', status: 429, attempts: 1, rateLimit: { burst: true, tier: 'tier-2', remaining: 62, retryAfterSec: 30 } });
    expect(result.message).toBe(
      "Front's burst limit (tier-2) refused GET /teammates/tea_1/private_inboxes; retry in 30 s, which is past the deadline; Front said: \"Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.\"",
    );
    server.assertAllUsed();
  });

  test('a 429 with none remaining and no tier is the per-minute limit', async () => {
    server.on('/teams', frontError(429, 'Too many requests', 'Rate limit exceeded', { 'retry-after': '40', ...rateLimitHeaders(50, 0, 40) }));
    const result = asUnreachable(await client().get(frontPaths.teams(), { deadline: inSeconds(3) }));
    expect(result).toMatchObject({ reason: 'rate_limited', rateLimit: { burst: false, remaining: 0, limit: 50 } });
    expect(result.message).toMatch(/^Front's per-minute rate limit for this company is used up \(50 requests\/minute\), so GET \/teams was refused; retry in 40 s/);
    server.assertAllUsed();
  });

  test('a burst 429 with requests left but no tier header is still a burst', async () => {
    server.on('/me', json(429, {}, { 'retry-after': '0', ...rateLimitHeaders(50, 12) }), json(200, {}));
    const result = asResponse(await client().get(frontPaths.me(), { deadline: inSeconds(3) }));
    expect(result).toMatchObject({ status: 200, attempts: 2 });
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
  expect(server.hits.map((h) => h.authorization)).toEqual([`Bearer ${TOKEN}`, 'Bearer another-tenant-token', `Bearer ${TOKEN}`]);
  server.assertAllUsed();
});

test('close() aborts requests in flight and refuses new ones', async () => {
  server.on('/me', hang);
  const c = client();
  const pending = c.get(frontPaths.me(), { deadline: inSeconds(5) });
  await new Promise((r) => setTimeout(r, 50));
  await c.close();
  const result = asUnreachable(await pending);
  expect(result.reason).toBe('network');
  await expect(c.get(frontPaths.me(), { deadline: inSeconds(5) })).rejects.toThrow('closed');
  server.assertAllUsed();
});

test('close() during a retry wait: the retry is not sent', async () => {
  server.on('/me', json(503, {}, { 'retry-after': '1' }));
  const c = client();
  const pending = c.get(frontPaths.me(), { deadline: inSeconds(5) });
  await new Promise((r) => setTimeout(r, 200));
  await c.close();
  expect(await pending).toMatchObject({ kind: 'unreachable', reason: 'network', message: 'GET /me: not sent, the client was closed', attempts: 1 });
  expect(server.hitCount()).toBe(1);
  server.assertAllUsed();
});

test('a large body is cut at maxBodyBytes and returned as text', async () => {
  server.on('/teammates', json(200, { _results: 'x'.repeat(5000) }));
  const result = asResponse(await client({ maxBodyBytes: 1000 }).get(frontPaths.teammates(), { deadline: inSeconds(5) }));
  expect(typeof result.body).toBe('string');
  expect((result.body as string).length).toBe(1000);
  server.assertAllUsed();
});
