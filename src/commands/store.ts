import type { Config } from '../config';
import { Keyring, openStore, type Store } from '../store';

/** The store named by FRONT_WHY_DB, under the keyring of FRONT_WHY_ENCRYPTION_KEY (a missing key fails here). */
export async function openConfiguredStore(config: Config, env: NodeJS.ProcessEnv): Promise<Store> {
  return openStore(config.FRONT_WHY_DB, Keyring.fromEnv(env), {
    onNotice: (message) => process.stderr.write(`front-why: ${message}\n`),
  });
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
