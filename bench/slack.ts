import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  NO_FAULTS,
  PLAN_RATE_LIMITS,
  SANDBOX_SCENARIOS,
  startSandbox,
  type CompanyKey,
  type Sandbox,
  type SandboxScenario,
  type TokenName,
} from '../src/sandbox';
import { Keyring, openStore } from '../src/store';
import { commandPayload } from '../test/slack/helpers/harness';
import { signedHeaders } from '../test/slack/helpers/signing';
import { startSlackStandIn, TEAM_ID, type RecordedCall, type SlackStandIn } from '../test/slack/helpers/slack-standin';
import { buildCli, HEAP_PROBE_ARGS, startServe, timeBareBolt, type ServeProcess } from './serve-process';
import { median, megabytes, quantile, round, waitUntil } from './stats';

/**
 * The Slack app as it runs in production: `node bin/front-why.js serve` in a process of its own (HTTP mode), its
 * Web API pointed at the Slack stand-in and Front at the sandbox, both in this process, on loopback. Commands are
 * signed and posted to /slack/events exactly as Slack sends them.
 */

const ADMIN = 'U0BENCHADMIN';
const AGENT = 'U0BENCHAGENT';
/** Spawns of `serve` timed from spawn to ready; the last one stays up for the rest. */
const STARTUP_RUNS = 5;
/** Cold end-to-end runs per scenario (each in a channel of a fresh tenant); the median is reported. */
const E2E_RUNS = 3;
const BURST_CHANNELS_PER_TENANT = 5;
/** The tenants of the burst and the conversations their agents ask about. */
export const BURST_TENANTS: readonly {
  name: string;
  token: TokenName;
  company: CompanyKey;
  targets: readonly string[];
}[] = [
  { name: 'acme', token: 'acme_private', company: 'acme', targets: ['cnv_yo1kg5q', 'cnv_yo1kg5v', 'cnv_yo1kg5w'] },
  {
    name: 'globex',
    token: 'globex_private',
    company: 'globex',
    targets: ['cnv_zq3ab11', 'cnv_zq3ab12', 'cnv_zq3ab10'],
  },
];
/** What an answer says when a check was held back or refused for the rate limit (or could not be made at all). */
export const RATE_LIMIT_MENTION = /could not check|not sent:|\b429\b|rate[- ]limit/i;

export interface StartupFigures {
  runs: number;
  /** Spawn → "ready" logged, per run. */
  readyMs: number[];
  medianReadyMs: number;
  maxReadyMs: number;
  /** Spawn → first 200 from /healthz (asked as soon as "ready" names the port). */
  medianHealthMs: number;
  /** Every run's spawn → /healthz answered. */
  healthMs: number[];
  /** The bare Bolt app (one listener, same environment), spawn → first HTTP answer, one run before each of serve's. */
  bareBoltMs: number[];
  medianBareBoltMs: number;
  /** medianHealthMs / medianBareBoltMs. */
  healthVsBareBolt: number;
  /** Resident memory once ready (the last run), before any work. */
  rssAtReadyMb: number;
  /** JS heap in use after a full collection, at ready. */
  heapAtReadyMb: number;
}

export interface EndToEndFigures {
  scenario: string;
  cause: string | undefined;
  expected: string;
  /** "N request(s) to Front" as the reply states it. */
  calls: number | undefined;
  /** Medians over E2E_RUNS cold runs. */
  ackMs: number;
  /** Command sent → parent message posted. */
  parentMs: number;
  /** Command sent → the threaded reply's last message posted, observed at the Slack stand-in. */
  e2eMs: number;
  /** Every run's e2eMs. */
  runsMs: number[];
  depth: number;
  boundMs: number;
  ratio: number | null;
}

export interface BurstTenantFigures {
  name: string;
  plan: string;
  limitPerMinute: number;
  commands: number;
  distinctTargets: number;
  /** Requests the sandbox received with this tenant's token during the burst. */
  frontCalls: number;
  /** Of which GET /conversations/{id} (each diagnosis asks it afresh unless it can join one in flight). */
  conversationReads: number;
  causes: Record<string, number>;
}

export interface BurstFigures {
  commands: number;
  channels: number;
  tenants: BurstTenantFigures[];
  ackMedianMs: number;
  ackP99Ms: number;
  ackMaxMs: number;
  /** HTTP status of each ack, counted. */
  ackStatuses: Record<string, number>;
  /** Commands whose threaded answer was posted. */
  replies: number;
  /** Answers that told the agent about a rate limit, a 429, or a check that could not be made. */
  rateLimitFailures: number;
  /** Ephemeral notices through response_url (failures, or answers when the bot could not post). */
  ephemeralNotices: number;
  /** 429s the sandbox answered during the burst. */
  front429s: number;
  /** First command sent → last reply posted. */
  drainMs: number;
  /** Resident memory as soon as the last diagnosis finished. */
  rssAfterMb: number;
  /** JS heap in use then, before and after a full collection. */
  heapUsedMb: number;
  heapLiveMb: number;
}

export interface SlackFigures {
  startup: StartupFigures;
  endToEnd: EndToEndFigures[];
  burst: BurstFigures;
}

interface Channel {
  id: string;
  tenant: string;
}

export interface Binding extends Channel {
  token: TokenName;
}

export interface Fixture {
  slack: SlackStandIn;
  sandbox: Sandbox;
  /** Moves the sandbox's clock (its rate-limit windows) forward. */
  shiftSandboxClock(ms: number): void;
  secret: string;
  env: Record<string, string>;
  /** A folder of the fixture's own (the SQLite file, pid files), removed by `close`. */
  dir: string;
  close(): Promise<void>;
}

interface ScenarioChannels {
  scenario: SandboxScenario;
  warm: Channel;
  measured: Channel[];
}

export async function benchSlack(options: {
  latencyMs: number;
  burst: number;
  depthByScenario: Map<string, number>;
}): Promise<SlackFigures> {
  buildCli();
  const scenarios: ScenarioChannels[] = SANDBOX_SCENARIOS.map((scenario, i) => ({
    scenario,
    warm: { id: `C0WARM${i}`, tenant: `warm-${slug(scenario.name)}` },
    measured: Array.from({ length: E2E_RUNS }, (_, run) => ({
      id: `C0RUN${run}S${i}`,
      tenant: `e2e${run}-${slug(scenario.name)}`,
    })),
  }));
  const burstChannels = BURST_TENANTS.flatMap((t) =>
    Array.from({ length: BURST_CHANNELS_PER_TENANT }, (_, i): Binding => ({
      id: `C0${t.name.toUpperCase()}${i}`,
      tenant: t.name,
      token: t.token,
    })),
  );
  const fixture = await startFixture([
    ...scenarios.flatMap(({ scenario, warm, measured }) =>
      [warm, ...measured].map((c) => ({ ...c, token: scenario.tokenName })),
    ),
    ...burstChannels,
  ]);

  let serve: ServeProcess | undefined;
  let client: Sender | undefined;
  try {
    const startup = await measureStartup(fixture, (kept) => {
      serve = kept;
    });
    const app = serve as unknown as ServeProcess;
    client = sender(fixture, app);
    const endToEnd = await measureEndToEnd(fixture, app, client, scenarios, options.latencyMs, options.depthByScenario);
    const burst = await measureBurst(fixture, app, client, burstChannels, options);
    return { startup, endToEnd, burst };
  } finally {
    client?.close();
    await serve?.stop();
    await fixture.close();
  }
}

/**
 * The Slack stand-in, the sandbox, and a store with every tenant and channel binding `serve` will need: a SQLite
 * file of the fixture's own, or `database` (a PostgreSQL URL several replicas share).
 */
export async function startFixture(bindings: Binding[], database?: string): Promise<Fixture> {
  const botToken = `xoxb-${randomBytes(8).toString('hex')}-bench`;
  const secret = randomBytes(16).toString('hex');
  const key = randomBytes(32).toString('base64');
  const dir = mkdtempSync(path.join(tmpdir(), 'front-why-bench-'));
  const db = database ?? path.join(dir, 'front-why.db');
  const slack = await startSlackStandIn({ botToken });
  let offset = 0;
  const sandbox = await startSandbox({ port: 0, clock: () => Date.now() + offset });

  const store = await openStore(db, Keyring.parse(key));
  try {
    for (const binding of bindings) {
      if (!(await store.getTenant(binding.tenant)))
        await store.addTenant({ name: binding.tenant, token: sandbox.tokens[binding.token], addedBy: ADMIN });
      await store.bindChannel({ teamId: TEAM_ID, channelId: binding.id, tenant: binding.tenant, boundBy: ADMIN });
    }
  } finally {
    await store.close();
  }

  return {
    slack,
    sandbox,
    shiftSandboxClock: (ms) => {
      offset += ms;
    },
    secret,
    env: {
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      FRONT_WHY_METRICS_PORT: '0',
      FRONT_API_BASE_URL: sandbox.url,
      FRONT_WHY_DB: db,
      FRONT_WHY_ENCRYPTION_KEY: key,
      FRONT_WHY_ADMINS: ADMIN,
      FRONT_WHY_PID_FILE: path.join(dir, 'front-why.pid'),
      LOG_LEVEL: 'info',
    },
    dir,
    async close() {
      await sandbox.close();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function measureStartup(fixture: Fixture, keep: (serve: ServeProcess) => void): Promise<StartupFigures> {
  const ready: number[] = [];
  const health: number[] = [];
  const bare: number[] = [];
  let rss = 0;
  let heap = 0;
  // Alternating, so a change in the machine's load weighs on both alike.
  for (let run = 0; run < STARTUP_RUNS; run += 1) {
    bare.push((await timeBareBolt(fixture.env)).answerMs);
    const serve = await startServe(fixture.env, 15_000, HEAP_PROBE_ARGS);
    ready.push(serve.readyMs);
    health.push(serve.healthMs);
    if (run < STARTUP_RUNS - 1) {
      await serve.stop();
      continue;
    }
    keep(serve);
    rss = serve.rssBytes();
    heap = (await serve.heapAfterGc()).heapUsed;
  }
  return {
    runs: STARTUP_RUNS,
    readyMs: ready.map((ms) => round(ms)),
    medianReadyMs: round(median(ready)),
    maxReadyMs: round(Math.max(...ready)),
    medianHealthMs: round(median(health)),
    healthMs: health.map((ms) => round(ms)),
    bareBoltMs: bare.map((ms) => round(ms)),
    medianBareBoltMs: round(median(bare)),
    healthVsBareBolt: round(median(health) / median(bare), 2),
    rssAtReadyMb: megabytes(rss),
    heapAtReadyMb: megabytes(heap),
  };
}

export type Sender = ReturnType<typeof sender>;

interface Sent {
  sentAt: number;
  ackMs: number;
  status: number;
}

/**
 * Signed slash commands over keep-alive connections (node:http: fetch's own overhead with hundreds of
 * concurrent requests would swamp the app's). `warm` opens the sockets beforehand, so an ack's time is the
 * app's: request written → response read.
 */
export function sender(fixture: Pick<Fixture, 'slack' | 'secret'>, serve: Pick<ServeProcess, 'url'>) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const { port } = new URL(serve.url);
  const request = (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
      req.on('error', reject);
      req.end(body);
    });
  const prepare = (text: string, channel: string) => {
    const body = new URLSearchParams(
      commandPayload(text, fixture.slack.responseUrl(), { channel, user: AGENT }),
    ).toString();
    return { body, headers: signedHeaders(fixture.secret, body, 'application/x-www-form-urlencoded') };
  };
  /** Status 0: no HTTP answer at all (the connection failed or timed out). */
  const send = async (prepared: ReturnType<typeof prepare>): Promise<Sent> => {
    const sentAt = Date.now();
    const started = performance.now();
    const status = await request('POST', '/slack/events', prepared.headers, prepared.body).catch(() => 0);
    return { sentAt, ackMs: performance.now() - started, status };
  };
  /** Opens `sockets` keep-alive connections (as many concurrent health checks). */
  const warm = async (sockets: number) => {
    await Promise.all(Array.from({ length: sockets }, () => request('GET', '/healthz', {}, '')));
  };
  return { prepare, send, warm, close: () => agent.destroy() };
}

function postsIn(slack: SlackStandIn, from: number, channel: string): RecordedCall[] {
  return slack.calls.slice(from).filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel);
}

async function measureEndToEnd(
  fixture: Fixture,
  serve: ServeProcess,
  client: Sender,
  scenarios: ScenarioChannels[],
  latencyMs: number,
  depthByScenario: Map<string, number>,
): Promise<EndToEndFigures[]> {
  const { sandbox, slack } = fixture;

  // One command, then its whole answer: the thread reply seen, and nothing left running in the app.
  const runOne = async (scenario: SandboxScenario, channel: Channel) => {
    const from = slack.calls.length;
    const sent = await client.send(client.prepare(scenario.input, channel.id));
    if (sent.status !== 200) throw new Error(`scenario ${scenario.name}: the command was answered ${sent.status}`);
    await waitUntil(
      () => postsIn(slack, from, channel.id).some((c) => c.args.thread_ts),
      `the reply to ${scenario.name}`,
      15_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; serve's last log lines:\n${serve.recentLogs().join('\n')}`);
    });
    await waitUntil(async () => (await serve.inflight()) === 0, `${scenario.name} to finish`, 15_000, 2);
    const posts = postsIn(slack, from, channel.id);
    const thread = posts.filter((c) => c.args.thread_ts);
    return {
      sent,
      parentAt: posts.find((c) => !c.args.thread_ts)?.at ?? Number.NaN,
      lastAt: (thread[thread.length - 1] as RecordedCall).at,
      text: shown(thread),
    };
  };

  // Warms the process (JIT, sockets to Front and Slack) with each scenario once, in channels of their own
  // tenants, so the measured runs still start with an empty tenant cache.
  for (const { scenario, warm } of scenarios) {
    sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: 100_000, ...scenario.faults, outage: false });
    sandbox.resetRateLimits();
    await runOne(scenario, warm);
  }

  const figures: EndToEndFigures[] = [];
  for (const { scenario, measured } of scenarios) {
    const runs: Awaited<ReturnType<typeof runOne>>[] = [];
    for (const channel of measured) {
      sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: 100_000, latencyMs, ...scenario.faults });
      sandbox.resetRateLimits();
      runs.push(await runOne(scenario, channel));
    }
    const e2e = runs.map((r) => r.lastAt - r.sent.sentAt);
    const e2eMs = median(e2e);
    const depth = depthByScenario.get(scenario.name) ?? Number.NaN;
    const boundMs = depth * latencyMs;
    const first = runs[0] as (typeof runs)[number];
    figures.push({
      scenario: scenario.name,
      cause: causeIn(first.text),
      expected: scenario.expectedCause,
      calls: callsIn(first.text),
      ackMs: round(median(runs.map((r) => r.sent.ackMs)), 1),
      parentMs: median(runs.map((r) => r.parentAt - r.sent.sentAt)),
      e2eMs,
      runsMs: e2e,
      depth,
      boundMs,
      ratio: boundMs > 0 ? round(e2eMs / boundMs, 2) : null,
    });
  }
  return figures;
}

async function measureBurst(
  fixture: Fixture,
  serve: ServeProcess,
  client: Sender,
  channels: Binding[],
  options: { latencyMs: number; burst: number },
): Promise<BurstFigures> {
  const { sandbox, slack } = fixture;
  // Tenants alternate; within a tenant, its channels and its targets rotate.
  const commands = Array.from({ length: options.burst }, (_, i) => {
    const tenant = BURST_TENANTS[i % BURST_TENANTS.length] as (typeof BURST_TENANTS)[number];
    const n = Math.floor(i / BURST_TENANTS.length);
    const own = channels.filter((c) => c.tenant === tenant.name);
    const target = tenant.targets[n % tenant.targets.length] as string;
    const channel = own[n % own.length] as Channel;
    return { tenant: tenant.name, target, prepared: client.prepare(forbiddenPaste(target), channel.id) };
  });

  // The plans' own limits (acme: Starter, 50 a minute), with a whole fresh minute window ahead.
  sandbox.setFaults({ ...NO_FAULTS, latencyMs: options.latencyMs });
  const now = Date.now();
  fixture.shiftSandboxClock(Math.ceil(now / 60_000) * 60_000 - now + 100);
  sandbox.resetRateLimits();
  sandbox.resetStats();
  await client.warm(commands.length);
  const from = slack.calls.length;

  const started = Date.now();
  const sent = await Promise.all(commands.map((c) => client.send(c.prepared)));
  const burstChannels = new Set(channels.map((c) => c.id));
  const postsSince = () =>
    slack.calls.slice(from).filter((c) => c.method === 'chat.postMessage' && burstChannels.has(String(c.args.channel)));
  const threadsOf = (posts: RecordedCall[]) => {
    const threads = new Map<string, RecordedCall[]>();
    for (const post of posts.filter((c) => c.args.thread_ts)) {
      const key = `${String(post.args.channel)} ${String(post.args.thread_ts)}`;
      threads.set(key, [...(threads.get(key) ?? []), post]);
    }
    return threads;
  };
  const notices = () => slack.calls.slice(from).filter((c) => c.method === 'response_url').length;
  // Bounded: whatever has not arrived by then shows in the figures as missing answers.
  await waitUntil(
    () => threadsOf(postsSince()).size + notices() >= commands.length,
    'an answer to every command',
    60_000,
    20,
  ).catch(() => undefined);
  await waitUntil(async () => (await serve.inflight()) === 0, 'the burst to finish', 30_000, 20).catch(() => undefined);
  const rss = serve.rssBytes();
  const heap = await serve.heapAfterGc();

  const posts = postsSince();
  const threads = threadsOf(posts);
  const stats = sandbox.stats();
  const ackMs = sent.map((s) => s.ackMs);
  const statuses: Record<string, number> = {};
  for (const s of sent) statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
  const answers = [...threads.entries()].map(([key, thread]) => ({
    channel: key.split(' ')[0] as string,
    text: shown(thread),
  }));

  return {
    commands: commands.length,
    channels: channels.length,
    tenants: BURST_TENANTS.map((tenant) => {
      const own = new Set(channels.filter((c) => c.tenant === tenant.name).map((c) => c.id));
      const causes: Record<string, number> = {};
      for (const answer of answers.filter((a) => own.has(a.channel))) {
        const cause = causeIn(answer.text) ?? '(none)';
        causes[cause] = (causes[cause] ?? 0) + 1;
      }
      const mine = commands.filter((c) => c.tenant === tenant.name);
      return {
        name: tenant.name,
        plan: sandbox.companies[tenant.company].plan,
        limitPerMinute: PLAN_RATE_LIMITS[sandbox.companies[tenant.company].plan],
        commands: mine.length,
        distinctTargets: new Set(mine.map((c) => c.target)).size,
        frontCalls: stats.byToken[tenant.token] ?? 0,
        conversationReads: tenant.targets.reduce((sum, id) => sum + (stats.byPath[`/conversations/${id}`] ?? 0), 0),
        causes,
      };
    }),
    ackMedianMs: round(median(ackMs), 1),
    ackP99Ms: round(quantile(ackMs, 0.99), 1),
    ackMaxMs: round(Math.max(...ackMs), 1),
    ackStatuses: statuses,
    replies: threads.size,
    rateLimitFailures: answers.filter((a) => RATE_LIMIT_MENTION.test(a.text)).length,
    ephemeralNotices: notices(),
    front429s: stats.byStatus['429'] ?? 0,
    drainMs: Math.max(...posts.map((c) => c.at)) - started,
    rssAfterMb: megabytes(rss),
    heapUsedMb: megabytes(heap.heapUsedBefore),
    heapLiveMb: megabytes(heap.heapUsed),
  };
}

/** The original report's shape (the failing call and Front's 403), for any conversation. */
export function forbiddenPaste(id: string): string {
  return `GET https://api2.frontapp.com/conversations/${id}\n403 {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"${id}\\""}}`;
}

/** What Slack would show of these posts, as one text. */
export function shown(posts: RecordedCall[]): string {
  return posts.map((c) => JSON.stringify(c.args)).join('\n');
}

/** The first diagnosis's cause, from the reply's "`cause` · confidence …" line. */
export function causeIn(text: string): string | undefined {
  return /`([a-z_]+)` · confidence/.exec(text)?.[1];
}

function callsIn(text: string): number | undefined {
  const match = /(\d+) request\(s\) to Front/.exec(text);
  return match ? Number(match[1]) : undefined;
}

function slug(name: string): string {
  return name.replace(/_/g, '-').slice(0, 32);
}
