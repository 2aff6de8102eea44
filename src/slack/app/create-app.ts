import type { webApi } from '@slack/bolt';
import type { Config } from '../../config';
import { parsePaste, wordingsOfRules, type ParseResult } from '../../diagnosis';
import { rateBudgetsFor } from '../../diagnosis/budgets';
import { connectTenant } from '../../diagnosis/live';
import { storedTeammates, type StoredTeammates } from '../../diagnosis/teammate-map';
import { DEFAULT_BUDGET_KEY, systemClock, type RateBudgets } from '../../front';
import type { Logger } from '../../log';
import { createMetrics, type Metrics } from '../../metrics';
import type { Rule, RulesDirs } from '../../rules';
import { ruleFileCount } from '../../rules/cause-set';
import type { ChannelBinding, Store } from '../../store';
import type { AuditReport } from '../../diagnosis/audit';
import type { AuditChange } from '../../diagnosis/audit-change';
import { ApiAlerts } from '../checks/api-alerts';
import { CheckShare } from '../checks/check-share';
import { HomeViews } from '../checks/home-views';
import { auditThrough, postAuditChange } from '../checks/scheduled-audit';
import { DEFAULT_TENANT_LABEL, TenantConnections, type ConnectFn } from '../checks/tenant-connections';
import { registerActions } from '../listeners/actions';
import { registerCommands } from '../listeners/commands';
import { registerEvents } from '../listeners/events';
import { registerViews } from '../listeners/views';
import { errorFields, logFailure } from '../send/failure';
import { AdminCheck, HOW_TO_NAME_ADMINS } from './admins';
import { apiRoutes } from './api-routes';
import { App, HTTPReceiver, WebClient } from './bolt';
import { boltLogger } from './bolt-logger';
import type { SlackDeps } from './deps';
import { frontDoor } from './front-door';
import { HEALTH_PATH, healthHandler, READY_PATH, readinessHandler, type HttpRoute } from './health';
import { HTTP_LIMITS, listen, type HttpLimits } from './http-server';
import { DEFAULT_SLACK_API_URL, identify } from './identity';
import { checkSlackConfig } from './slack-settings';
import { InFlight } from './inflight';
import { UserTeams } from './user-teams';
import { startMetricsServer } from './metrics-server';
import { replicaCount } from './replica-count';
import { buildReceiver, slackClientOptions } from './receiver';
import { guardRequests } from './request-guard';
import { requestTimer, type RequestTimer } from './request-metrics';
import { loggedReload, RuleBook, type RulesReload } from './rule-book';
import { RuleSync, type ReloadReport } from './rule-sync';
import { gateRequests } from './shutdown-gate';
import { drainer, stopRunning, type Running } from './stop';
import { startOwnerSweepLoop, startWatchLoop, type OwnerSweepLoop, type WatchLoopOptions } from './watches';
import { WatchShare, type WatchRunner } from '../../watch';

export interface SlackAppOptions {
  config: Config;
  store: Store;
  rules: Rule[];
  logger: Logger;
  clock?: () => number;
  /**
   * Every Front budget of the process; defaults to `rateBudgetsFor(store)` (shared through PostgreSQL). `serve`
   * passes its own so other callers of the process draw from the same budgets.
   */
  budgets?: RateBudgets;
  /** (token, budget key) → the tenant's Front connection; defaults to `connectTenant` with the config's settings. */
  connect?: ConnectFn;
  /** Where `reloadRules` reads the rules again; defaults to the built-in rules and FRONT_WHY_RULES_DIR's folders. */
  rulesDir?: RulesDirs;
  /** Told after every reload, whatever triggered it (`serve` records the outcome for `front-why rules reload`). */
  onRulesReloaded?: (result: RulesReload, trigger: string) => void;
  /** The paste parser; defaults to `parsePaste`. */
  parse?: (text: string) => ParseResult;
  /** The watches' clock (default: `clock`) and loop timers; tests pass a clock they move and tick by hand. */
  watch?: WatchLoopOptions & { now?: () => number };
  /**
   * What GET /metrics serves on FRONT_WHY_METRICS_PORT (`serve` adds the process metrics); defaults to a registry
   * of this app's own.
   */
  metrics?: Metrics;
  /** Body size, timeouts and connection cap of the ports it listens on; defaults to HTTP_LIMITS (http-server.ts). */
  httpLimits?: Partial<HttpLimits>;
}

export interface SlackApp {
  /**
   * `port`: where /slack/events (HTTP mode) and /healthz, /readyz (both modes) listen; `metricsPort`: where
   * /metrics does (FRONT_WHY_METRICS_HOST). Useful with PORT=0 and FRONT_WHY_METRICS_PORT=0.
   */
  start(): Promise<{ mode: 'http' | 'socket'; port: number; metricsPort: number }>;
  /**
   * Refuses new work at once (see shutdown-gate.ts), lets the checks already running finish for up to
   * FRONT_WHY_SHUTDOWN_GRACE_MS, then cuts what is left short, stops listening and closes every Front connection
   * (see stop.ts). Calling it again while it runs returns the same promise.
   */
  stop(): Promise<void>;
  /**
   * Loads the rules again and swaps them in for the next diagnoses; a broken file changes nothing. Logs the
   * outcome (`trigger` says what asked: SIGHUP, slack, …) and returns it.
   */
  reloadRules(trigger?: string): RulesReload;
  /**
   * Reloads here, then has every replica on the store reload (see rule-sync.ts) and waits, bounded, for their
   * outcomes: what SIGHUP and `/front-why reload` do.
   */
  reloadEverywhere(
    trigger: string,
    requestedBy: string,
    fields?: Record<string, unknown>,
  ): Promise<{ local: RulesReload; report: ReloadReport }>;
  /** The rule set in force. */
  readonly rules: Rule[];
  /** How the other replicas name this one (host:pid). */
  readonly replicaId: string;
  /**
   * Resolves true once no request and no check is running (work started meanwhile included), false if some still
   * is after `timeoutMs`: the moment a request's effects are all visible.
   */
  idle(timeoutMs: number): Promise<boolean>;
  /** Re-checks every watch due now (the background loop does this on its own); resolves with how many. */
  tickWatches(): Promise<number>;
  /** Works a step of every owner sweep due now (the background loop does this on its own); resolves with how many. */
  tickOwnerSweeps(): Promise<number>;

  /**
   * What the audit scheduler `serve` runs needs from the app, once started: an audit on the tenant's shared
   * connection (its rate budget), a post to a bound channel, and a refresh of the Home tabs showing the tenant.
   */
  auditParts(): {
    audit: (tenant: string, tenantId: string) => Promise<AuditReport | undefined>;
    post: (binding: ChannelBinding, change: AuditChange) => Promise<void>;
    onResult: (tenant: string) => void;
  };
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
  const limits: HttpLimits = { ...HTTP_LIMITS, ...options.httpLimits };
  const metrics = options.metrics ?? createMetrics({ openWatches: () => store.countActiveWatches() });
  const budgets =
    options.budgets ??
    rateBudgetsFor(
      store,
      { requestTimeoutMs: config.FRONT_WHY_REQUEST_TIMEOUT_MS },
      {
        clock: { now: clock },
        onError: (err) => logFailure(logger, 'shared rate budget', err),
      },
    );
  const connect =
    options.connect ??
    frontConnector(config, clock, budgets, metrics, (tenant) =>
      storedTeammates({
        store,
        tenant,
        ttlMs: config.FRONT_WHY_TEAMMATES_TTL,
        clock,
        onError: (err) => logFailure(logger, 'teammate map', err),
      }),
    );
  const tenants = new TenantConnections(connect, store, config.FRONT_API_TOKEN, clock);
  const admins = new AdminCheck(config, clock);
  const userTeams = new UserTeams(clock);
  const inflight = new InFlight();
  /** Every request let through the gate, until its listeners return; the checks they start are in `inflight` (answer-later.ts). */
  const requests = new InFlight();
  const drain = drainer(requests, inflight);
  const ruleBook = new RuleBook(options.rulesDir ?? config.FRONT_WHY_RULES_DIR, options.rules);
  const reloadRules = loggedReload(ruleBook, logger, options.onRulesReloaded);
  metrics.countRulesWith(() => ruleFileCount(ruleBook.current));
  const timer = requestTimer(metrics);
  const log = boltLogger(logger);
  let running: Running | undefined;
  let watches: WatchRunner | undefined;
  let ownerSweeps: OwnerSweepLoop | undefined;
  const watchNow = options.watch?.now ?? clock;
  const watchSettings = {
    now: watchNow,
    schedule: { intervalMs: config.FRONT_WHY_WATCH_INTERVAL_MS, days: config.FRONT_WHY_WATCH_DAYS },
    share: new WatchShare(watchNow, config.FRONT_WHY_MAX_CALLS),
  };
  const replicas = replicaCount(store, clock, logger);
  const share = new CheckShare({
    now: clock,
    sleep: systemClock.sleep,
    percent: config.FRONT_WHY_CHECK_SHARE_PERCENT,
    replicas,
  });
  let live: { client: webApi.WebClient; homes: HomeViews } | undefined;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const health = healthHandler(() => ({ mode, stopping, inflight: inflight.size }));
  const ready = readinessHandler(
    () => ({ stopping, rules: ruleFileCount(ruleBook.current), ping: () => store.ping() }),
    (reason, err) => logger.warn({ err: errorFields(err) }, `not ready: ${reason}`),
  );
  const routes: HttpRoute[] = [
    { path: HEALTH_PATH, method: ['GET'], handler: health },
    { path: READY_PATH, method: ['GET'], handler: ready },
  ];
  const ruleSync = new RuleSync({ store, reload: reloadRules, logger, clock });
  const reloadEverywhere = (trigger: string, requestedBy: string, fields: Record<string, unknown> = {}) =>
    ruleSync.reloadEverywhere(trigger, requestedBy, fields);

  return {
    async start() {
      if (running) throw new Error('the Slack app is already started');
      stopping = false;
      stopped = undefined;
      const client = new WebClient(botToken, slackClientOptions(config, log));
      const identity = await identify(client, config.SLACK_API_URL ?? DEFAULT_SLACK_API_URL);
      if (!admins.configured) {
        logger.warn(
          `no front-why admins are configured, so nobody can connect a tenant or bind a channel from Slack; to make someone an admin, ${HOW_TO_NAME_ADMINS}`,
        );
      }
      const homes = new HomeViews({ store, clock, teamId: identity.teamId, admins, inflight, logger }, client);
      live = { client, homes };
      await ruleSync.start();
      // After this replica's first heartbeat, so it counts itself.
      await replicas.start();
      const deps: SlackDeps = {
        config,
        store,
        get rules() {
          return ruleBook.current;
        },
        reloadRules,
        reloadEverywhere,
        logger,
        clock,
        tenants,
        budgets,
        connect,
        admins,
        userTeams,
        identity,
        inflight,
        parse: options.parse ?? ((text) => parsePaste(text, { wordings: wordingsOfRules(ruleBook.current) })),
        share,
        watch: watchSettings,
        metrics: timer,
        homes,
      };

      const receiver = buildReceiver(mode, config, log, limits.bodyBytes);
      const app = new App({
        token: botToken,
        botId: identity.botId,
        botUserId: identity.botUserId,
        receiver,
        logger: log,
        clientOptions: slackClientOptions(config, log),
        ignoreSelf: true,
        convoStore: false,
      });
      wireListeners(app, deps, { stopping: () => stopping, requests, timer });
      const alerts = new ApiAlerts(deps, client);
      const portRoutes = [
        ...routes,
        ...apiRoutes(deps, {
          metrics,
          stopping: () => stopping,
          replicas,
          requests,
          onAnswer: (answered) => alerts.raise(answered),
        }),
      ];

      // Before anything else listens: a port already taken stops the start here, with the variable to change.
      const metricsServer = await startMetricsServer({
        host: config.FRONT_WHY_METRICS_HOST,
        port: config.FRONT_WHY_METRICS_PORT,
        token: config.FRONT_WHY_METRICS_TOKEN,
        metrics,
        limits,
        onError: (err) => logFailure(logger, 'serving /metrics', err),
      });
      let port: number;
      try {
        if (receiver instanceof HTTPReceiver) {
          // Bolt's own server would read up to 4 MiB of anyone's body before checking a signature; the front door
          // judges the headers first and hands Bolt only the requests it admitted, already read.
          const entrance = { listener: receiver.requestListener, clock, bodyBytes: limits.bodyBytes, logger };
          const server = await listen(config.PORT, undefined, frontDoor(portRoutes, entrance), limits);
          running = { mode, app, receiver, servers: [server, metricsServer] };
          port = server.port;
        } else {
          await app.start();
          // Recorded before the health server binds, so a failure there still lets stop() close the socket.
          running = { mode, app, receiver, servers: [metricsServer] };
          const health = await listen(config.PORT, undefined, frontDoor(portRoutes), limits);
          running.servers.push(health);
          port = health.port;
        }
      } catch (err) {
        if (!running) await metricsServer.close();
        throw err;
      }
      watches = startWatchLoop(deps, app.client, options.watch);
      ownerSweeps = startOwnerSweepLoop(deps, app.client, options.watch);
      const metricsPort = metricsServer.port;
      logger.info({ mode, port, metricsPort, team: identity.teamId, botUser: identity.botUserId }, 'slack app started');
      return { mode, port, metricsPort };
    },

    stop() {
      const current = running;
      // A start that failed half-way may have begun hearing reloads.
      if (!current) {
        replicas.stop();
        return stopped ?? ruleSync.stop();
      }
      running = undefined;
      stopping = true;
      const runner = watches;
      const sweeps = ownerSweeps;
      watches = undefined;
      ownerSweeps = undefined;
      stopped = (async () => {
        // No re-check starts from here; the one running finishes (within its deadline) before connections close.
        await Promise.all([runner?.stop(), sweeps?.stop()]);
        await stopRunning(current, {
          graceMs: config.FRONT_WHY_SHUTDOWN_GRACE_MS,
          logger,
          checks: inflight,
          drain,
          closeConnections: async () => {
            await tenants.closeAll();
            await budgets.close();
          },
        });
      })().finally(() => {
        replicas.stop();
        return ruleSync.stop();
      });
      return stopped;
    },

    reloadRules(trigger = 'api') {
      return reloadRules(trigger);
    },

    reloadEverywhere,

    get replicaId() {
      return ruleSync.replicaId;
    },

    get rules() {
      return ruleBook.current;
    },

    idle(timeoutMs) {
      return drain(Date.now() + timeoutMs);
    },

    tickWatches() {
      return watches ? watches.tick() : Promise.resolve(0);
    },

    tickOwnerSweeps() {
      return ownerSweeps ? ownerSweeps.tick() : Promise.resolve(0);
    },

    auditParts() {
      const started = live;
      if (!started) throw new Error('the Slack app is not started');
      return {
        audit: auditThrough(tenants, clock),
        post: postAuditChange(started.client),
        onResult: (tenant) => started.homes.tenantChanged(tenant),
      };
    },
  };
}

/**
 * A tenant's Front connection with the config's deadlines, call cap and the tenant's rate budget, its requests counted
 * by tenant; a stored tenant's with its teammate map.
 */
function frontConnector(
  config: Config,
  clock: () => number,
  budgets: RateBudgets,
  metrics: Metrics,
  teammatesOf: (tenant: string) => StoredTeammates,
): ConnectFn {
  return (token, budgetKey) =>
    connectTenant(
      token,
      {
        baseUrl: config.FRONT_API_BASE_URL,
        requestTimeoutMs: config.FRONT_WHY_REQUEST_TIMEOUT_MS,
        timeoutMs: config.FRONT_WHY_TIMEOUT_MS,
        maxCalls: config.FRONT_WHY_MAX_CALLS,
        onFrontAttempt: (status) => metrics.frontAttempt(tenantMetricLabel(budgetKey), status),
      },
      { now: clock, sleep: systemClock.sleep },
      budgets.forTenant(budgetKey),
      budgetKey === DEFAULT_BUDGET_KEY ? undefined : teammatesOf(budgetKey),
    );
}

/** The listeners of each kind of request, then the guard and the gate every request passes first, then the timer. */
function wireListeners(
  app: App,
  deps: SlackDeps,
  gate: { stopping: () => boolean; requests: InFlight; timer: RequestTimer },
): void {
  registerCommands(app, deps);
  registerEvents(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  // The gate wraps the guard: a request refused while stopping costs no claim, and a claim is part of the request.
  guardRequests(app, { store: deps.store, clock: deps.clock, logger: deps.logger });
  gateRequests(app, { stopping: gate.stopping, requests: gate.requests, logger: deps.logger });
  // Outermost, so time to ack includes the guard's replay check (a store round trip) as Slack waits for it.
  gate.timer.instrument(app);
  app.error(async (err) => {
    logFailure(deps.logger, 'slack request', err);
  });
}

/** Which mode the config asks for; throws a ConfigError naming each missing variable and where to find it. */
/** The metrics count the FRONT_API_TOKEN's requests as "default", the name the rest of the app shows for it. */
function tenantMetricLabel(budgetKey: string): string {
  return budgetKey === DEFAULT_BUDGET_KEY ? DEFAULT_TENANT_LABEL : budgetKey;
}
