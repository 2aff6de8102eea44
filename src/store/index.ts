import { Keyring } from './crypto';
import { StoreError } from './store-error';
import { describePostgresUrl, PostgresDriver } from './postgres-driver';
import { openKeylessSqlStore, openSqlStore, type KeylessStore } from './sql-store';
import { SqliteDriver } from './sqlite-driver';
import type { Store, StoreOptions } from './store-api';

export { Keyring, KEY_VARIABLE } from './crypto';
export { StoreError, isStoreError, type StoreErrorCode } from './store-error';
export { MIGRATIONS, type Migration } from './migrations';
export { readActivity } from './activity-read';
export { redactSecrets } from '../redact';
export * from './store-api';
export type { KeylessStore } from './sql-store';

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;
const OTHER_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

export function isPostgresUrl(urlOrPath: string): boolean {
  return POSTGRES_URL.test(urlOrPath);
}

/** For start-up lines and errors: a Postgres URL loses its user and password, a path stays as it is. */
export function describeStoreLocation(urlOrPath: string): string {
  return isPostgresUrl(urlOrPath) ? `postgres://${describePostgresUrl(urlOrPath)}` : urlOrPath;
}

/**
 * `postgres://` / `postgresql://` → PostgreSQL (for several replicas); anything else is a SQLite file path,
 * whose parent directory is created. Migrations run before this resolves, safely when replicas start together.
 */
export async function openStore(urlOrPath: string, keyring: Keyring, options: StoreOptions = {}): Promise<Store> {
  if (!(keyring instanceof Keyring)) {
    throw new StoreError('key_config', 'openStore needs a Keyring; build one with Keyring.fromEnv()');
  }
  return openSqlStore(await driverFor(urlOrPath, options), keyring, options);
}

/**
 * The store's tables that hold no secret (unknown wordings), without a keyring: a command that only records or
 * lists them never asks for FRONT_WHY_ENCRYPTION_KEY. Same locations and migrations as `openStore`.
 */
export async function openKeylessStore(urlOrPath: string, options: StoreOptions = {}): Promise<KeylessStore> {
  return openKeylessSqlStore(await driverFor(urlOrPath, options), options);
}

async function driverFor(urlOrPath: string, options: StoreOptions) {
  if (isPostgresUrl(urlOrPath)) return PostgresDriver.open(urlOrPath, options.onBackgroundError);
  if (OTHER_URL.test(urlOrPath)) {
    throw new StoreError(
      'invalid_input',
      'the store location must be a postgres:// (or postgresql://) URL or a SQLite file path, e.g. ./data/front-why.db',
    );
  }
  if (urlOrPath.trim() === '') throw new StoreError('invalid_input', 'the store location is empty');
  return SqliteDriver.open(urlOrPath, options.onNotice);
}
