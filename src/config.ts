import { homedir } from 'node:os';
import path from 'node:path';
import { DEFAULT_FRONT_BASE_URL, isLoopbackHost, validateBaseUrl, validateServiceUrl } from './front/base-url';

/**
 * Every environment variable front-why reads, validated once. A bad value is reported with the variable's
 * name and how to fix it; a secret's value is never echoed back.
 *
 * Plain functions, not a schema library: every command reads the settings first, and `front-why explain` should not
 * pay for loading one (see test/cli/start-cost.test.ts).
 */

const PACKAGE_ROOT = path.resolve(__dirname, '..');

/** Reads one variable's value (undefined when unset); a bad value throws a Problem. */
type Reader<T> = (value: string | undefined) => T;

/** What is wrong with a variable's value, said after its name. */
class Problem extends Error {}

function invalid(message: string): never {
  throw new Problem(message);
}

function isBlank(v: string | undefined): v is undefined {
  return v === undefined || v.trim() === '';
}

const positiveInt =
  (fallback: number): Reader<number> =>
  (v) => {
    if (isBlank(v)) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) invalid(`must be a positive whole number (got "${v}")`);
    return n;
  };

/** A whole number from `min` to `max`, with what the bounds mean in the message. */
const boundedInt =
  (fallback: number, min: number, max: number, unit: string): Reader<number> =>
  (v) => {
    if (isBlank(v)) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      invalid(`must be a whole number of ${unit} from ${min} to ${max} (got "${v}"); leave it unset for ${fallback}`);
    return n;
  };

/** A TCP port; 0 asks the system for a free one (tests, or several instances on one host). */
const port =
  (fallback: number): Reader<number> =>
  (v) => {
    if (isBlank(v)) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      invalid(`must be a port number from 0 to 65535 (got "${v}"); 0 picks a free port`);
    return n;
  };

const baseUrl: Reader<string> = (v) => {
  const checked = validateBaseUrl(isBlank(v) ? DEFAULT_FRONT_BASE_URL : v.trim());
  if (!checked.ok) invalid(`${checked.message}; leave it unset for ${DEFAULT_FRONT_BASE_URL}`);
  return checked.url.toString().replace(/\/$/, '');
};

const SLACK_API = { label: 'the Slack API URL', secret: 'the bot token', example: 'https://slack.com/api/' };

/** Where the Web API client sends the bot token: the same rule as Front's base URL. */
const slackApiUrl: Reader<string | undefined> = (v) => {
  if (isBlank(v)) return undefined;
  const checked = validateServiceUrl(v, SLACK_API);
  if (!checked.ok) invalid(`${checked.message}; leave it unset for ${SLACK_API.example}`);
  // The Web API client appends method names to this prefix.
  return `${checked.url.toString().replace(/\/$/, '')}/`;
};

const secret: Reader<string | undefined> = (v) => (isBlank(v) ? undefined : v.trim());

const text =
  (fallback: string): Reader<string> =>
  (v) =>
    isBlank(v) ? fallback : v.trim();

/** Where /metrics listens: an address of this host, never a name that could resolve elsewhere. */
const bindAddress =
  (fallback: string): Reader<string> =>
  (v) => {
    if (isBlank(v)) return fallback;
    const host = v.trim();
    // Required here: node:net is not in Node's start-up snapshot, and every command reads the config.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (host !== 'localhost' && (require('node:net') as typeof import('node:net')).isIP(host) === 0)
      invalid(
        `must be an IP address of this host to listen on, or localhost (got "${host}"): ${fallback} serves this host only, 0.0.0.0 every interface`,
      );
    return host;
  };

/** A bearer token Prometheus sends; long enough not to be guessed, and only characters a header carries as they are. */
const bearerToken: Reader<string | undefined> = (v) => {
  if (isBlank(v)) return undefined;
  const token = v.trim();
  if (!/^[\x21-\x7e]{16,}$/.test(token))
    invalid(
      'must be at least 16 characters, printable ASCII without spaces (e.g. `openssl rand -hex 24`); its value is not shown',
    );
  return token;
};

const list: Reader<string[]> = (v) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const logLevel: Reader<(typeof LOG_LEVELS)[number]> = (v) => {
  if (v === undefined) return 'info';
  const level = LOG_LEVELS.find((l) => l === v);
  // The allowed values are the fix.
  if (level === undefined) invalid(`Invalid option: expected one of ${LOG_LEVELS.map((l) => `"${l}"`).join('|')}`);
  return level;
};

/** The rules that ship with front-why, always loaded first. */
export const BUILT_IN_RULES = path.join(PACKAGE_ROOT, 'rules');

/**
 * The rules folders in loading order: the built-in rules, then each folder FRONT_WHY_RULES_DIR lists (separated
 * by the system's path separator, ":" here as in PATH, ";" on Windows), each over the ones before it. Listing
 * the built-in folder itself changes nothing.
 */
function rulesFolders(value: string | undefined): readonly string[] {
  const listed = (value ?? '')
    .split(path.delimiter)
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => path.resolve(v));
  return [...new Set([BUILT_IN_RULES, ...listed])];
}

/**
 * Where rule sets that loaded without error are kept between runs (src/rules/rule-set.ts), so a command does not
 * check the same files again: front-why's folder in the user's cache folder (XDG_CACHE_HOME, else ~/.cache).
 */
export function ruleCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const cache = env.XDG_CACHE_HOME?.trim() || path.join(env.HOME?.trim() || userHome(), '.cache');
  return path.isAbsolute(cache) ? path.join(cache, 'front-why') : undefined;
}

/** The account's home folder, or '' when the system knows none (then nothing is kept). */
function userHome(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}

type Settings<R> = { [K in keyof R]: R[K] extends Reader<infer T> ? T : never };

/** The Slack settings, read on their own too, so their problems can be listed with every other one. */
const SLACK_SECRETS = { SLACK_BOT_TOKEN: secret, SLACK_SIGNING_SECRET: secret, SLACK_APP_TOKEN: secret };
export type SlackSecrets = Settings<typeof SLACK_SECRETS>;

export function readSlackSecrets(env: NodeJS.ProcessEnv = process.env): SlackSecrets {
  return read(SLACK_SECRETS, env);
}

/** Every variable, in the order their problems are listed. */
const VARIABLES = {
  FRONT_API_TOKEN: secret,
  FRONT_API_BASE_URL: baseUrl,
  FRONT_WHY_RULES_DIR: rulesFolders,
  FRONT_WHY_DB: text('./data/front-why.db'),
  FRONT_WHY_ENCRYPTION_KEY: secret,
  FRONT_WHY_TIMEOUT_MS: positiveInt(10_000),
  FRONT_WHY_REQUEST_TIMEOUT_MS: positiveInt(4_000),
  FRONT_WHY_MAX_CALLS: positiveInt(12),
  FRONT_WHY_PID_FILE: text('./data/front-why.pid'),
  FRONT_WHY_SHUTDOWN_GRACE_MS: positiveInt(15_000),
  // Watches: the first re-check after a second at the earliest (the backoff caps at 30 minutes), for up to 90 days.
  FRONT_WHY_WATCH_INTERVAL_MS: boundedInt(60_000, 1_000, 30 * 60_000, 'milliseconds'),
  FRONT_WHY_WATCH_DAYS: boundedInt(7, 1, 90, 'days'),
  // The checks people start may spend this share of a tenant's per-minute Front limit; watches take 10% more, and
  // front-why never spends the last 5 requests: at 80% the customer's integrations would keep little more than those.
  FRONT_WHY_CHECK_SHARE_PERCENT: boundedInt(40, 1, 80, 'percent'),
  // An audit run by hand starts at most this often per tenant, and stops by then, so two never run at once.
  FRONT_WHY_AUDIT_COOLDOWN_MS: boundedInt(10 * 60_000, 60_000, 24 * 60 * 60_000, 'milliseconds'),
  // How long what an audit or sweep learnt of the teammates' API preference is trusted to name an owner with a
  // check of the candidates only; 0: always sweep. Up to 30 days.
  FRONT_WHY_TEAMMATES_TTL: boundedInt(24 * 60 * 60_000, 0, 30 * 24 * 60 * 60_000, 'milliseconds'),
  FRONT_WHY_CHANNELS: list,
  FRONT_WHY_ADMINS: list,
  FRONT_WHY_ADMIN_GROUP: secret,
  ...SLACK_SECRETS,
  SLACK_API_URL: slackApiUrl,
  PORT: port(3000),
  FRONT_WHY_METRICS_PORT: port(9464),
  FRONT_WHY_METRICS_HOST: bindAddress('127.0.0.1'),
  FRONT_WHY_METRICS_TOKEN: bearerToken,
  LOG_LEVEL: logLevel,
};

export type Config = Settings<typeof VARIABLES>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration error:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Every variable of `readers` read from `env`; a variable left unset with no default is absent from the result. */
function read<R extends Record<string, Reader<unknown>>>(readers: R, env: NodeJS.ProcessEnv): Settings<R> {
  const settings: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, reader] of Object.entries(readers)) {
    try {
      const value = reader(env[name]);
      if (value !== undefined) settings[name] = value;
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      problems.push(`${name} ${err.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings as Settings<R>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = read(VARIABLES, env);
  // Metrics name the vendor's customers and their volumes: beyond this host, only with a token.
  if (!isLoopbackHost(config.FRONT_WHY_METRICS_HOST) && !config.FRONT_WHY_METRICS_TOKEN) {
    throw new ConfigError([
      `FRONT_WHY_METRICS_HOST is ${config.FRONT_WHY_METRICS_HOST}, beyond this host, so set FRONT_WHY_METRICS_TOKEN too (Prometheus sends it as a bearer token), or leave FRONT_WHY_METRICS_HOST unset for 127.0.0.1`,
    ]);
  }
  return config;
}
