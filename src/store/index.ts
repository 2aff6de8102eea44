import { activity, claims } from './areas/activity';
import { api } from './areas/api';
import { audits } from './areas/audits';
import { channels } from './areas/channels';
import { customer } from './areas/customer';
import { rateWindows } from './areas/rate-windows';
import { replicas } from './areas/replicas';
import { checkKeys, tenantInfo, tenants } from './areas/tenants';
import { unknownWordings } from './areas/unknown-wordings';
import { ownerSweeps } from './areas/owner-sweeps';
import { teammates } from './areas/teammates';
import { watches } from './areas/watches';
import { Keyring } from '../secrets/keyring';
import { isPostgresUrl } from './location';
import type { Driver } from './driver';
import { migrate } from './migrations';
import { describePostgresUrl, PostgresDriver } from './postgres-driver';
import { sql } from './sql';
import { SqliteDriver } from './sqlite-driver';
import type {
  ActivityStore,
  ApiStore,
  CustomerStore,
  Store,
  StoreOptions,
  TenantStore,
  UnknownWordingStore,
} from './store-api';
import { StoreError } from './store-error';

export { Keyring, KEY_VARIABLE } from '../secrets/keyring';
export { isPostgresUrl } from './location';
export { StoreError, isStoreError, type StoreErrorCode } from './store-error';
export { MIGRATIONS, type Migration } from './migrations';
export { readActivity } from './activity-read';
export { redactSecrets } from '../redact';
export * from './store-api';

const OTHER_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** For start-up lines and errors: a Postgres URL loses its user and password, a path stays as it is. */
export function describeStoreLocation(urlOrPath: string): string {
  return isPostgresUrl(urlOrPath) ? `postgres://${describePostgresUrl(urlOrPath)}` : urlOrPath;
}

/**
 * `postgres://` / `postgresql://` → PostgreSQL (for several replicas); anything else is a SQLite file path,
 * whose parent directory is created. Migrations run before this resolves, safely when replicas start together,
 * and the keyring is checked against the keys the database was written with. Every area's statements, written
 * once, run over whichever driver the location asked for.
 */
export async function openStore(urlOrPath: string, keyring: Keyring, options: StoreOptions = {}): Promise<Store> {
  if (!(keyring instanceof Keyring)) {
    throw new StoreError('key_config', 'openStore needs a Keyring; build one with Keyring.fromEnv()');
  }
  const clock = options.clock ?? (() => new Date());
  const driver = await opened(urlOrPath, options, async (db) => {
    await migrate(db, clock());
    await db.transaction((tx) => checkKeys(tx, keyring, false, clock()));
  });
  const ctx = { db: driver, clock, keys: { current: keyring } };
  return {
    shared: driver.shared,
    ...tenants(ctx),
    ...channels(ctx),
    ...customer(ctx),
    ...activity(ctx),
    ...claims(ctx),
    ...watches(ctx),
    ...audits(ctx),
    ...rateWindows(ctx),
    ...replicas(ctx),
    ...unknownWordings(ctx),
    ...teammates(ctx),
    ...ownerSweeps(ctx),
    ...api(ctx),
    async ping() {
      await driver.all(sql`SELECT 1`);
    },
    close: () => driver.close(),
  };
}

/**
 * What can be read and written without a keyring: the unknown wordings (`explain`, `unknowns`), the activity log,
 * a tenant's plain columns (`activity`, `stats`), the customer questions (`stats`) and the diagnosis API's keys
 * (`keys`, kept hashed). No token is ever read through it.
 */
export interface KeylessStore
  extends
    UnknownWordingStore,
    ActivityStore,
    ApiStore,
    Pick<TenantStore, 'getTenant'>,
    Pick<CustomerStore, 'listCustomerQuestions'> {
  close(): Promise<void>;
}

/**
 * The store's tables that hold no secret, without a keyring: a command that only records or lists them never asks
 * for FRONT_WHY_ENCRYPTION_KEY. Same locations and migrations as `openStore`.
 */
export async function openKeylessStore(urlOrPath: string, options: StoreOptions = {}): Promise<KeylessStore> {
  const clock = options.clock ?? (() => new Date());
  const driver = await opened(urlOrPath, options, (db) => migrate(db, clock()));
  return {
    ...unknownWordings({ db: driver }),
    ...activity({ db: driver }),
    ...tenantInfo({ db: driver }),
    ...api({ db: driver, clock }),
    listCustomerQuestions: customer({ db: driver, clock }).listCustomerQuestions,
    close: () => driver.close(),
  };
}

/** The driver the location names, set up; one whose set-up fails is closed, not left holding connections. */
async function opened(urlOrPath: string, options: StoreOptions, setUp: (db: Driver) => Promise<unknown>) {
  const driver = await driverFor(urlOrPath, options);
  try {
    await setUp(driver);
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
  return driver;
}

async function driverFor(urlOrPath: string, options: StoreOptions): Promise<Driver> {
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
