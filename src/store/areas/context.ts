import type { Keyring } from '../../secrets/keyring';
import type { Driver } from '../driver';
import type { Sql } from '../sql';
import { StoreError } from '../store-error';

/** What every area of the store works with. */
export interface Context {
  db: Driver;
  clock: () => Date;
  /** Shared by the areas: a key rotation changes the key every later write uses. */
  keys: { current: Keyring };
}

export function notFound(name: string): StoreError {
  return new StoreError('tenant_not_found', `there is no tenant named "${name}"`);
}

/**
 * A write that names a tenant inserts nothing when there is none (it selects from tenants), and the foreign key
 * covers a tenant removed meanwhile: either way the caller hears `tenant_not_found`. Returns the row written.
 */
export async function forTenant(db: Driver, tenant: string, write: Sql): Promise<Record<string, unknown>> {
  let row: Record<string, unknown> | undefined;
  try {
    [row] = await db.all(write);
  } catch (err) {
    if (db.isForeignKeyViolation(err)) throw notFound(tenant);
    throw err;
  }
  if (!row) throw notFound(tenant);
  return row;
}
