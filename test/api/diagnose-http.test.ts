import { request } from 'node:http';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { startHarness, type Harness } from '../slack/helpers/harness';
import { parseExposition, valueOf } from '../slack/helpers/prometheus';
import { cli, createKey, diagnoseCall, largePost } from './helpers';

/**
 * POST /v1/diagnose over real HTTP on the running app: keys made with `front-why keys create`, the sandbox as Front,
 * every request and answer held to the OpenAPI document.
 */

let h: Harness;
let acmeKey: string;

const SEED_CASE = {
  tenant: 'acme',
  method: 'GET',
  path: '/conversations/cnv_yo1kg5q',
  status: 403,
  headers: { 'x-ratelimit-remaining': '48' },
  body: {
    _error: {
      status: 403,
      title: 'Forbidden',
      message: 'This agent is not allowed to read the "conversation" with ID: "cnv_yo1kg5q"',
    },
  },
  request_id: 'req-7f3a',
} as const;

beforeAll(async () => {
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.store.addTenant({ name: 'acme', token: h.sandbox.tokens.acme_private, addedBy: 'test' });
  await h.store.addTenant({ name: 'globex', token: h.sandbox.tokens.globex_private, addedBy: 'test' });
  acmeKey = await createKey(h.env, ['billing-sync', '--tenant', 'acme']);
});

afterAll(async () => {
  await h?.close();
});

test('`keys create` prints the key alone on stdout and the rest on stderr; the store keeps only its hash', async () => {
  const made = await cli(['keys', 'create', 'printer', '--tenant', 'acme', '--notify', 'C0ALERTS'], h.env);
  expect(made.code).toBe(0);
  expect(made.stdout).toMatch(/^fwk_[A-Za-z0-9_-]{43}\n$/);
  expect(made.stderr).toContain(
    'Created API key "printer": tenant(s) acme, 60 call(s) a minute, grouped alerts to C0ALERTS',
  );
  expect(made.stderr).not.toContain(made.stdout.trim());
  const listed = await cli(['keys', 'list', '--json'], h.env);
  expect(listed.stdout).not.toContain(made.stdout.trim());
  expect(JSON.parse(listed.stdout).keys.map((k: { name: string }) => k.name)).toEqual(['billing-sync', 'printer']);
});

test("a key scoped to one tenant diagnoses the seed case live with the tenant's stored token", async () => {
  const before = h.sandbox.stats().total;
  const reply = await diagnoseCall(h.url, acmeKey, SEED_CASE);
  expect(reply.status).toBe(200);
  const answer = reply.body as {
    live: boolean;
    calls: number;
    fingerprint: string;
    diagnoses: { cause: string; status: string; headline: string }[];
  };
  expect(answer.live).toBe(true);
  expect(answer.diagnoses[0]).toMatchObject({ cause: 'teammate_api_access_disabled', status: 'confirmed' });
  expect(answer.diagnoses[0]?.headline).toContain('Bruno Keller');
  expect(answer.fingerprint).toMatch(/^f[0-9a-f]{16}$/);
  // The checks really went to Front (the sandbox), as many as the answer says.
  expect(h.sandbox.stats().total - before).toBe(answer.calls);
  expect(answer.calls).toBeGreaterThan(0);
});

test('another conversation refused the same way has the same fingerprint, another cause another; ?live=false answers from the call alone', async () => {
  const live = await diagnoseCall(h.url, acmeKey, SEED_CASE);
  const other = {
    ...SEED_CASE,
    path: '/conversations/cnv_yo1kg5r',
    body: SEED_CASE.body._error.message.replace('yo1kg5q', 'yo1kg5r'),
  };
  const before = h.sandbox.stats().total;
  const offline = await diagnoseCall(h.url, acmeKey, other, { query: '?live=false' });
  expect(h.sandbox.stats().total).toBe(before);
  expect(offline.body).toMatchObject({ live: false, calls: 0 });
  expect((offline.body.diagnoses as { status: string }[])[0]?.status).toBe('possible');
  const offlineAgain = await diagnoseCall(h.url, acmeKey, SEED_CASE, { query: '?live=false' });
  expect(offlineAgain.body.fingerprint).toBe(offline.body.fingerprint);
  // The same cause live or not: the same problem.
  expect(live.body.fingerprint).toBe(offline.body.fingerprint);
  const refusedToken = {
    ...SEED_CASE,
    status: 401,
    body: '{"_error":{"status":401,"title":"Unauthorized","message":"Invalid token"}}',
  };
  const otherCause = await diagnoseCall(h.url, acmeKey, refusedToken, { query: '?live=false' });
  expect((otherCause.body.diagnoses as { cause: string }[])[0]?.cause).toBe('token_invalid');
  expect(otherCause.body.fingerprint).not.toBe(offline.body.fingerprint);
});

test("another tenant's name with that key gets 403, an unknown tenant 404", async () => {
  const reply = await diagnoseCall(h.url, acmeKey, { ...SEED_CASE, tenant: 'globex' });
  expect(reply.status).toBe(403);
  expect(reply.body).toEqual({ error: { code: 'forbidden', message: 'this key may not ask about tenant "globex"' } });
  const everyTenant = await createKey(h.env, ['ops-all']);
  const missing = await diagnoseCall(h.url, everyTenant, { ...SEED_CASE, tenant: 'initech' });
  expect(missing.status).toBe(404);
  expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
});

test('no key, an unknown key and a revoked key get 401 with a JSON error', async () => {
  const none = await diagnoseCall(h.url, undefined, SEED_CASE);
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toBe('Bearer realm="front-why"');
  const unknown = await diagnoseCall(h.url, 'fwk_notakeyatall', SEED_CASE);
  expect(unknown.body).toEqual({ error: { code: 'unauthorized', message: 'this API key is not known' } });

  const key = await createKey(h.env, ['short-lived', '--tenant', 'acme']);
  expect((await diagnoseCall(h.url, key, SEED_CASE, { query: '?live=false' })).status).toBe(200);
  expect((await cli(['keys', 'revoke', 'short-lived'], h.env)).code).toBe(0);
  const revoked = await diagnoseCall(h.url, key, SEED_CASE, { query: '?live=false' });
  expect(revoked.status).toBe(401);
  expect(revoked.body).toEqual({ error: { code: 'unauthorized', message: 'this API key was revoked' } });
});

test('a 2 MB body gets 413, declared or not; without a key it gets 401 before a byte is read', async () => {
  const url = `${h.url}/v1/diagnose`;
  const json = { 'content-type': 'application/json' };
  const declared = await largePost(url, { ...json, authorization: `Bearer ${acmeKey}` }, 2 * 1024 * 1024);
  expect(declared.status).toBe(413);
  expect(JSON.parse(declared.body)).toEqual({
    error: {
      code: 'payload_too_large',
      message: 'the body is 2097152 bytes, over the limit of 262144 bytes (256 KiB)',
    },
  });
  const chunked = await largePost(url, { ...json, authorization: `Bearer ${acmeKey}` }, 2 * 1024 * 1024, true);
  expect(chunked.status).toBe(413);
  expect(JSON.parse(chunked.body).error.code).toBe('payload_too_large');
  const anonymous = await largePost(url, json, 2 * 1024 * 1024);
  expect(anonymous.status).toBe(401);
});

test('the body is asked for (100-continue) only once the key is known and may send that much', async () => {
  const ask = (headers: Record<string, string>) =>
    new Promise<{ invited: boolean; status: number }>((resolve, reject) => {
      const body = JSON.stringify(SEED_CASE);
      let invited = false;
      const req = request(`${h.url}/v1/diagnose?live=false`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          expect: '100-continue',
          ...headers,
        },
      });
      req.on('continue', () => {
        invited = true;
        req.end(body);
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ invited, status: res.statusCode ?? 0 }));
        if (!invited) req.destroy();
      });
      req.on('error', (err) => (invited ? reject(err) : undefined));
      req.flushHeaders();
    });
  expect(await ask({})).toEqual({ invited: false, status: 401 });
  expect(await ask({ authorization: 'Bearer fwk_unknown' })).toEqual({ invited: false, status: 401 });
  expect(await ask({ authorization: `Bearer ${acmeKey}` })).toEqual({ invited: true, status: 200 });
});

test('a malformed body gets 400 saying what was wrong', async () => {
  const notJson = await diagnoseCall(h.url, acmeKey, '{"tenant": "acme",', { unchecked: true });
  expect(notJson.status).toBe(400);
  expect((notJson.body.error as { code: string }).code).toBe('invalid_json');
  const noStatus = await diagnoseCall(
    h.url,
    acmeKey,
    { tenant: 'acme', method: 'GET', path: '/me' },
    { unchecked: true },
  );
  expect(noStatus.body).toEqual({
    error: {
      code: 'invalid_request',
      message: 'status must be the HTTP status Front answered, a whole number from 100 to 599',
    },
  });
  const both = await diagnoseCall(
    h.url,
    acmeKey,
    { ...SEED_CASE, url: 'https://api2.frontapp.com/me' },
    { unchecked: true },
  );
  expect(both.body).toEqual({ error: { code: 'invalid_request', message: 'give exactly one of path or url' } });
  const extra = await diagnoseCall(h.url, acmeKey, { ...SEED_CASE, token: 'x' }, { unchecked: true });
  expect(extra.body).toEqual({ error: { code: 'invalid_request', message: 'unknown field "token"' } });
  const nothing = await diagnoseCall(h.url, acmeKey, { tenant: 'acme', paste: '   ' });
  expect(nothing.status).toBe(400);
  expect((nothing.body.error as { code: string }).code).toBe('unreadable');
});

test('the same Idempotency-Key returns the first answer without checking again; another body with it gets 422', async () => {
  const headers = { 'idempotency-key': 'retry-0001' };
  const first = await diagnoseCall(h.url, acmeKey, SEED_CASE, { headers });
  expect(first.status).toBe(200);
  const before = h.sandbox.stats().total;
  const again = await diagnoseCall(h.url, acmeKey, SEED_CASE, { headers });
  expect(h.sandbox.stats().total).toBe(before);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.body).toEqual(first.body);
  const other = await diagnoseCall(h.url, acmeKey, { ...SEED_CASE, status: 404 }, { headers });
  expect(other.status).toBe(422);
  expect((other.body.error as { code: string }).code).toBe('idempotency_key_reused');
});

test('a retry while the first call with its Idempotency-Key still runs gets 409, then the first answer', async () => {
  h.sandbox.setFaults({ latencyMs: 300 });
  try {
    const headers = { 'idempotency-key': 'retry-0002' };
    const both = await Promise.all([
      diagnoseCall(h.url, acmeKey, SEED_CASE, { headers }),
      diagnoseCall(h.url, acmeKey, SEED_CASE, { headers }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const waiting = both.find((r) => r.status === 409)!;
    expect(waiting.body).toMatchObject({ error: { code: 'idempotency_in_progress', retry_after: 1 } });
    const later = await diagnoseCall(h.url, acmeKey, SEED_CASE, { headers });
    expect(later.body).toEqual(both.find((r) => r.status === 200)!.body);
  } finally {
    h.sandbox.setFaults({ latencyMs: 0 });
  }
});

test("each key has its own rate limit: past it, 429 with Retry-After, and other keys' calls still run", async () => {
  const slow = await createKey(h.env, ['slow', '--tenant', 'acme', '--per-minute', '2']);
  const offline = { query: '?live=false' };
  const statuses = [];
  for (let i = 0; i < 3; i += 1) statuses.push((await diagnoseCall(h.url, slow, SEED_CASE, offline)).status);
  expect(statuses).toEqual([200, 200, 429]);
  const refused = await diagnoseCall(h.url, slow, SEED_CASE, offline);
  const retryAfter = Number(refused.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(refused.body).toMatchObject({ error: { code: 'rate_limited', retry_after: retryAfter } });
  expect((await diagnoseCall(h.url, acmeKey, SEED_CASE, offline)).status).toBe(200);
});

test('every call is in the activity log by key name, never its body, and /metrics counts calls by key and status', async () => {
  await diagnoseCall(h.url, acmeKey, { ...SEED_CASE, tenant: 'globex' });
  await h.idle();
  const entries = await h.store.listActivity({ actions: ['api.diagnose'], limit: 1000 });
  const mine = entries.filter((e) => e.actor === 'api:billing-sync');
  expect(
    mine.some(
      (e) => e.tenant === 'acme' && e.cause === 'teammate_api_access_disabled' && e.detail?.startsWith('HTTP 200'),
    ),
  ).toBe(true);
  expect(mine.some((e) => e.tenant === 'globex' && e.detail === 'HTTP 403, forbidden')).toBe(true);
  expect(JSON.stringify(entries)).not.toContain('req-7f3a');
  expect(JSON.stringify(entries)).not.toContain('This agent is not allowed');
  const samples = parseExposition(await (await fetch(`${h.metricsUrl}/metrics`)).text());
  expect(valueOf(samples, 'front_why_api_calls_total', { key: 'billing-sync', status: '403' })).toBeGreaterThanOrEqual(
    2,
  );
  expect(valueOf(samples, 'front_why_api_calls_total', { key: 'billing-sync', status: '200' })).toBeGreaterThanOrEqual(
    3,
  );
  expect(valueOf(samples, 'front_why_api_calls_total', { key: 'none', status: '401' })).toBeGreaterThanOrEqual(2);
  // The keys themselves are nowhere in the log.
  expect(h.logs.join('\n')).not.toContain(acmeKey.slice(4));
});

test('a key with --notify to a channel bound to no tenant: one thread, its count updated, the answer without buttons saying why', async () => {
  const key = await createKey(h.env, ['notifier', '--tenant', 'acme', '--notify', 'C0UNBOUND']);
  for (let i = 0; i < 3; i += 1) {
    expect((await diagnoseCall(h.url, key, SEED_CASE, { query: '?live=false' })).status).toBe(200);
  }
  await h.idle();
  const posts = h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0UNBOUND');
  const parents = posts.filter((c) => c.args.thread_ts === undefined);
  expect(parents).toHaveLength(1);
  const ts = parents[0]!.answer?.ts;
  const shown =
    h.slack
      .callsTo('chat.update')
      .filter((c) => c.args.ts === ts)
      .at(-1) ?? parents[0]!;
  expect(JSON.stringify(shown.args.blocks)).toContain('3 failures today');
  const answer = JSON.stringify(posts.filter((c) => c.args.thread_ts === ts).map((c) => c.args.blocks));
  expect(answer).toContain('teammate_api_access_disabled');
  expect(answer).not.toContain(ACTION_IDS.checkAgain);
  expect(answer).toContain('/front-why bind acme');
});

test('GET /v1/openapi.json serves the committed document; other methods on /v1/diagnose get 405', async () => {
  const served = await fetch(`${h.url}/v1/openapi.json`);
  expect(served.status).toBe(200);
  const { readFileSync } = await import('node:fs');
  expect(await served.json()).toEqual(JSON.parse(readFileSync(`${__dirname}/../../docs/openapi.json`, 'utf8')));
  const get = await fetch(`${h.url}/v1/diagnose`);
  expect(get.status).toBe(405);
  expect(get.headers.get('allow')).toBe('POST');
});

describe('in Socket Mode', () => {
  let socket: Harness;
  beforeAll(async () => {
    socket = await startHarness({ socket: true });
    await socket.store.addTenant({ name: 'acme', token: socket.sandbox.tokens.acme_private, addedBy: 'test' });
  });
  afterAll(async () => {
    await socket?.close();
  });

  test('PORT serves /v1 too', async () => {
    const key = await createKey(socket.env, ['socket-key', '--tenant', 'acme']);
    const reply = await diagnoseCall(socket.url, key, SEED_CASE);
    expect(reply.status).toBe(200);
    expect((reply.body.diagnoses as { cause: string }[])[0]?.cause).toBe('teammate_api_access_disabled');
  });
});
