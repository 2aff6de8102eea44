import { existsSync } from 'node:fs';
import type { Config } from '../config';
import type { DiagnoseOutcome } from '../diagnosis';
import { isPostgresUrl } from '../store/location';
import type { CliIo } from './io';

/**
 * Whether this host has a store to keep unknown wordings in: FRONT_WHY_DB set, or the default SQLite file already
 * there. `explain` on a laptop with neither must not leave a database behind in the working directory.
 */
export function storeConfigured(config: Config, env: NodeJS.ProcessEnv): boolean {
  if ((env.FRONT_WHY_DB ?? '').trim() !== '') return true;
  return !isPostgresUrl(config.FRONT_WHY_DB) && existsSync(config.FRONT_WHY_DB);
}

/**
 * Counts the wordings no rule explained, when a store is configured. The answer stands whatever happens here: a
 * store that cannot be written is one line on stderr, never a failed `explain`.
 */
export async function recordCliUnknowns(
  config: Config,
  io: CliIo,
  outcome: DiagnoseOutcome,
  tenant: string | null,
): Promise<void> {
  if (!outcome.ok || !outcome.unexplained || outcome.unexplained.length === 0) return;
  if (!storeConfigured(config, io.env)) return;
  // Loaded only now: the database drivers are most of what `explain` would otherwise load for nothing.
  const { recordUnknownWordings, unknownSightings } = await import('../unknowns/record');
  const sightings = unknownSightings(outcome.unexplained);
  try {
    const { withKeylessStore } = await import('./store');
    await withKeylessStore(config, (store) => recordUnknownWordings(store, sightings, tenant, new Date()));
  } catch (err) {
    io.stderr.write(
      `front-why: the unknown wording was not recorded in the store (${err instanceof Error ? err.message : String(err)})\n`,
    );
  }
}
