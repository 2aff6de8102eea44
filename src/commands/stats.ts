import { loadConfig } from '../config';
import { deflectionByTenant } from '../deflection';
import { readActivity, WATCH_ACTIVITY_ACTIONS } from '../store';
import { parseCommandArgs, UsageError, writeJson, type CliIo } from './io';
import { usageOf } from './help';
import { buildStats, statsToText } from './stats-report';
import { withExistingKeylessStore } from './store';

export const STATS_USAGE = usageOf('stats');

const DAY_MS = 86_400_000;
/** A watch lasts at most 7 days by default; its answer may come a little before. Looked up, not counted. */
const LOOKBACK_MS = 30 * DAY_MS;
const TENANT_NAME = /^[a-z0-9-]{1,40}$/;

/** `30d`, `12h`, `90m`, `4w`, or a date; never in the future. */
export function parseStatsSince(value: string, now: Date): Date {
  const relative = /^(\d{1,6})([mhdw])$/.exec(value.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS }[relative[2] as 'm' | 'h' | 'd' | 'w'];
    const n = Number(relative[1]);
    if (n === 0) throw new UsageError('--since must reach back at least 1 minute, e.g. 30d');
    return new Date(now.getTime() - n * unit);
  }
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--since takes a duration (90m, 24h, 30d, 4w) or a date (2026-11-01), not "${value}"`);
  if (date > now) throw new UsageError(`--since ${value} is in the future`);
  return date;
}

/**
 * `front-why stats`: what was diagnosed, where and when, how long watched cases took to be fixed, and what customer
 * mode answered and closed without an agent.
 */
export async function statsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, STATS_USAGE, {
    tenant: { type: 'string' },
    since: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${STATS_USAGE}`);
  const now = new Date();
  const since = parseStatsSince(values.since ?? '30d', now);
  const tenant = values.tenant;
  if (tenant !== undefined && !TENANT_NAME.test(tenant))
    throw new UsageError('--tenant takes a tenant name: 1–40 lowercase letters, digits or dashes');
  const config = loadConfig(io.env);
  return withExistingKeylessStore(config, io.env, async (store) => {
    const { entries, truncated } = await readActivity(store, {
      ...(tenant ? { tenant } : {}),
      since: new Date(since.getTime() - LOOKBACK_MS),
      actions: ['diagnose', ...WATCH_ACTIVITY_ACTIONS],
    });
    const questions = await store.listCustomerQuestions(since);
    const report = buildStats(entries, since, now, tenant ?? null, deflectionByTenant(questions));
    if (values.json) {
      writeJson(io, { ...report, truncated });
      return 0;
    }
    io.stdout.write(`${statsToText(report)}\n`);
    if (truncated) io.stderr.write('front-why stats: the log is larger than 100,000 entries; counted the newest.\n');
    if (tenant && report.diagnoses.total === 0 && !(await store.getTenant(tenant)))
      io.stderr.write(
        `front-why stats: no tenant named "${tenant}" is stored (its past activity would still count).\n`,
      );
    return 0;
  });
}
