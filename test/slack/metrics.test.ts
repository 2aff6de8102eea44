import { ruleFileCount } from '../../src/rules';
import { randomBytes } from 'node:crypto';
import { SANDBOX_SCENARIOS } from '../../src/sandbox';
import type { SandboxStats } from '../../src/sandbox/stats';
import { createMetrics } from '../../src/metrics';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import {
  buttonClick,
  CHANNEL,
  commandPayload,
  startHarness,
  userMessage,
  waitFor,
  type Harness,
} from './helpers/harness';
import { parseExposition, typesOf, valueOf, type Sample } from './helpers/prometheus';
import { TEAM_ID, type RecordedCall } from './helpers/slack-standin';

/**
 * GET /metrics scraped over HTTP from the running app's metrics port, before and after signed Slack requests that
 * run real diagnoses against the sandbox: every counter moves by exactly what was done, and nothing secret shows.
 * The metrics are served there only (loopback, or with a bearer token beyond it), never on the Slack port.
 */

const GLOBEX_CHANNEL = 'C0GLOBEX';
const ORIGINAL_REPORT = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!.input;
/** Customer text in a paste: it must never reach a label. */
const PASTED_MARKER = 'ticket-4471-customer-quote';

function scrapeFrom(h: Harness) {
  return async (): Promise<{ text: string; samples: Sample[]; contentType: string | null }> => {
    const res = await fetch(`${h.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    return { text, samples: parseExposition(text), contentType: res.headers.get('content-type') };
  };
}

function answered(h: Harness, mark: number, channel: string): RecordedCall | undefined {
  return h.slack.calls
    .slice(mark)
    .find((c) => c.method === 'chat.postMessage' && c.args.channel === channel && c.args.thread_ts && c.args.blocks);
}

function requestsTo(stats: SandboxStats, status: (code: number) => boolean): number {
  return Object.entries(stats.byStatus)
    .filter(([code]) => /^\d+$/.test(code) && status(Number(code)))
    .reduce((sum, [, n]) => sum + n, 0);
}

describe('GET /metrics in HTTP mode', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
    await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
    await h.bindTenant('globex', h.sandbox.tokens.globex_private, GLOBEX_CHANNEL);
    await h.store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
  });

  afterAll(async () => {
    await h?.close();
  });

  test('counts diagnoses, Front requests and 429s per tenant, acks and answers, exactly; no secret in it', async () => {
    const scrape = scrapeFrom(h);
    const before = await scrape();
    const delta =
      (name: string, labels: Record<string, string> = {}) =>
      (after: Sample[]) =>
        valueOf(after, name, labels) - valueOf(before.samples, name, labels);

    // acme: a command with the original report (and some of the customer's words), a status command (no
    // diagnosis), a command with no Front error in it, the same paste in a listening channel, a chat message that is no Front error, and Check again.
    h.sandbox.resetStats();
    let mark = h.slack.calls.length;
    await h.command(`${ORIGINAL_REPORT}\n${PASTED_MARKER}`);
    const answer = await waitFor(() => answered(h, mark, CHANNEL), 'the answer to the command');
    await h.command('status');
    mark = h.slack.calls.length;
    await h.command('hello there');
    await waitFor(() => answered(h, mark, CHANNEL), 'the answer to a command without an error');
    mark = h.slack.calls.length;
    await h.event(userMessage(ORIGINAL_REPORT));
    await waitFor(() => answered(h, mark, CHANNEL), 'the answer to the pasted message');
    await h.event(userMessage('anyone up for lunch?'));
    mark = h.slack.calls.length;
    await h.interact(buttonClick(answer, ACTION_IDS.checkAgain, { responseUrl: h.slack.responseUrl() }));
    await waitFor(() => answered(h, mark, CHANNEL), 'the answer to Check again');
    await h.idle();
    const acme = h.sandbox.stats();

    // globex: its company's minute is spent, so Front answers 429.
    h.sandbox.resetStats();
    h.sandbox.setFaults({ rateLimitPerMinute: 0 });
    mark = h.slack.calls.length;
    await h.command('cnv_gx00001', { channel: GLOBEX_CHANNEL });
    await waitFor(() => answered(h, mark, GLOBEX_CHANNEL), 'the answer for globex');
    await h.idle();
    h.sandbox.setFaults({ rateLimitPerMinute: 100_000 });
    const globex = h.sandbox.stats();

    const after = await scrape();
    expect(after.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = after.samples;

    // The original report, confirmed live, three times (command, pasted message, Check again); a command with no
    // Front error in it, nothing found; globex's company out of requests, confirmed live.
    const diagnoses = (labels: Record<string, string>) => delta('front_why_diagnoses_total', labels)(s);
    expect(diagnoses({ cause: 'teammate_api_access_disabled', status: 'confirmed' })).toBe(3);
    expect(diagnoses({ cause: 'none', status: 'none' })).toBe(1);
    expect(diagnoses({ cause: 'rate_limited', status: 'confirmed' })).toBe(1);
    expect(diagnoses({})).toBe(5);

    // Front's side as the sandbox counted it: every request of each tenant, by status class.
    expect(acme.byToken.acme_private).toBeGreaterThan(0);
    expect(delta('front_why_front_requests_total', { tenant: 'acme' })(s)).toBe(acme.byToken.acme_private);
    expect(delta('front_why_front_requests_total', { tenant: 'acme', status_class: '2xx' })(s)).toBe(
      requestsTo(acme, (c) => c < 300),
    );
    expect(delta('front_why_front_requests_total', { tenant: 'acme', status_class: '4xx' })(s)).toBe(
      requestsTo(acme, (c) => c >= 400 && c < 500),
    );
    expect(delta('front_why_front_rate_limited_total', { tenant: 'acme' })(s)).toBe(0);
    expect(globex.byStatus['429']).toBeGreaterThan(0);
    expect(delta('front_why_front_requests_total', { tenant: 'globex' })(s)).toBe(globex.byToken.globex_private);
    expect(delta('front_why_front_rate_limited_total', { tenant: 'globex' })(s)).toBe(globex.byStatus['429']);

    // Every request acknowledged is timed; only those that ran a diagnosis count towards time to answer.
    expect(delta('front_why_slack_ack_seconds_count', { kind: 'command' })(s)).toBe(4);
    expect(delta('front_why_slack_ack_seconds_count', { kind: 'event' })(s)).toBe(2);
    expect(delta('front_why_slack_ack_seconds_count', { kind: 'action' })(s)).toBe(1);
    expect(delta('front_why_slack_answer_seconds_count', { kind: 'command' })(s)).toBe(3);
    expect(delta('front_why_slack_answer_seconds_count', { kind: 'event' })(s)).toBe(1);
    expect(delta('front_why_slack_answer_seconds_count', { kind: 'action' })(s)).toBe(1);
    // A histogram's +Inf bucket holds every observation.
    expect(valueOf(s, 'front_why_slack_ack_seconds_bucket', { kind: 'command', le: '+Inf' })).toBe(
      valueOf(s, 'front_why_slack_ack_seconds_count', { kind: 'command' }),
    );

    expect(valueOf(s, 'front_why_rules_loaded')).toBe(ruleFileCount(h.app.rules));
    expect(typesOf(after.text)).toMatchObject({
      front_why_diagnoses_total: 'counter',
      front_why_front_requests_total: 'counter',
      front_why_front_rate_limited_total: 'counter',
      front_why_slack_ack_seconds: 'histogram',
      front_why_slack_answer_seconds: 'histogram',
      front_why_rules_loaded: 'gauge',
    });

    for (const secret of [h.sandbox.tokens.acme_private, h.sandbox.tokens.globex_private, h.botToken, h.secret]) {
      expect(after.text).not.toContain(secret);
      expect(after.text).not.toContain(secret.slice(-12));
    }
    expect(after.text).not.toContain('eyJ');
    expect(after.text).not.toContain(PASTED_MARKER);
    expect(after.text).not.toContain('cnv_');
  });
});

describe('GET /metrics in Socket Mode', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      socket: true,
      sandbox: { faults: { rateLimitPerMinute: 100_000 } },
      // As `serve` makes them: the open watches are the store's.
      metrics: createMetrics({
        openWatches: () => h.store.countActiveWatches(),
        processMetrics: true,
        storeReadTtlMs: 0,
      }),
    });
    await h.slack.socketConnected();
    await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
  });

  afterAll(async () => {
    await h?.close();
  });

  test('is served on the metrics port, counting only this app', async () => {
    const scrape = scrapeFrom(h);
    expect(valueOf((await scrape()).samples, 'front_why_diagnoses_total')).toBe(0);
    const mark = h.slack.calls.length;
    await h.slack.sendEnvelope('slash_commands', commandPayload('cnv_yo1kg5q', h.slack.responseUrl()));
    const answer = await waitFor(() => answered(h, mark, CHANNEL), 'the threaded answer');
    await h.idle();
    expect(valueOf((await scrape()).samples, 'front_why_open_watches')).toBe(0);
    await h.slack.sendEnvelope(
      'interactive',
      buttonClick(answer, ACTION_IDS.watch, { responseUrl: h.slack.responseUrl() }),
    );
    await h.idle();

    const { samples } = await scrape();
    expect(valueOf(samples, 'front_why_diagnoses_total')).toBe(1);
    expect(valueOf(samples, 'front_why_slack_ack_seconds_count', { kind: 'command' })).toBe(1);
    expect(valueOf(samples, 'front_why_slack_answer_seconds_count', { kind: 'command' })).toBe(1);
    expect(valueOf(samples, 'front_why_open_watches')).toBe(1);
    // The process metrics the app was given to serve.
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/elsewhere`)).status).toBe(404);
  });
});

/** Every spelling that reached the metrics on the Slack port before (Bolt matched routes case-insensitively, with or without a trailing slash). */
const SPELLINGS = ['/metrics', '/METRICS', '/Metrics', '/metrics/', '/METRICS/', '/metrics?x=1'];

describe.each([
  ['HTTP mode', false],
  ['Socket Mode', true],
])('where /metrics is served, in %s', (_mode, socket) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ socket });
    if (socket) await h.slack.socketConnected();
  });

  afterAll(async () => {
    await h?.close();
  });

  test.each(SPELLINGS)('the Slack port answers GET %s with 404 and no metric', async (path) => {
    const res = await fetch(`${h.url}${path}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('front_why_');
  });

  test('the metrics port answers on loopback, at /metrics exactly', async () => {
    expect(new URL(h.metricsUrl).hostname).toBe('127.0.0.1');
    const res = await fetch(`${h.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(valueOf(parseExposition(await res.text()), 'front_why_rules_loaded')).toBe(ruleFileCount(h.app.rules));
    for (const path of ['/METRICS', '/metrics/', '/healthz', '/slack/events'])
      expect((await fetch(`${h.metricsUrl}${path}`)).status).toBe(404);
  });
});

describe('a scrape storm', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  test('scrapes within the cache period count the open watches in the store once', async () => {
    const store = h.store;
    const count = store.countActiveWatches.bind(store);
    let queries = 0;
    store.countActiveWatches = () => {
      queries += 1;
      return count();
    };
    try {
      const scrapes = await Promise.all(
        Array.from({ length: 25 }, async () => (await fetch(`${h.metricsUrl}/metrics`)).text()),
      );
      for (let i = 0; i < 25; i += 1) await (await fetch(`${h.metricsUrl}/metrics`)).text();
      expect(queries).toBe(1);
      const expected = await count();
      for (const text of scrapes) expect(valueOf(parseExposition(text), 'front_why_open_watches')).toBe(expected);
    } finally {
      store.countActiveWatches = count;
    }
  });
});

describe('the metrics port bound beyond loopback', () => {
  const token = randomBytes(24).toString('hex');
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { FRONT_WHY_METRICS_HOST: '0.0.0.0', FRONT_WHY_METRICS_TOKEN: token } });
  });

  afterAll(async () => {
    await h?.close();
  });

  test('answers only a scrape with the bearer token', async () => {
    const scrape = (headers: Record<string, string>) => fetch(`${h.metricsUrl}/metrics`, { headers });
    for (const headers of [{}, { authorization: `Bearer ${token.slice(1)}` }, { authorization: token }] as Record<
      string,
      string
    >[]) {
      const res = await scrape(headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await res.text()).not.toContain('front_why_');
    }
    const res = await scrape({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('front_why_rules_loaded');
    expect(h.logs.join('\n')).not.toContain(token);
  });
});

describe('store-backed figures are cached', () => {
  test('read once per period however often scraped, again after it, and again at once after a failure', async () => {
    let now = 1_000_000;
    let reads = 0;
    let failNext = false;
    const metrics = createMetrics({
      now: () => now,
      storeReadTtlMs: 10_000,
      openWatches: async () => {
        reads += 1;
        if (failNext) {
          failNext = false;
          throw new Error('the store is down');
        }
        return 7;
      },
    });
    for (let i = 0; i < 5; i += 1)
      expect(valueOf(parseExposition(await metrics.text()), 'front_why_open_watches')).toBe(7);
    expect(reads).toBe(1);
    now += 9_999;
    await metrics.text();
    expect(reads).toBe(1);
    now += 1;
    failNext = true;
    await expect(metrics.text()).rejects.toThrow('the store is down');
    expect(reads).toBe(2);
    await metrics.text();
    expect(reads).toBe(3);
  });
});

describe('labels', () => {
  test('only a tenant name or a cause id reaches a label; anything else is counted as "invalid"', async () => {
    const metrics = createMetrics();
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    metrics.frontAttempt(token, 200);
    metrics.frontAttempt('acme', 429);
    metrics.frontAttempt('acme', undefined);
    metrics.diagnosis('not a cause: "quoted"', 'possible');
    const text = await metrics.text();
    const samples = parseExposition(text);
    expect(valueOf(samples, 'front_why_front_requests_total', { tenant: 'invalid', status_class: '2xx' })).toBe(1);
    expect(valueOf(samples, 'front_why_front_requests_total', { tenant: 'acme', status_class: '4xx' })).toBe(1);
    expect(valueOf(samples, 'front_why_front_requests_total', { tenant: 'acme', status_class: 'failed' })).toBe(1);
    expect(valueOf(samples, 'front_why_front_rate_limited_total', { tenant: 'acme' })).toBe(1);
    expect(valueOf(samples, 'front_why_diagnoses_total', { cause: 'invalid', status: 'possible' })).toBe(1);
    expect(text).not.toContain('eyJ');
    expect(text).not.toContain('quoted');
  });
});
