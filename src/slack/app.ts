import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import { ConfigError, type Config } from '../config';
import { connectTenant } from '../diagnosis/live';
import { systemClock } from '../front';
import type { Logger } from '../log';
import type { Rule } from '../rules';
import type { Store } from '../store';
import { AdminCheck } from './access';
import { boltLogger } from './bolt-logger';
import type { SlackDeps } from './context';
import { logFailure } from './failure';
import { HEALTH_PATH, healthHandler, startHealthServer, type HealthServer } from './health';
import { whoAmI } from './identity';
import { InFlight } from './inflight';
import { registerActions } from './listeners/actions';
import { registerCommands } from './listeners/commands';
import { registerEvents } from './listeners/events';
import { registerViews } from './listeners/views';
import { TenantConnections, type ConnectFn } from './tenants';

export interface SlackAppOptions {
  config: Config;
  store: Store;
  rules: Rule[];
  logger: Logger;
  clock?: () => number;
  /** token → the tenant's Front connection; defaults to `connectTenant` with the config's Front settings. */
  connect?: ConnectFn;
}

export interface SlackApp {
  /** `port`: where /slack/events (HTTP mode) or /healthz (both modes) listens, useful with PORT=0. */
  start(): Promise<{ mode: 'http' | 'socket'; port: number }>;
  /** Stops taking work, lets running checks finish (bounded), then closes every Front connection. */
  stop(): Promise<void>;
}

export const EVENTS_PATH = '/slack/events';
/** How long a shutdown waits for checks already running; Front calls are bounded by FRONT_WHY_TIMEOUT_MS. */
const DRAIN_MS = 15_000;

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
  const { config, store, rules, logger } = options;
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
  const log = boltLogger(logger);
  let running: Running | undefined;
  let stopping = false;
  const health = healthHandler(() => ({ mode, stopping, inflight: inflight.size }));

  // Fresh objects each time: Bolt writes its logger into the options it is given.
  const clientOptions = (): webApi.WebClientOptions => ({
    logger: log,
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    // The SDK default retries for half an hour; a reply that late helps no one, and a retried post may duplicate.
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000 },
    timeout: 10_000,
  });

  return {
    async start() {
      if (running) throw new Error('the Slack app is already started');
      stopping = false;
      const identity = await identify(new webApi.WebClient(botToken, clientOptions()));
      const deps: SlackDeps = { config, store, rules, logger, clock, tenants, connect, admins, identity, inflight };

      const receiver =
        mode === 'socket'
          ? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN as string, logger: log, installerOptions: { clientOptions: clientOptions() } })
          : new HTTPReceiver({
              signingSecret: config.SLACK_SIGNING_SECRET as string,
              endpoints: EVENTS_PATH,
              port: config.PORT,
              logger: log,
              // The ack is sent as soon as a listener calls ack(): probes run after Slack has its answer.
              processBeforeResponse: false,
              customRoutes: [{ path: HEALTH_PATH, method: ['GET'], handler: health }],
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

    async stop() {
      const current = running;
      if (!current) return;
      running = undefined;
      stopping = true;
      if (current.receiver instanceof SocketModeReceiver) {
        // Bolt's stop() does not wait for the socket to close; the client's disconnect() does.
        await current.receiver.client.disconnect();
      } else {
        await current.app.stop();
      }
      // In Socket Mode /healthz keeps answering (503) while the checks already running finish.
      await inflight.drain(DRAIN_MS);
      await current.health?.close();
      await tenants.closeAll();
      logger.info({ mode }, 'slack app stopped');
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
