import type { Counter, Histogram, Registry } from 'prom-client';

/**
 * What an operator scrapes at GET /metrics (README, Metrics). One registry per instance, never prom-client's
 * global one, so several apps in one process (tests, replicas in a benchmark) each count only their own work.
 * prom-client (with the OpenTelemetry API it loads, some eighty modules) is loaded at the first count or scrape,
 * not when `serve` starts: nothing is counted before then, so nothing is lost.
 *
 * No label ever carries a token or customer text: labels are cause ids, statuses, tenant names (operator-chosen,
 * `[a-z0-9-]`), HTTP status classes and request kinds, each from a fixed list or checked against its pattern.
 */
export interface Metrics {
  readonly contentType: string;
  /** The exposition text, in Prometheus' text format. */
  text(): Promise<string>;
  /** One reported diagnosis; `cause` "none" with status "none" when a run found nothing to report. */
  diagnosis(cause: string, status: DiagnosisStatus): void;
  /** One HTTP attempt to Front that got an answer (`status`), or failed before one (`undefined`). */
  frontAttempt(tenant: string, status: number | undefined): void;
  /** A Slack request acknowledged (`ack`) or, when it ran a diagnosis, answered (`answer`), after `seconds`. */
  slackTiming(what: 'ack' | 'answer', kind: SlackRequestKind, seconds: number): void;
  /** Where the rules-loaded gauge reads its figure at each scrape (the rule set in force, whatever reloaded it). */
  countRulesWith(count: () => number): void;
  /** A Front error no rule explains, counted by whether its wording was seen before (`front-why unknowns`). */
  unknownWording(isNew: boolean): void;
  /** A call of the diagnosis API (POST /v1/diagnose) by key name ("none" without a working key), by HTTP status. */
  apiCall(key: string, status: number): void;
}

export type DiagnosisStatus = 'confirmed' | 'possible' | 'none' | 'unreadable';
export const SLACK_REQUEST_KINDS = ['command', 'action', 'event', 'view', 'other'] as const;
export type SlackRequestKind = (typeof SLACK_REQUEST_KINDS)[number];

export interface MetricsOptions {
  /**
   * prom-client's process metrics (CPU, memory, heap, event-loop lag, GC). They describe the process, so only the
   * process that owns it (`serve`) turns them on; each instance would otherwise start its own event-loop monitor.
   */
  processMetrics?: boolean;
  /**
   * Reads the number of open watches (a count in the store); without it the gauge is not exported. Read at most
   * once per `storeReadTtlMs`, so a scrape storm does not become a query storm.
   */
  openWatches?: () => number | Promise<number>;
  /** How long a figure read from the store is served again; default 10 s (Prometheus scrapes every 15 s or more). */
  storeReadTtlMs?: number;
  /** The cache's clock, in milliseconds. */
  now?: () => number;
}

const STORE_READ_TTL_MS = 10_000;

const TENANT_LABEL = /^[a-z0-9-]{1,40}$/;
const CAUSE_LABEL = /^[a-z0-9_]{1,64}$/;
/** API key names are operator-chosen and checked by the store (`[a-z0-9_.-]`); anything else is never a label. */
const KEY_LABEL = /^[a-z0-9][a-z0-9_.-]{0,39}$/;

interface Registered {
  registry: Registry;
  diagnoses: Counter<'cause' | 'status'>;
  frontRequests: Counter<'tenant' | 'status_class'>;
  front429: Counter<'tenant'>;
  ack: Histogram<'kind'>;
  answer: Histogram<'kind'>;
  unknownWordings: Counter<'wording'>;
  apiCalls: Counter<'key' | 'status'>;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  let rulesInForce: (() => number) | undefined;
  let registered: Registered | undefined;
  const metrics = () => (registered ??= register(options, () => rulesInForce?.()));

  return {
    get contentType() {
      return metrics().registry.contentType;
    },
    text: () => metrics().registry.metrics(),
    diagnosis(cause, status) {
      metrics().diagnoses.inc({ cause: CAUSE_LABEL.test(cause) ? cause : 'invalid', status });
    },
    frontAttempt(tenant, status) {
      const label = TENANT_LABEL.test(tenant) ? tenant : 'invalid';
      const { frontRequests, front429 } = metrics();
      frontRequests.inc({ tenant: label, status_class: statusClass(status) });
      if (status === 429) front429.inc({ tenant: label });
    },
    slackTiming(what, kind, seconds) {
      const { ack, answer } = metrics();
      (what === 'ack' ? ack : answer).observe({ kind }, seconds);
    },
    countRulesWith(count) {
      rulesInForce = count;
    },
    unknownWording(isNew) {
      metrics().unknownWordings.inc({ wording: isNew ? 'new' : 'seen' });
    },
    apiCall(key, status) {
      metrics().apiCalls.inc({ key: KEY_LABEL.test(key) ? key : 'invalid', status: String(Math.trunc(status)) });
    },
  };
}

/** The registry and its metrics; `rulesInForce` is read at each scrape (undefined: no rule count to give yet). */
function register(options: MetricsOptions, rulesInForce: () => number | undefined): Registered {
  const { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('prom-client') as typeof import('prom-client');
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const diagnoses = new Counter({
    name: 'front_why_diagnoses_total',
    help: 'Diagnoses reported in answers, by cause and status (cause "none", status "none": nothing found).',
    labelNames: ['cause', 'status'] as const,
    registers,
  });
  const frontRequests = new Counter({
    name: 'front_why_front_requests_total',
    help: 'HTTP requests sent to Front, retries included, by tenant and status class (2xx … 5xx, or "failed" without an answer).',
    labelNames: ['tenant', 'status_class'] as const,
    registers,
  });
  const front429 = new Counter({
    name: 'front_why_front_rate_limited_total',
    help: 'Requests Front answered with 429 Too Many Requests, by tenant.',
    labelNames: ['tenant'] as const,
    registers,
  });
  const ack = new Histogram({
    name: 'front_why_slack_ack_seconds',
    help: 'Time from a Slack request reaching the app to its acknowledgement, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3],
    registers,
  });
  const answer = new Histogram({
    name: 'front_why_slack_answer_seconds',
    help: 'Time from a Slack request reaching the app to its answer posted, for requests that ran a diagnosis, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30],
    registers,
  });
  const unknownWordings = new Counter({
    name: 'front_why_unknown_wordings_total',
    help: 'Front errors no rule explains, by wording: "new" (first seen) or "seen" (seen before); see `front-why unknowns`.',
    labelNames: ['wording'] as const,
    registers,
  });
  new Gauge({
    name: 'front_why_rules_loaded',
    help: 'Rule files (one a cause) in the rule set this instance serves.',
    registers,
    collect() {
      const count = rulesInForce();
      if (count !== undefined) this.set(count);
    },
  });
  const watches =
    options.openWatches &&
    cachedFor(options.openWatches, options.storeReadTtlMs ?? STORE_READ_TTL_MS, options.now ?? Date.now);
  if (watches) {
    new Gauge({
      name: 'front_why_open_watches',
      help: 'Watches open, across every replica sharing the store (read from the store at most every 10 s).',
      registers,
      async collect() {
        this.set(await watches());
      },
    });
  }

  const apiCalls = new Counter({
    name: 'front_why_api_calls_total',
    help: 'Calls of POST /v1/diagnose, by API key name ("none": no working key was sent) and HTTP status.',
    labelNames: ['key', 'status'] as const,
    registers,
  });
  return { registry, diagnoses, frontRequests, front429, ack, answer, unknownWordings, apiCalls };
}

function statusClass(status: number | undefined): string {
  if (status === undefined || status < 100 || status > 599) return 'failed';
  return `${Math.floor(status / 100)}xx`;
}

/**
 * `read`, called at most once per `ttlMs`: scrapes meanwhile (at the same moment included) share its answer. A
 * failed read is not kept, so the next scrape tries again.
 */
function cachedFor<T>(read: () => T | Promise<T>, ttlMs: number, now: () => number): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const at = now();
    if (!cached || at - cached.at >= ttlMs) {
      const value = Promise.resolve().then(read);
      const entry = { at, value };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };
}
