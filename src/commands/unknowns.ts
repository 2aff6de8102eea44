import { loadConfig } from '../config';
import type { UnknownWording } from '../store';
import { parseLimit, parseSince } from './activity';
import { usageOf } from './help';
import { parseCommandArgs, UsageError, writeJson, type CliIo } from './io';
import { withExistingKeylessStore } from './store';

export const UNKNOWNS_USAGE = usageOf('unknowns');

/** `front-why unknowns`: the Front error wordings no rule explains yet, most frequent first. */
export async function unknownsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, UNKNOWNS_USAGE, {
    since: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${UNKNOWNS_USAGE}`);
  const since = values.since ? parseSince(values.since, new Date()) : undefined;
  const limit = values.limit ? parseLimit(values.limit) : 100;
  const config = loadConfig(io.env);
  // Run from another folder, "nothing recorded" would be a confident wrong answer: say where the database was looked for.
  const wordings = await withExistingKeylessStore(config, io.env, (store) =>
    store.listUnknownWordings({ since, limit }),
  );
  if (values.json) {
    writeJson(io, { unknowns: wordings });
    return 0;
  }
  if (wordings.length === 0) {
    const when = since ? ` since ${since.toISOString()}` : '';
    io.stdout.write(`No Front error wording without a rule${when}.\n`);
    return 0;
  }
  io.stdout.write(`${table(wordings)}\nDraft a rule from one: front-why rules draft ID [--cause CAUSE] [--out DIR]\n`);
  return 0;
}

function table(wordings: UnknownWording[]): string {
  const rows = wordings.map((w) => [
    w.id,
    String(w.count),
    w.status === null ? '-' : String(w.status),
    w.lastSeen.toISOString().slice(0, 16).replace('T', ' '),
    w.tenants.join(',') || '-',
    w.template,
  ]);
  const header = ['ID', 'COUNT', 'STATUS', 'LAST SEEN (UTC)', 'TENANTS', 'WORDING'];
  const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < widths.length ? (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)) : c)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
