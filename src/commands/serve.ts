import { loadConfig } from '../config';
import { closeSharedFrontDispatcher } from '../front';
import { createLogger, type Logger } from '../log';
import { loadRulesOrThrow } from '../rules';
import { checkSlackConfig, createSlackApp } from '../slack/app';
import { errorFields } from '../slack/failure';
import { isStoreError, Keyring, openStore, type Store } from '../store';
import { UsageError, type CliIo } from './io';

export const SERVE_USAGE = 'usage: front-why serve   (configuration from the environment: see docs/slack.md)';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * `front-why serve`: config, store, rules, then the Slack app, logging "ready" once Slack can reach it. A broken
 * rule file or a bad setting stops it before it connects anywhere; SIGTERM / SIGINT stop it cleanly.
 */
export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  if (argv.length > 0) throw new UsageError(`unexpected argument "${argv[0]}"\n${SERVE_USAGE}`);

  const config = loadConfig(io.env);
  checkSlackConfig(config);
  const logger = createLogger({ level: config.LOG_LEVEL, destination: { write: (line: string) => io.stderr.write(line) } });
  // Refuses to start on a broken rule file, with the file:line:col message (printed by the CLI).
  const rules = loadRulesOrThrow(config.FRONT_WHY_RULES_DIR);

  let store: Store;
  try {
    store = await openStore(config.FRONT_WHY_DB, Keyring.fromEnv(io.env), {
      onBackgroundError: (err) => logger.error({ err: errorFields(err) }, 'store connection error'),
    });
  } catch (err) {
    if (!isStoreError(err)) throw err;
    io.stderr.write(`front-why serve: ${err.message}\n`);
    return 1;
  }

  let app: ReturnType<typeof createSlackApp> | undefined;
  let started: { mode: string; port: number };
  try {
    app = createSlackApp({ config, store, rules, logger });
    started = await app.start();
  } catch (err) {
    await app?.stop().catch(() => undefined);
    await store.close();
    throw err;
  }
  logger.info({ mode: started.mode, port: started.port, rules: rules.length }, 'ready');

  const signal = await nextSignal();
  logger.info({ signal }, 'stopping');
  await shutdown(app, store, logger);
  return 0;
}

function nextSignal(): Promise<string> {
  return new Promise((resolve) => {
    const handlers = STOP_SIGNALS.map((signal) => {
      const handler = () => {
        handlers.forEach(([s, h]) => process.off(s, h));
        resolve(signal);
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });
  });
}

async function shutdown(app: { stop(): Promise<void> }, store: Store, logger: Logger): Promise<void> {
  try {
    await app.stop();
  } finally {
    await store.close();
    await closeSharedFrontDispatcher();
    logger.info('stopped');
  }
}
