import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { isPostgresUrl, Keyring, openKeylessStore, openStore, type KeylessStore, type Store } from '../store';

const onNotice = (message: string) => process.stderr.write(`front-why: ${message}\n`);

/** The store named by FRONT_WHY_DB, under the keyring of FRONT_WHY_ENCRYPTION_KEY (a missing key fails here). */
export async function openConfiguredStore(config: Config, env: NodeJS.ProcessEnv): Promise<Store> {
  return openStore(config.FRONT_WHY_DB, Keyring.fromEnv(env), { onNotice });
}

export async function withStore<T>(
  config: Config,
  env: NodeJS.ProcessEnv,
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openConfiguredStore(config, env);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The tables that hold no secret, opened without FRONT_WHY_ENCRYPTION_KEY. */
export async function withKeylessStore<T>(config: Config, work: (store: KeylessStore) => Promise<T>): Promise<T> {
  const store = await openKeylessStore(config.FRONT_WHY_DB, { onNotice });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * For a command that only reads what the bot wrote (`activity`, `stats`, `unknowns`): a SQLite file that is not there is
 * said, with where it was looked for, instead of being created empty and read as "nothing happened".
 */
export async function withExistingKeylessStore<T>(
  config: Config,
  env: NodeJS.ProcessEnv,
  work: (store: KeylessStore) => Promise<T>,
): Promise<T> {
  const location = config.FRONT_WHY_DB;
  if (!isPostgresUrl(location) && !existsSync(location)) {
    const given = (env.FRONT_WHY_DB ?? '').trim() !== '' ? 'FRONT_WHY_DB' : 'the default FRONT_WHY_DB';
    throw new Error(
      `there is no database at ${location} (${given}, looked for as ${path.resolve(location)}). Run this in the ` +
        "folder the bot runs in, or set FRONT_WHY_DB to the bot's database (its SQLite file or postgres:// URL).",
    );
  }
  return withKeylessStore(config, work);
}
