import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, defaultProcessEventErrorHandler, HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import { ConfigError, type Config } from '../../config';
import { parsePaste, type ParseResult } from '../../diagnosis';
import { connectTenant } from '../../diagnosis/live';
import { systemClock } from '../../front';
import type { Logger } from '../../log';
import type { Rule } from '../../rules';
import type { Store } from '../../store';
import { AdminCheck } from './admins';
import { boltLogger } from './bolt-logger';
import type { SlackDeps } from './deps';
import { errorFields, logFailure } from '../send/failure';
import { HEALTH_PATH, healthHandler, startHealthServer, type HealthServer } from './health';
import { whoAmI } from './identity';
import { InFlight } from './inflight';
import { registerActions } from '../listeners/actions';
import { registerCommands } from '../listeners/commands';
import { registerEvents } from '../listeners/events';
import { registerViews } from '../listeners/views';
import { guardRequests, RefusedRequestError, signedStamp } from './request-guard';
import { RuleBook, type RulesReload } from './rule-book';
import { gateRequests, RestartingError } from './shutdown-gate';
import { TenantConnections, type ConnectFn } from '../checks/tenant-connections';

export interface SlackAppOptions {
  config: Config;
  store: Store;
  rules: Rule[];
  logger: Logger;
  clock?: () => number;
  /** token → the tenant's Front connection; defaults to `connectTenant` with the config's Front settings. */
  connect?: ConnectFn;
  /** Where `reloadRules` reads the rules again; defaults to FRONT_WHY_RULES_DIR. */
  rulesDir?: string;
  /** Told after every reload, whatever triggered it (`serve` records the outcome for `front-why rules reload`). */
  onRulesReloaded?: (result: RulesReload, trigger: string) => void;
  /** The paste parser; defaults to `parsePaste`. */
  parse?: (text: string) => ParseResult;
}

export interface SlackApp {
  /** `port`: where /slack/events (HTTP mode) or /healthz (both modes) listens, useful with PORT=0. */
  start(): Promise<{ mode: 'http' | 'socket'; port: number }>;
  /**
   * Refuses new work at once (see shutdown-gate.ts), lets the checks already running finish for up to
   * FRONT_WHY_SHUTDOWN_GRACE_MS, then cuts what is left short, stops listening and closes every Front connection.
   * Calling it again while it runs returns the same promise.
   */
  stop(): Promise<void>;
  /**
   * Loads the rules again and swaps them in for the next diagnoses; a broken file changes nothing. Logs the
   * outcome (`trigger` says what asked: SIGHUP, slack, …) and returns it.
   */
  reloadRules(trigger?: string): RulesReload;
  /** The rule set in force. */
  readonly rules: Rule[];
  /**
   * Resolves true once no request and no check is running (work started meanwhile included), false if some still
   * is after `timeoutMs`: the moment a request's effects are all visible.
   */
  idle(timeoutMs: number): Promise<boolean>;
}

export const EVENTS_PATH = '/slack/events';
/**
 * After the grace period, the Front calls still running are cut short; this long is then left for those checks
 * to post what they found ("could not check …") and write their audit line before the store closes.
 */
const WRAP_UP_MS = 2_000;

interface Running {
  mode: 'http' | 'socket';
  app: App;
  receiver: HTTPReceiver | SocketModeReceiver;
  health?: HealthServer;
}

/**
 * The Slack side of front-why. Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), otherwise HTTP on
 * PORT at /slack/events with signatures checked against SLACK_SIGNING_SECRET. Nothing touches the network until
 * `start()`, which first asks Slack who the bot is (auth.test).
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, store, logger } = options;
  const mode = checkSlackConfig(config);
  const botToken = config.SLACK_BOT_TOKEN as string;
  const clock = options.clock ?? Date.now;
  const connect: ConnectFn =
    options.connect ??
    ((token) =>
      connectTenant(
        token,
        { baseUrl: config.FRONT_API_BASE_URL, requestTimeoutMs: config.FRONT_WHY_REQUEST_TIMEOUT_MS, timeoutMs: config.FRONT_WHY_TIMEOUT_MS, maxCalls: config.FRONT_WHY_MAX_CALLS },
        { now: clock, sleep: systemClock.sleep },
      ));
  const tenants = new TenantConnections(connect, store, config.FRONT_API_TOKEN);
  const admins = new AdminCheck(config, clock);
  const inflight = new InFlight();
  /** Every request let through the gate, until its listeners return (they await the work they start). */
  const requests = new InFlight();
  const ruleBook = new RuleBook(options.rulesDir ?? config.FRONT_WHY_RULES_DIR, options.rules);
  const log = boltLogger(logger);
  let running: Running | undefined;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const health = healthHandler(() => ({ mode, stopping, inflight: inflight.size }));

  const reloadRules = (trigger: string, fields: Record<string, unknown> = {}): RulesReload => {
    const result = ruleBook.reload();
    if (result.ok) {
      logger.info({ trigger, ...fields, rules: result.rules, previous: result.previous, dir: result.dir }, 'rules reloaded');
    } else {
      logger.error({ trigger, ...fields, serving: result.serving, dir: result.dir, errors: result.errors }, 'rules reload failed; the rules already loaded keep serving');
    }
    try {
      options.onRulesReloaded?.(result, trigger);
    } catch (err) {
      logger.warn({ err: errorFields(err) }, 'could not record the rules reload');
    }
    return result;
  };

  /** Waits until no request and no check is running, or until `deadline`; true when everything finished. */
  const drain = async (deadline: number): Promise<boolean> => {
    for (const work of [requests, inflight]) {
      if (!(await work.drain(Math.max(0, deadline - Date.now())))) return false;
    }
    return requests.size === 0 && inflight.size === 0;
  };

  const shutdown = async (current: Running): Promise<void> => {
    stopping = true;
    const graceMs = config.FRONT_WHY_SHUTDOWN_GRACE_MS;
    logger.info({ mode, running: inflight.size, graceMs }, 'stopping: new requests are refused, checks already running may finish');
    if (!(await drain(Date.now() + graceMs))) {
      logger.warn({ running: inflight.size, graceMs }, 'checks still running after the grace period: cutting their Front calls short');
      // Closing a connection aborts its requests: each check then answers with what it has ("could not check …").
      await tenants.closeAll();
      if (!(await drain(Date.now() + WRAP_UP_MS))) logger.warn({ running: inflight.size }, 'stopping without waiting for the checks still running');
    }
    // Listening stops only now: until here, new requests got a polite refusal rather than a connection error.
    if (current.receiver instanceof SocketModeReceiver) {
      // Bolt's stop() does not wait for the socket to close; the client's disconnect() does.
      await current.receiver.client.disconnect();
    } else {
      await current.app.stop();
    }
    await current.health?.close();
    await tenants.closeAll();
    logger.info({ mode }, 'slack app stopped');
  };

  // Fresh objects each time: Bolt writes its logger into the options it is given.
  const clientOptions = (): webApi.WebClientOptions => ({
    logger: log,
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    // The SDK default retries for half an hour; a reply that late helps no one, and a retried post may duplicate.
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000 },
    // Left alone, the client answers a 429 by pausing every call of the workspace for Retry-After, so a form
    // whose trigger expires in 3 seconds would wait it out too. Each caller decides instead (see send/slack-retry.ts).
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });

  return {
    async start() {
      if (running) throw new Error('the Slack app is already started');
      stopping = false;
      stopped = undefined;
      const identity = await identify(new webApi.WebClient(botToken, clientOptions()));
      const deps: SlackDeps = {
        config,
        store,
        get rules() {
          return ruleBook.current;
        },
        reloadRules,
        logger,
        clock,
        tenants,
        connect,
        admins,
        identity,
        inflight,
        parse: options.parse ?? ((text) => parsePaste(text)),
      };

      const receiver =
        mode === 'socket'
          ? new SocketModeReceiver({
              appToken: config.SLACK_APP_TOKEN as string,
              logger: log,
              installerOptions: { clientOptions: clientOptions() },
              // An event refused while stopping stays unacknowledged, so Slack delivers it again later.
              processEventErrorHandler: async (args) => (args.error instanceof RestartingError ? false : defaultProcessEventErrorHandler(args)),
            })
          : new HTTPReceiver({
              signingSecret: config.SLACK_SIGNING_SECRET as string,
              endpoints: EVENTS_PATH,
              port: config.PORT,
              logger: log,
              // The ack is sent as soon as a listener calls ack(): probes run after Slack has its answer.
              processBeforeResponse: false,
              customRoutes: [{ path: HEALTH_PATH, method: ['GET'], handler: health }],
              customPropertiesExtractor: signedStamp,
              processEventErrorHandler: async (args) => {
                if (args.error instanceof RefusedRequestError && !args.response.headersSent) {
                  // As Bolt answers a bad signature: Slack never sends such a request, so whoever did learns nothing more.
                  args.response.writeHead(401, { 'content-type': 'text/plain' });
                  args.response.end(args.error.reason === 'stale' ? 'request timestamp out of range\n' : 'request already received\n');
                  return true;
                }
                if (!(args.error instanceof RestartingError) || args.response.headersSent) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
                // Slack retries an event answered with anything but 2xx (at once, after 1 and 5 minutes).
                args.response.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '60' });
                args.response.end('front-why is restarting\n');
                return true;
              },
            });
      const app = new App({
        token: botToken,
        botId: identity.botId,
        botUserId: identity.botUserId,
        receiver,
        logger: log,
        clientOptions: clientOptions(),
        ignoreSelf: true,
        convoStore: false,
      });
      registerCommands(app, deps);
      registerEvents(app, deps);
      registerActions(app, deps);
      registerViews(app, deps);
      // The gate wraps the guard: a request refused while stopping costs no claim, and a claim is part of the request.
      guardRequests(app, { store, clock, logger });
      gateRequests(app, { stopping: () => stopping, requests, logger });
      app.error(async (err) => {
        logFailure(logger, 'slack request', err);
      });

      let port: number;
      if (receiver instanceof HTTPReceiver) {
        const server = (await app.start(config.PORT)) as Server;
        running = { mode, app, receiver };
        port = (server.address() as AddressInfo).port;
      } else {
        await app.start();
        // Recorded before the health server binds, so a failure there still lets stop() close the socket.
        running = { mode, app, receiver };
        running.health = await startHealthServer(config.PORT, health);
        port = running.health.port;
      }
      logger.info({ mode, port, team: identity.teamId, botUser: identity.botUserId }, 'slack app started');
      return { mode, port };
    },

    stop() {
      const current = running;
      if (!current) return stopped ?? Promise.resolve();
      running = undefined;
      stopped = shutdown(current);
      return stopped;
    },

    reloadRules(trigger = 'api') {
      return reloadRules(trigger);
    },

    get rules() {
      return ruleBook.current;
    },

    idle(timeoutMs) {
      return drain(Date.now() + timeoutMs);
    },
  };
}

/** Which mode the config asks for; throws a ConfigError naming each missing variable and where to find it. */
export function checkSlackConfig(config: Config): 'http' | 'socket' {
  const mode: 'http' | 'socket' = config.SLACK_APP_TOKEN ? 'socket' : 'http';
  const problems = missingSettings(config, mode);
  if (problems.length > 0) throw new ConfigError(problems);
  return mode;
}

function missingSettings(config: Config, mode: 'http' | 'socket'): string[] {
  const problems: string[] = [];
  if (!config.SLACK_BOT_TOKEN) {
    problems.push('SLACK_BOT_TOKEN is not set: copy the "Bot User OAuth Token" (xoxb-…) from your Slack app\'s OAuth & Permissions page');
  }
  if (mode === 'http' && !config.SLACK_SIGNING_SECRET) {
    problems.push(
      'SLACK_SIGNING_SECRET is not set: copy the "Signing Secret" from your Slack app\'s Basic Information page (or set SLACK_APP_TOKEN to use Socket Mode)',
    );
  }
  return problems;
}

async function identify(client: webApi.WebClient) {
  try {
    return await whoAmI(client);
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code) throw new Error(`Slack refused SLACK_BOT_TOKEN (auth.test: ${code}); copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions`);
    throw err;
  }
}
