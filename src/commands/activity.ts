import { loadConfig } from '../config';
import { parseCommandArgs, UsageError, writeJson, type CliIo } from './io';
import { withExistingKeylessStore } from './store';
import { usageOf } from './help';

export const ACTIVITY_USAGE = usageOf('activity');

/** `front-why activity`: the activity log, who ran which probe or changed which tenant, where, and what it found. */
export async function activityCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, ACTIVITY_USAGE, {
    tenant: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${ACTIVITY_USAGE}`);
  const since = values.since ? parseSince(values.since, new Date()) : undefined;
  const limit = values.limit ? parseLimit(values.limit) : undefined;
  const config = loadConfig(io.env);
  return withExistingKeylessStore(config, io.env, async (store) => {
    const entries = await store.listActivity({ tenant: values.tenant, since, limit });
    if (values.json) {
      writeJson(io, { entries });
      return 0;
    }
    if (entries.length === 0) io.stdout.write('No activity matches.\n');
    for (const e of entries) {
      const where = [e.teamId, e.channelId].filter(Boolean).join('/');
      const fields = [
        e.tenant && `tenant=${e.tenant}`,
        e.target && `target=${e.target}`,
        e.cause && `cause=${e.cause}`,
        where && `in=${where}`,
        e.detail,
      ]
        .filter(Boolean)
        .join(' ');
      io.stdout.write(`${e.at.toISOString()}  ${e.actor}  ${e.action}  ${fields}\n`);
    }
    return 0;
  });
}

/** An ISO date, or a duration back from now: 30m, 24h, 7d. */
export function parseSince(value: string, now: Date): Date {
  const relative = /^(\d+)([mhd])$/.exec(value);
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--since takes a date (2026-11-01) or a duration (30m, 24h, 7d), not "${value}"`);
  return date;
}

export function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`--limit takes a whole number from 1 to 1000, not "${value}"`);
  return n;
}
