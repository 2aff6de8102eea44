import type { Config } from '../config';
import { rateBudgetsFor } from '../diagnosis/budgets';
import { connectTenant, type TenantConnection } from '../diagnosis/live';
import { storedTeammates } from '../diagnosis/teammate-map';
import { UsageError, type CliIo } from './io';
import { openConfiguredStore, withStore } from './store';
import { liveSettings } from './tenants';

export interface TenantChoice {
  tenant?: string;
}

export interface ConnectionWatchers {
  /** Told of every request sent to Front (a progress line counts them). */
  onFrontAttempt?: () => void;
}

/**
 * The token a live command uses: a stored tenant's, or FRONT_API_TOKEN. Tokens never come from the command
 * line, where they would land in shell history and process listings.
 */
export async function openConnection(
  config: Config,
  env: NodeJS.ProcessEnv,
  choice: TenantChoice,
  secrets?: CliIo['secrets'],
  watchers: ConnectionWatchers = {},
): Promise<{ connection: TenantConnection; label: string; tenant?: string }> {
  const settings = { ...liveSettings(config), ...watchers };
  if (choice.tenant) {
    const name = choice.tenant;
    const store = await openConfiguredStore(config, env);
    try {
      const token = await store.getTenantToken(name);
      if (!token)
        throw new UsageError(`no tenant named "${name}": add it with \`front-why tenants add ${name} < token-file\``);
      // The command's output is told which token to keep out of what it prints.
      secrets?.add(token);
      // On PostgreSQL the servers' replicas draw from the tenant's window too: so does this command.
      const budgets = rateBudgetsFor(store, settings);
      const teammates = storedTeammates({ store, tenant: name, ttlMs: config.FRONT_WHY_TEAMMATES_TTL });
      const connection = connectTenant(token, settings, undefined, budgets.forTenant(name), teammates);
      const close = async () => {
        await connection.close();
        await teammates.settled();
        await budgets.close();
        await store.close();
      };
      return { connection: { ...connection, close }, label: `tenant "${name}"`, tenant: name };
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  if (!config.FRONT_API_TOKEN) {
    throw new UsageError('no token to check with: use --tenant NAME (a stored tenant) or set FRONT_API_TOKEN');
  }
  return { connection: connectTenant(config.FRONT_API_TOKEN, settings), label: 'FRONT_API_TOKEN' };
}

/** Probe runs against a stored tenant are recorded in the activity log like those from Slack; FRONT_API_TOKEN runs have no store. */
export async function recordProbeRun(
  config: Config,
  env: NodeJS.ProcessEnv,
  entry: { tenant?: string; action: 'diagnose' | 'audit'; target?: string; cause?: string; detail?: string },
): Promise<void> {
  const { tenant } = entry;
  if (!tenant) return;
  await withStore(config, env, (store) =>
    store.recordActivity({ at: new Date(), actor: `cli:${env.USER ?? 'unknown'}`, ...entry, tenant }),
  );
}
