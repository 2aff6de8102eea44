import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, readSlackSecrets, type Config, ruleCacheDir } from '../config';
import { closeSharedFrontDispatcher } from '../front';
import { createLogger, type Logger } from '../log';
import { createMetrics } from '../metrics';
// By module, not through the rules' index, which would load the rule loader and its schemas (see rule-set.ts).
import { ruleFileCount } from '../rules/cause-set';
import { precompile } from '../rules/compile';
import { loadRulesOrThrow, rulesDirsText } from '../rules/rule-set';
import { createSlackApp, type SlackApp } from '../slack/app/create-app';
import { slackConfigProblems } from '../slack/app/slack-settings';
import { AuditScheduler } from '../slack/checks/audit-scheduler';
import { errorFields } from '../slack/send/failure';
import type { RulesReload } from '../slack/app/rule-book';
import { reloadSummary } from '../slack/render/reload-report';
import { KeyringError } from '../secrets/keyring';
import { isStoreError, Keyring, openStore, type Store } from '../store';
import { UsageError, type CliIo } from './io';
import { processState, readPidFile, removePidFile, writePidFile, writeReloadStatus } from './pid-file';
import { usageOf } from './help';

export const SERVE_USAGE = usageOf('serve');

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const RELOAD_SIGNAL = 'SIGHUP';

/**
 * `front-why serve`: config, store, rules, then the Slack app, logging "ready" once Slack can reach it. A broken
 * rule file or a bad setting stops it before it connects anywhere.
 *
 * Signals: SIGHUP reloads the rules (a broken file keeps the old ones serving; the errors go to the log).
 * SIGTERM / SIGINT stop it gracefully: new requests are refused politely, the watch loop (which the app starts with
 * it) starts no re-check and lets the running one finish, checks already running get up to
 * FRONT_WHY_SHUTDOWN_GRACE_MS, the store is closed, exit 0. A second SIGTERM / SIGINT ends it at once.
 */
export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  if (argv.length > 0) throw new UsageError(`unexpected argument "${argv[0]}"\n${SERVE_USAGE}`);

  const { config, keyring } = serveSettings(io.env);
  const logger = createLogger({
    level: config.LOG_LEVEL,
    destination: { write: (line: string) => io.stderr.write(line) },
  });
  // Refuses to start on a broken rule file, with the file:line:col message (printed by the CLI).
  // The text lines' conditions are compiled right after "ready" (below): a start need not wait for them.
  const rules = loadRulesOrThrow(config.FRONT_WHY_RULES_DIR, { cacheDir: ruleCacheDir(io.env), compileText: false });
  const pidFile = path.resolve(config.FRONT_WHY_PID_FILE);

  let store: Store;
  try {
    store = await openStore(config.FRONT_WHY_DB, keyring, {
      onBackgroundError: (err) => logger.error({ err: errorFields(err) }, 'store connection error'),
      onNotice: (message) => logger.warn(message),
    });
  } catch (err) {
    if (!isStoreError(err)) throw err;
    io.stderr.write(`front-why serve: ${err.message}\n`);
    return 1;
  }

  // What `front-why rules reload` reads back after its SIGHUP; kept only while this server owns the pid file.
  let recording = false;
  let seq = 0;
  const record = (result: RulesReload | { ok: true; rules: number }, trigger: string) => {
    if (!recording) return;
    writeReloadStatus(pidFile, {
      pid: process.pid,
      seq,
      at: new Date().toISOString(),
      trigger,
      ok: result.ok,
      dir: rulesDirsText(config.FRONT_WHY_RULES_DIR),
      ...(result.ok ? { rules: result.rules } : { serving: result.serving, errors: result.errors }),
    });
    seq += 1;
  };

  let app: SlackApp | undefined;
  // Installed before anything could send it: without a handler, SIGHUP would end the process. Every replica on the
  // store reloads too; what they came to is logged here.
  const onReload = () => {
    const current = app;
    if (!current) return;
    current
      .reloadEverywhere(RELOAD_SIGNAL, `${RELOAD_SIGNAL} to ${current.replicaId}`)
      .then(({ report }) => logger.info({ generation: report.generation }, `rules reload: ${reloadSummary(report)}`))
      .catch((err: unknown) => logger.error({ err: errorFields(err) }, 'could not reload the rules on every replica'));
  };
  process.on(RELOAD_SIGNAL, onReload);
  let started: { mode: string; port: number; metricsPort: number };
  try {
    app = createSlackApp({
      config,
      store,
      rules,
      logger,
      onRulesReloaded: (result, trigger) => record(result, trigger),
      // The process is this server's alone, so its CPU, memory and event-loop figures are served too.
      metrics: createMetrics({ processMetrics: true, openWatches: () => store.countActiveWatches() }),
    });
    started = await app.start();
  } catch (err) {
    process.off(RELOAD_SIGNAL, onReload);
    await app?.stop().catch(() => undefined);
    await store.close();
    throw err;
  }
  // Due audits run on one replica at a time: the lease in the store names this process.
  const scheduler = new AuditScheduler({
    store,
    clock: Date.now,
    holder: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    logger,
    ...app.auditParts(),
  });
  scheduler.start();
  const wrotePid = claimPidFile(pidFile, logger);
  if (wrotePid) {
    recording = true;
    try {
      record({ ok: true, rules: ruleFileCount(app.rules) }, 'start');
    } catch (err) {
      logger.warn({ err: errorFields(err) }, 'could not write the reload status file');
    }
  }
  logger.info(
    {
      mode: started.mode,
      port: started.port,
      metricsPort: started.metricsPort,
      rules: ruleFileCount(rules),
      pid: process.pid,
      watchIntervalMs: config.FRONT_WHY_WATCH_INTERVAL_MS,
      watchDays: config.FRONT_WHY_WATCH_DAYS,
      ...(wrotePid ? { pidFile } : {}),
    },
    'ready',
  );

  setImmediate(() => precompile(rules));
  const signal = await nextSignal();
  logger.info({ signal }, 'stopping');
  try {
    await shutdown(app, scheduler, store, logger);
  } finally {
    recording = false;
    if (wrotePid) removePidFile(pidFile, process.pid);
    process.off(RELOAD_SIGNAL, onReload);
  }
  logger.info('stopped');
  return 0;
}

/**
 * Every problem with the settings `serve` needs (the variables, the Slack tokens, the encryption key), found in one
 * pass: a first start lists them all at once instead of one more on each try.
 */
function serveSettings(env: NodeJS.ProcessEnv): { config: Config; keyring: Keyring } {
  const problems: string[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  problems.push(...slackConfigProblems(readSlackSecrets(env)));
  let keyring: Keyring | undefined;
  try {
    keyring = Keyring.fromEnv(env);
  } catch (err) {
    if (!(err instanceof KeyringError)) throw err;
    problems.push(err.message);
  }
  if (!config || !keyring || problems.length > 0) throw new ConfigError(problems);
  return { config, keyring };
}

/** Best effort: without a pid file `front-why rules reload` cannot find this server, but SIGHUP still works. */
function claimPidFile(file: string, logger: Logger): boolean {
  const previous = readPidFile(file);
  if (previous.kind === 'pid' && previous.pid !== process.pid && processState(previous.pid) !== 'gone') {
    logger.warn(
      { pidFile: file, previousPid: previous.pid },
      'the pid file named another running process; this server takes it over',
    );
  }
  try {
    writePidFile(file, process.pid);
    return true;
  } catch (err) {
    logger.warn(
      { pidFile: file, err: errorFields(err) },
      'could not write the pid file; `front-why rules reload` will not find this server (SIGHUP still works)',
    );
    return false;
  }
}

function nextSignal(): Promise<string> {
  return new Promise((resolve) => {
    const handlers = STOP_SIGNALS.map((signal) => {
      const handler = () => {
        // From here a second SIGTERM / SIGINT gets Node's default: the process ends at once.
        handlers.forEach(([s, h]) => process.off(s, h));
        resolve(signal);
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });
  });
}

async function shutdown(app: SlackApp, scheduler: AuditScheduler, store: Store, logger: Logger): Promise<void> {
  // No new audit starts; one running is cut short with the app's Front connections at the end of the grace.
  const schedulerStopped = scheduler.stop();
  try {
    await app.stop();
    await schedulerStopped;
  } finally {
    // After every check finished or was cut short, so no activity line is lost; SQLite checkpoints its WAL here.
    await store
      .close()
      .catch((err: unknown) => logger.error({ err: errorFields(err) }, 'could not close the store cleanly'));
    await closeSharedFrontDispatcher();
  }
}
