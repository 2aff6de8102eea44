import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import path from 'node:path';
import { loadConfig, type Config } from '../../../src/config';
import { createLogger } from '../../../src/log';
import type { Metrics } from '../../../src/metrics';
import { loadRulesOrThrow, type Rule } from '../../../src/rules';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/server';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../../src/slack/app/create-app';
import type { ParseResult } from '../../../src/input';
import type { ConnectFn } from '../../../src/slack/checks/tenant-connections';
import { TOKEN_ACTION_ID, TOKEN_BLOCK_ID } from '../../../src/slack/render/connect-view';
import { Keyring, openStore, type Store } from '../../../src/store';
import { signedHeaders } from './signing';
import { startSlackStandIn, TEAM_ID, type RecordedCall, type SlackStandIn } from './slack-standin';

export const ADMIN = 'U0ADMIN';
export const AGENT = 'U0AGENT';
export const GUEST = 'U0GUEST';
export const GUEST_TEAM = 'T0OTHERORG';
export const CHANNEL = 'C0SUPPORT';

export interface Who {
  user?: string;
  team?: string;
  channel?: string;
}

export interface HttpReply {
  status: number;
  body: string;
  /** When the app's HTTP response (the ack) arrived, in ms since the request was sent. */
  elapsedMs: number;
  receivedAt: number;
}

export interface HarnessOptions {
  env?: Record<string, string | undefined>;
  socket?: boolean;
  sandbox?: SandboxOptions;
  connect?: ConnectFn;
  /**
   * Starts another replica of `replicaOf`'s app: the same Slack stand-in, sandbox, signing secret, bot token and
   * store location (its own Store connection, as a second process would have). Closing it leaves those running.
   */
  replicaOf?: Harness;
  /** The app's paste parser (the real one, perhaps counted). */
  parse?: (text: string) => ParseResult;
  /** The watches' clock and loop timers (null: no loop; the test calls `app.tickWatches()`). */
  watch?: SlackAppOptions['watch'];
  /** What the app's GET /metrics serves (the app makes its own when absent). */
  metrics?: Metrics;
  /** The rules the app starts with, instead of loading FRONT_WHY_RULES_DIR. */
  rules?: Rule[];
  /** The app's clock (its Front budgets, shares and deadlines); the wall clock when absent. */
  clock?: () => number;
  /** Body size, timeouts and connection cap of the app's ports (the app's defaults when absent). */
  httpLimits?: SlackAppOptions['httpLimits'];
}

export interface Harness {
  url: string;
  port: number;
  /** Where GET /metrics answers: FRONT_WHY_METRICS_PORT on loopback. */
  metricsUrl: string;
  slack: SlackStandIn;
  sandbox: Sandbox;
  store: Store;
  config: Config;
  app: SlackApp;
  secret: string;
  botToken: string;
  appToken: string | undefined;
  /** The environment the app's config was read from. */
  env: Record<string, string | undefined>;
  /** Every log line the app wrote, at trace level. */
  logs: string[];
  /** A signed POST to /slack/events. */
  send(body: string, contentType: string, headers?: Record<string, string>): Promise<HttpReply>;
  command(text: string, who?: Who): Promise<HttpReply & { responseUrl: string }>;
  event(event: Record<string, unknown>, opts?: { eventId?: string; retryNum?: number }): Promise<HttpReply>;
  interact(payload: Record<string, unknown>): Promise<HttpReply>;
  /**
   * Resolves once every request the app received and every check it started has finished, so "nothing more
   * happened" can be asserted; throws if work is still running after 10 s.
   */
  idle(): Promise<void>;
  /** Adds a tenant (token from the sandbox) and binds `channel` to it, as an admin would. */
  bindTenant(name: string, token: string, channel: string): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const base = options.replicaOf;
  const botToken = base?.botToken ?? `xoxb-${randomBytes(8).toString('hex')}-test`;
  const appToken = base ? base.appToken : options.socket ? `xapp-1-${randomBytes(8).toString('hex')}-test` : undefined;
  const secret = base?.secret ?? randomBytes(16).toString('hex');
  const dir = base ? undefined : mkdtempSync(path.join(tmpdir(), 'front-why-slack-'));
  const slack = base?.slack ?? (await startSlackStandIn({ botToken, ...(appToken ? { appToken } : {}) }));
  const sandbox = base?.sandbox ?? (await startSandbox({ port: 0, ...options.sandbox }));
  const env: Record<string, string | undefined> = base
    ? { ...base.env, ...options.env }
    : {
        SLACK_BOT_TOKEN: botToken,
        SLACK_SIGNING_SECRET: secret,
        SLACK_APP_TOKEN: appToken,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        FRONT_WHY_METRICS_PORT: '0',
        FRONT_API_BASE_URL: sandbox.url,
        FRONT_WHY_DB: path.join(dir as string, 'front-why.db'),
        FRONT_WHY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        FRONT_WHY_ADMINS: ADMIN,
        FRONT_WHY_REQUEST_TIMEOUT_MS: '2000',
        FRONT_WHY_TIMEOUT_MS: '5000',
        LOG_LEVEL: 'trace',
        ...options.env,
      };
  const config = loadConfig(env);
  const logs: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => logs.push(line) } });
  const store = await openStore(config.FRONT_WHY_DB, Keyring.parse(env.FRONT_WHY_ENCRYPTION_KEY));
  const rules = options.rules ?? loadRulesOrThrow(config.FRONT_WHY_RULES_DIR);
  const app = createSlackApp({
    config,
    store,
    rules,
    logger,
    ...(options.connect ? { connect: options.connect } : {}),
    ...(options.parse ? { parse: options.parse } : {}),
    ...(options.watch ? { watch: options.watch } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.httpLimits ? { httpLimits: options.httpLimits } : {}),
  });
  const { port, metricsPort } = await app.start();
  const url = `http://127.0.0.1:${port}`;
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;

  const send = async (body: string, contentType: string, headers: Record<string, string> = {}): Promise<HttpReply> => {
    const started = Date.now();
    const res = await fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: { ...signedHeaders(secret, body, contentType), ...headers },
      body,
    });
    const receivedAt = Date.now();
    return { status: res.status, body: await res.text(), elapsedMs: receivedAt - started, receivedAt };
  };

  return {
    url,
    port,
    metricsUrl,
    slack,
    sandbox,
    store,
    config,
    app,
    secret,
    botToken,
    appToken,
    env,
    logs,
    send,
    async command(text, who = {}) {
      const responseUrl = slack.responseUrl();
      const reply = await send(
        new URLSearchParams(commandPayload(text, responseUrl, who)).toString(),
        'application/x-www-form-urlencoded',
      );
      return { ...reply, responseUrl };
    },
    event(event, opts = {}) {
      const body = JSON.stringify(eventEnvelope(event, opts.eventId));
      return send(
        body,
        'application/json',
        opts.retryNum ? { 'x-slack-retry-num': String(opts.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {},
      );
    },
    interact(payload) {
      return send(
        new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        'application/x-www-form-urlencoded',
      );
    },
    async idle() {
      if (!(await app.idle(10_000))) throw new Error('the app still had work running after 10 s');
    },
    async bindTenant(name, token, channel) {
      if (!(await store.getTenant(name))) await store.addTenant({ name, token, addedBy: ADMIN });
      await store.bindChannel({ teamId: TEAM_ID, channelId: channel, tenant: name, boundBy: ADMIN });
    },
    async close() {
      await app.stop();
      await store.close();
      if (base) return;
      await sandbox.close();
      await slack.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function commandPayload(text: string, responseUrl: string, who: Who = {}): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: who.team ?? TEAM_ID,
    team_domain: 'front-why-test',
    channel_id: who.channel ?? CHANNEL,
    channel_name: 'support',
    user_id: who.user ?? AGENT,
    user_name: 'someone',
    command: '/front-why',
    text,
    api_app_id: 'A0FRONTWHY',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: `${Date.now()}.1234.${randomBytes(4).toString('hex')}`,
  };
}

let eventCounter = 0;

export function eventEnvelope(event: Record<string, unknown>, eventId?: string): Record<string, unknown> {
  eventCounter += 1;
  return {
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    api_app_id: 'A0FRONTWHY',
    type: 'event_callback',
    event_id: eventId ?? `Ev${Date.now()}${eventCounter}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM_ID, user_id: 'U0BOTUSER', is_bot: true, is_enterprise_install: false }],
    event,
  };
}

let messageCounter = 0;

/** A plain user message in a channel, as the Events API delivers it. */
export function userMessage(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  messageCounter += 1;
  return {
    type: 'message',
    channel: CHANNEL,
    channel_type: 'channel',
    user: AGENT,
    text,
    ts: `1710000000.${String(messageCounter).padStart(6, '0')}`,
    team: TEAM_ID,
    ...extra,
  };
}

/** The connect form (`/front-why connect`) as Slack submits it, `token` typed into it, by `user`. */
export function connectSubmission(
  opened: RecordedCall,
  token: string,
  user: { id: string; team_id?: string } = { id: ADMIN, team_id: TEAM_ID },
): Record<string, unknown> {
  const view = opened.args.view as Record<string, unknown>;
  return {
    type: 'view_submission',
    team: { id: TEAM_ID, domain: 'front-why-test' },
    user: { ...user, username: 'someone', name: 'someone' },
    api_app_id: 'A0FRONTWHY',
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.1.${randomBytes(3).toString('hex')}`,
    view: {
      ...view,
      id: `V0${randomBytes(3).toString('hex').toUpperCase()}`,
      team_id: TEAM_ID,
      hash: 'h1',
      state: { values: { [TOKEN_BLOCK_ID]: { [TOKEN_ACTION_ID]: { type: 'plain_text_input', value: token } } } },
    },
    response_urls: [],
  };
}

/** A button click on a message the bot posted. */
export function buttonClick(
  call: RecordedCall,
  actionId: string,
  who: Who & { responseUrl: string },
): Record<string, unknown> {
  const args = call.args as {
    channel: string;
    thread_ts?: string;
    blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
  };
  const button = args.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
  if (!button) throw new Error(`no button ${actionId} in that message`);
  const ts = `1710000999.${String(++messageCounter).padStart(6, '0')}`;
  return {
    type: 'block_actions',
    user: { id: who.user ?? AGENT, username: 'someone', name: 'someone', team_id: who.team ?? TEAM_ID },
    api_app_id: 'A0FRONTWHY',
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: ts,
      channel_id: args.channel,
      is_ephemeral: false,
      ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}),
    },
    trigger_id: `${Date.now()}.1234.abcd`,
    team: { id: TEAM_ID, domain: 'front-why-test' },
    channel: { id: args.channel, name: 'support' },
    message: {
      type: 'message',
      ts,
      ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}),
      text: 'answer',
      user: 'U0BOTUSER',
      bot_id: 'B0BOTID',
    },
    response_url: who.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'button' },
        value: button.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

export async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** All text Slack would render from a recorded call, for content assertions. */
export function renderedText(call: RecordedCall): string {
  return JSON.stringify(call.args);
}

/**
 * The error a brand-new TCP connection to `url` meets, or undefined when it connects. A new socket, never a pooled
 * one: fetch may reuse a kept-alive connection, and that one's closing says nothing about whether the server
 * still listens.
 */
export function newConnectionError(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
  });
}
