import { request } from 'undici';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { until } from '../front/helpers/test-clock';
import { errorOf, get } from './helpers';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 1_000_000 } });
});
afterEach(() => sandbox.close());

describe('failures', () => {
  it('the next N requests fail with a 502 HTML page from the edge, then service resumes', async () => {
    sandbox.setFaults({ failNext: 2, failKind: '502_html' });
    for (let i = 0; i < 2; i++) {
      const res = await get(sandbox, '/me', { token: 'acme_private' });
      expect(res.status).toBe(502);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<title>502 Bad Gateway</title>');
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
    expect(sandbox.faults().failNext).toBe(0);
  });

  it('503 JSON in the error envelope', async () => {
    sandbox.setFaults({ failNext: 1, failKind: '503_json' });
    const res = await get(sandbox, '/conversations/cnv_yo1kg5s', { token: 'acme_private' });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(errorOf(res)).toMatchObject({ status: 503, title: 'Service unavailable' });
  });

  it('an error rate fails about that share of requests, the same ones on every run', async () => {
    const run = async (): Promise<number[]> => {
      const local = await startSandbox({
        port: 0,
        faults: { errorRate: 0.3, failKind: '500_json', rateLimitPerMinute: 1000 },
        randomSeed: 7,
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) statuses.push((await get(local, '/me', { token: 'acme_private' })).status);
        return statuses;
      } finally {
        await local.close();
      }
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const failed = first.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(4);
    expect(failed).toBeLessThan(24);
    expect(first.filter((s) => s !== 500).every((s) => s === 200)).toBe(true);
  });

  it('outage: every request gets a 503 HTML page, whatever the token', async () => {
    sandbox.setFaults({ outage: true });
    for (const opts of [{ token: 'acme_private' as const }, { authorization: 'Bearer junk' }, {}]) {
      const res = await get(sandbox, '/me', opts);
      expect(res.status).toBe(503);
      expect(res.text).toContain('503 Service Temporarily Unavailable');
    }
    sandbox.setFaults({ outage: false });
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
  });

  it('faults can be limited to some paths', async () => {
    sandbox.setFaults({ outage: true, onlyPaths: ['/conversations/'] });
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
    expect((await get(sandbox, '/conversations/cnv_yo1kg5s', { token: 'acme_private' })).status).toBe(503);
  });

  it('rejects settings that make no sense, naming the setting', () => {
    expect(() => sandbox.setFaults({ errorRate: 1.5 })).toThrow(/errorRate/);
    expect(() => sandbox.setFaults({ failNext: -1 })).toThrow(/failNext/);
    expect(() => sandbox.setFaults({ latencyMs: 0.5 })).toThrow(/latencyMs/);
    expect(sandbox.faults().errorRate).toBe(0);
  });
});

describe('connections', () => {
  it('dropped connections: the socket is destroyed without an answer', async () => {
    sandbox.setFaults({ dropNext: 1 });
    await expect(get(sandbox, '/me', { token: 'acme_private' })).rejects.toMatchObject({
      code: expect.stringMatching(/UND_ERR_SOCKET|ECONNRESET/),
    });
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
    expect(sandbox.stats().byStatus).toMatchObject({ dropped: 1, '200': 1 });
  });

  // Latency far beyond the client's patience: the answer cannot come in time, whatever the machine's speed.
  it('latency delays every answer', async () => {
    expect((await get(sandbox, '/me', { token: 'acme_private', timeoutMs: 200 })).status).toBe(200);
    sandbox.setFaults({ latencyMs: 10_000 });
    await expect(get(sandbox, '/me', { token: 'acme_private', timeoutMs: 200 })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    await expect(get(sandbox, '/teams', { token: 'acme_private', timeoutMs: 200 })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect(sandbox.stats().total).toBe(3);
  });

  it('latency can be given at start', async () => {
    const slow = await startSandbox({ port: 0, latencyMs: 10_000 });
    try {
      expect(slow.faults().latencyMs).toBe(10_000);
      await expect(get(slow, '/me', { token: 'acme_private', timeoutMs: 200 })).rejects.toMatchObject({
        code: 'UND_ERR_HEADERS_TIMEOUT',
      });
    } finally {
      await slow.close();
    }
  });

  it('hanging requests never answer (the client times out), and close() still returns', async () => {
    sandbox.setFaults({ hangNext: 1 });
    await expect(get(sandbox, '/me', { token: 'acme_private', timeoutMs: 200 })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
    sandbox.setFaults({ hang: true });
    // The client would wait longer than the test may run: a close() that waited for the request would fail the test.
    const pending = get(sandbox, '/me', { token: 'acme_private', timeoutMs: 120_000 });
    await until(() => sandbox.stats().total === 3, 'the request to arrive');
    await sandbox.close();
    await expect(pending).rejects.toBeDefined();
  });

  it('close() also returns while a delayed answer is pending', async () => {
    sandbox.setFaults({ latencyMs: 120_000 });
    const pending = get(sandbox, '/me', { token: 'acme_private', timeoutMs: 180_000 }).catch((e: unknown) => e);
    await until(() => sandbox.stats().total === 1, 'the request to arrive');
    await sandbox.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('counters', () => {
  it('count requests in total, per path, per route, per token and per status, and reset', async () => {
    await get(sandbox, '/me', { token: 'acme_private' });
    await get(sandbox, '/conversations/cnv_yo1kg5q', { token: 'acme_private' });
    await get(sandbox, '/conversations/cnv_yo1kg5q', { token: 'acme_shared_only' });
    await get(sandbox, '/teammates/tea_6r55b/private_inboxes?x=1', { token: 'acme_private' });
    await get(sandbox, '/me', { token: 'acme_revoked' });
    await get(sandbox, '/me', { authorization: 'Bearer junk' });
    await get(sandbox, '/me');
    await get(sandbox, '/nowhere', { token: 'globex_private' });

    expect(sandbox.stats()).toEqual({
      total: 8,
      byPath: { '/me': 4, '/conversations/cnv_yo1kg5q': 2, '/teammates/tea_6r55b/private_inboxes': 1, '/nowhere': 1 },
      // As sent, query string included, so the requests can be held against Front's OpenAPI document.
      byRequest: {
        'GET /me': 4,
        'GET /conversations/cnv_yo1kg5q': 2,
        'GET /teammates/tea_6r55b/private_inboxes?x=1': 1,
        'GET /nowhere': 1,
      },
      byToken: {
        acme_private: 3,
        acme_shared_only: 1,
        acme_revoked: 1,
        '(invalid)': 1,
        '(none)': 1,
        globex_private: 1,
      },
      byRoute: {
        'GET /me': 4,
        'GET /conversations/{conversation_id}': 2,
        'GET /teammates/{teammate_id}/private_inboxes': 1,
        'GET (unknown route)': 1,
      },
      byStatus: { '200': 1, '403': 3, '401': 3, '404': 1 },
    });
    sandbox.resetStats();
    expect(sandbox.stats()).toEqual({ total: 0, byPath: {}, byRequest: {}, byToken: {}, byRoute: {}, byStatus: {} });
  });

  it('count requests that faults answered or swallowed', async () => {
    sandbox.setFaults({ failNext: 1 });
    await get(sandbox, '/me', { token: 'acme_private' });
    sandbox.setFaults({ dropNext: 1 });
    await get(sandbox, '/me', { token: 'acme_private' }).catch(() => undefined);
    expect(sandbox.stats()).toMatchObject({
      total: 2,
      byToken: { acme_private: 2 },
      byStatus: { '502': 1, dropped: 1 },
    });
  });

  it('a snapshot does not change after it was taken', async () => {
    const before = sandbox.stats();
    await request(`${sandbox.url}/me`).then((r) => r.body.text());
    expect(before.total).toBe(0);
    expect(sandbox.stats().total).toBe(1);
  });
});
