import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { NO_FAULTS, PLAN_RATE_LIMITS } from '../src/sandbox';
import { parseExposition, valueOf } from '../test/slack/helpers/prometheus';
import type { RecordedCall } from '../test/slack/helpers/slack-standin';
import { buildCli, startServe, type ServeProcess } from './serve-process';
import {
  BURST_TENANTS,
  forbiddenPaste,
  RATE_LIMIT_MENTION,
  sender,
  shown,
  startFixture,
  type Binding,
  type Fixture,
  type Sender,
} from './slack';
import { median, quantile, round, table, waitUntil } from './stats';

/**
 * Several `serve` replicas on one PostgreSQL database, as a deployment behind a load balancer runs them: the same
 * burst of signed commands spread round-robin over 1 replica, then over 3, each run in a fresh minute of Front's
 * rate-limit windows and with every replica's caches cold. Front is the sandbox, Slack the stand-in, both here.
 */

export const DEFAULT_BENCH_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const REPLICA_COUNTS = [1, 3] as const;
const CHANNELS_PER_TENANT = 5;
/** Commands each replica answers before a run (no tenant: no Front request), so the JIT is warm in both runs. */
const WARM_UP_COMMANDS = 5;
const WARM_CHANNEL = 'C0REPWARM';

export interface ReplicaTenantFigures {
  name: string;
  plan: string;
  limitPerMinute: number;
  commands: number;
  /** Requests the sandbox received with the tenant's token during the run (one minute window). */
  frontRequests: number;
  /** Of which Front refused with 429, summed over the replicas' /metrics. */
  refused429: number;
  /** The same requests as the replicas' /metrics counted them (front_why_front_requests_total). */
  countedByMetrics: number;
  /** Requests of the window left to the customer's own integrations: the limit less what front-why spent. */
  leftToCustomer: number;
}

export interface ReplicaRunFigures {
  replicas: number;
  commands: number;
  ackMedianMs: number;
  ackP99Ms: number;
  ackMaxMs: number;
  ackStatuses: Record<string, number>;
  /** Commands answered in their thread / privately through response_url. */
  answered: number;
  privately: number;
  /** Answers that told the agent about a rate limit, a 429 or a check not made. */
  rateLimitMentions: number;
  /** First command sent → last reply posted. */
  drainMs: number;
  commandsPerSec: number;
  tenants: ReplicaTenantFigures[];
}

export type ReplicaFigures =
  | { ok: true; database: string; commands: number; latencyMs: number; runs: ReplicaRunFigures[] }
  | { ok: false; database: string; commands: number; reason: string };

interface Setup extends Fixture {
  channels: Binding[];
}

export async function benchReplicas(options: {
  latencyMs: number;
  commands: number;
  url?: string;
  progress?: (step: string) => void;
}): Promise<ReplicaFigures> {
  const url = options.url ?? DEFAULT_BENCH_POSTGRES_URL;
  const database = new URL(url).host;
  const admin = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (err) {
    await admin.end().catch(() => undefined);
    return {
      ok: false,
      database,
      commands: options.commands,
      reason: err instanceof Error ? err.message : String(err),
    };
  }
  const schema = `fw_bench_${randomBytes(6).toString('hex')}`;
  let setup: Setup | undefined;
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    buildCli();
    setup = await prepare(withSearchPath(url, schema));
    const runs: ReplicaRunFigures[] = [];
    for (const replicas of REPLICA_COUNTS) {
      const started = performance.now();
      runs.push(await run(setup, replicas, options));
      options.progress?.(`${replicas} replica(s) done in ${Math.round(performance.now() - started)} ms`);
    }
    return { ok: true, database, commands: options.commands, latencyMs: options.latencyMs, runs };
  } finally {
    await setup?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

/** The stand-ins, and the tenants and channel bindings every replica reads from the one database. */
async function prepare(db: string): Promise<Setup> {
  const channels = BURST_TENANTS.flatMap((t) =>
    Array.from({ length: CHANNELS_PER_TENANT }, (_, i): Binding => ({
      id: `C0REP${t.name.toUpperCase()}${i}`,
      tenant: t.name,
      token: t.token,
    })),
  );
  return { ...(await startFixture(channels, db)), channels };
}

async function run(
  setup: Setup,
  count: number,
  options: { latencyMs: number; commands: number },
): Promise<ReplicaRunFigures> {
  const { slack, sandbox } = setup;
  const replicas: ServeProcess[] = [];
  const clients: Sender[] = [];
  try {
    replicas.push(
      ...(await Promise.all(
        Array.from({ length: count }, (_, i) =>
          startServe({ ...setup.env, FRONT_WHY_PID_FILE: path.join(setup.dir, `replica-${count}-${i}.pid`) }),
        ),
      )),
    );
    clients.push(...replicas.map((r) => sender(setup, r)));

    // Tenants alternate; within a tenant its channels and targets rotate; replicas take turns (round-robin).
    const commands = Array.from({ length: options.commands }, (_, i) => {
      const tenant = BURST_TENANTS[i % BURST_TENANTS.length] as (typeof BURST_TENANTS)[number];
      const n = Math.floor(i / BURST_TENANTS.length);
      const own = setup.channels.filter((c) => c.tenant === tenant.name);
      const channel = own[n % own.length] as { id: string };
      const client = clients[i % count] as Sender;
      const target = tenant.targets[n % tenant.targets.length] as string;
      return { tenant: tenant.name, client, prepared: client.prepare(forbiddenPaste(target), channel.id) };
    });

    await warmUp(setup, replicas, clients);
    sandbox.setFaults({ ...NO_FAULTS, latencyMs: options.latencyMs });
    const now = Date.now();
    setup.shiftSandboxClock(Math.ceil(now / 60_000) * 60_000 - now + 100);
    sandbox.resetRateLimits();
    sandbox.resetStats();
    await Promise.all(clients.map((c) => c.warm(Math.ceil(commands.length / count))));
    const from = slack.calls.length;

    const started = Date.now();
    const sent = await Promise.all(commands.map((c) => c.client.send(c.prepared)));
    const channelIds = new Set(setup.channels.map((c) => c.id));
    const threads = () => threadsOf(slack.calls.slice(from).filter((c) => channelIds.has(String(c.args.channel))));
    const notices = () => slack.calls.slice(from).filter((c) => c.method === 'response_url').length;
    await waitUntil(
      () => threads().size + notices() >= commands.length,
      'an answer to every command',
      45_000,
      20,
    ).catch(() => undefined);
    await waitUntil(async () => (await inflight(replicas)) === 0, 'the run to finish', 20_000, 20).catch(
      () => undefined,
    );

    const answers = threads();
    const lastPost = Math.max(...[...answers.values()].flat().map((c) => c.at));
    const drainMs = lastPost - started;
    const stats = sandbox.stats();
    const scraped = await Promise.all(replicas.map(scrape));
    const summed = (name: string, tenant: string) =>
      scraped.reduce((sum, samples) => sum + valueOf(samples, name, { tenant }), 0);
    const ackMs = sent.map((s) => s.ackMs);
    const statuses: Record<string, number> = {};
    for (const s of sent) statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;

    return {
      replicas: count,
      commands: commands.length,
      ackMedianMs: round(median(ackMs), 1),
      ackP99Ms: round(quantile(ackMs, 0.99), 1),
      ackMaxMs: round(Math.max(...ackMs), 1),
      ackStatuses: statuses,
      answered: answers.size,
      privately: notices(),
      rateLimitMentions: [...answers.values()].filter((thread) => RATE_LIMIT_MENTION.test(shown(thread))).length,
      drainMs,
      commandsPerSec: round((commands.length * 1000) / drainMs, 1),
      tenants: BURST_TENANTS.map((t) => {
        const plan = sandbox.companies[t.company].plan;
        const limit = PLAN_RATE_LIMITS[plan];
        const frontRequests = stats.byToken[t.token] ?? 0;
        const refused429 = summed('front_why_front_rate_limited_total', t.name);
        return {
          name: t.name,
          plan,
          limitPerMinute: limit,
          commands: commands.filter((c) => c.tenant === t.name).length,
          frontRequests,
          refused429,
          countedByMetrics: summed('front_why_front_requests_total', t.name),
          leftToCustomer: Math.max(0, limit - (frontRequests - refused429)),
        };
      }),
    };
  } finally {
    clients.forEach((c) => c.close());
    await Promise.all(replicas.map((r) => r.stop()));
  }
}

/** A few diagnoses from the paste alone on every replica (an unbound channel: nothing asked of Front). */
async function warmUp(setup: Setup, replicas: ServeProcess[], clients: Sender[]): Promise<void> {
  const from = setup.slack.calls.length;
  const prepared = clients.flatMap((client) =>
    Array.from({ length: WARM_UP_COMMANDS }, () => ({
      client,
      prepared: client.prepare(forbiddenPaste('cnv_yo1kg5q'), WARM_CHANNEL),
    })),
  );
  await Promise.all(prepared.map((p) => p.client.send(p.prepared)));
  await waitUntil(
    () =>
      threadsOf(setup.slack.calls.slice(from).filter((c) => c.args.channel === WARM_CHANNEL)).size >= prepared.length,
    'the warm-up answers',
    20_000,
    20,
  );
  await waitUntil(async () => (await inflight(replicas)) === 0, 'the warm-up to finish', 20_000, 20);
}

function threadsOf(calls: RecordedCall[]): Map<string, RecordedCall[]> {
  const threads = new Map<string, RecordedCall[]>();
  for (const post of calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts)) {
    const key = `${String(post.args.channel)} ${String(post.args.thread_ts)}`;
    threads.set(key, [...(threads.get(key) ?? []), post]);
  }
  return threads;
}

async function inflight(replicas: ServeProcess[]): Promise<number> {
  const counts = await Promise.all(replicas.map((r) => r.inflight()));
  return counts.reduce((sum, n) => sum + n, 0);
}

async function scrape(replica: ServeProcess) {
  const res = await fetch(`${replica.metricsUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return parseExposition(await res.text());
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** The runs side by side, with the ratio of the last to the first (3 replicas vs 1). */
export function formatReplicas(r: ReplicaFigures): string {
  if (!r.ok) return `skipped: PostgreSQL at ${r.database} did not answer (${r.reason})`;
  const [one, many] = [r.runs[0], r.runs[r.runs.length - 1]] as [ReplicaRunFigures, ReplicaRunFigures];
  const ratio = (a: number, b: number) => (a > 0 ? `${round(b / a, 2)}×` : '-');
  const row = (figure: string, pick: (run: ReplicaRunFigures) => number) => [
    figure,
    ...r.runs.map((run) => String(pick(run))),
    ratio(pick(one), pick(many)),
  ];
  const rows = [
    row('commands per second (commands / first sent → last reply)', (x) => x.commandsPerSec),
    row('first command → last reply, ms', (x) => x.drainMs),
    row('ack median, ms', (x) => x.ackMedianMs),
    row('ack p99, ms', (x) => x.ackP99Ms),
    row('ack max, ms', (x) => x.ackMaxMs),
    row('answered in their thread', (x) => x.answered),
    row('answers telling of a rate limit or a check not made', (x) => x.rateLimitMentions),
    ...one.tenants.flatMap((t, i) => {
      const of = (x: ReplicaRunFigures) => x.tenants[i] as ReplicaTenantFigures;
      return [
        row(`${t.name} (${t.plan}, ${t.limitPerMinute}/min): requests to Front`, (x) => of(x).frontRequests),
        row(`${t.name}: of which refused with 429`, (x) => of(x).refused429),
        row(`${t.name}: left to the customer in the minute`, (x) => of(x).leftToCustomer),
      ];
    }),
  ];
  const statuses = r.runs
    .map(
      (run) =>
        `${run.replicas}: ${Object.entries(run.ackStatuses)
          .map(([status, n]) => `${n} × HTTP ${status}`)
          .join(', ')}`,
    )
    .join('; ');
  const agree = r.runs.every((run) => run.tenants.every((t) => t.countedByMetrics === t.frontRequests));
  return [
    table(
      ['figure', ...r.runs.map((run) => `${run.replicas} replica(s)`), `${many.replicas} vs ${one.replicas}`],
      rows,
    ),
    '',
    `acks by replica count: ${statuses}`,
    `the replicas' /metrics ${agree ? 'counted exactly the requests the sandbox received' : 'DISAGREE with the sandbox on the requests per tenant'}`,
  ].join('\n');
}
