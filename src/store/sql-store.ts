import type { Keyring } from './crypto';
import type { Driver } from './driver';
import { migrate } from './migrations';
import { activity, claims } from './areas/activity';
import { audits } from './areas/audits';
import { channels } from './areas/channels';
import type { Context } from './areas/context';
import { rateWindows } from './areas/rate-windows';
import { replicas } from './areas/replicas';
import { unknownWordings } from './areas/unknown-wordings';
import { watches } from './areas/watches';
import { checkKeys, tenantInfo, tenants } from './areas/tenants';
import { sql } from './sql';
import type { ActivityStore, Store, StoreOptions, TenantStore, UnknownWordingStore } from './store-api';

/** Runs a freshly opened driver's set-up; a driver whose set-up fails is closed, not left holding connections. */
async function settingUp(driver: Driver, steps: () => Promise<unknown>): Promise<void> {
  try {
    await steps();
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The one store: every area's statements, written once, over whichever driver the location asked for. Migrations
 * run before it resolves, and the keyring is checked against the keys the database was written with.
 */
export async function openSqlStore(driver: Driver, keyring: Keyring, options: StoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? (() => new Date());
  const ctx: Context = { db: driver, clock, keys: { current: keyring } };
  await settingUp(driver, async () => {
    await migrate(driver, clock());
    await driver.transaction((tx) => checkKeys(tx, keyring, false, clock()));
  });
  return {
    shared: driver.shared,
    ...tenants(ctx),
    ...channels(ctx),
    ...activity(ctx),
    ...claims(ctx),
    ...watches(ctx),
    ...audits(ctx),
    ...rateWindows(ctx),
    ...replicas(ctx),
    ...unknownWordings(ctx),
    async ping() {
      await driver.all(sql`SELECT 1`);
    },
    close: () => driver.close(),
  };
}

/**
 * What can be read and written without a keyring: the unknown wordings (`explain`, `unknowns`), the activity log
 * and a tenant's plain columns (`activity`, `stats`). No token is ever read through it.
 */
export interface KeylessStore extends UnknownWordingStore, ActivityStore, Pick<TenantStore, 'getTenant'> {
  close(): Promise<void>;
}

/** Migrates like `openSqlStore` but never looks at the keys: nothing it reads or writes is encrypted. */
export async function openKeylessSqlStore(driver: Driver, options: StoreOptions = {}): Promise<KeylessStore> {
  const clock = options.clock ?? (() => new Date());
  await settingUp(driver, () => migrate(driver, clock()));
  return {
    ...unknownWordings({ db: driver }),
    ...activity({ db: driver }),
    ...tenantInfo({ db: driver }),
    close: () => driver.close(),
  };
}
