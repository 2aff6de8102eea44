import { randomBytes } from 'node:crypto';
import type { Input } from '../shapes';
import type { Keyring, Sealed } from '../../secrets/keyring';
import type { Executor } from '../driver';
import { check } from '../inputs';
import * as input from '../inputs';
import { TENANT } from '../rows';
import { asStoreError, openTenantToken, sealKeyCheck, sealTenantToken, verifyKeyCheck } from '../secrets';
import { empty, sql, type Sql } from '../sql';
import { StoreError } from '../store-error';
import { notFound, type Context } from './context';

/** Read straight into a `Sealed` (the quoted alias keeps its case on PostgreSQL). */
const SEALED = sql`token_key_id AS "keyId", token_nonce AS nonce, token_ciphertext AS ciphertext, token_tag AS tag`;

/** A tenant's name, company and scopes: plain columns, readable without the keyring. */
export function tenantInfo({ db }: Pick<Context, 'db'>) {
  return {
    async getTenant(name: string) {
      const [row] = await db.all(sql`SELECT ${TENANT.list} FROM tenants WHERE name = ${check(input.tenantName, name)}`);
      return row ? TENANT.read(row) : null;
    },
  };
}

/**
 * Fails if a key id in the keyring names different bytes than the ones this database was written with.
 * `register` records the current key id: only writes under it and a rotation do, so a command that only
 * reads, run with a mistyped new key, leaves nothing behind that would refuse the right key later.
 */
export async function checkKeys(db: Executor, keyring: Keyring, register: boolean, now: Date): Promise<void> {
  const verify = async () => {
    const rows = await db.all<Sealed>(
      sql`SELECT key_id AS "keyId", check_nonce AS nonce, check_ciphertext AS ciphertext, check_tag AS tag
          FROM encryption_keys`,
    );
    const known = rows.map((r) => r.keyId);
    for (const row of rows) verifyKeyCheck(keyring, row, known);
    return known;
  };
  const known = await verify();
  if (!register || known.includes(keyring.currentId)) return;
  const sealed = sealKeyCheck(keyring);
  const inserted = await db.run(
    sql`INSERT INTO encryption_keys (key_id, check_nonce, check_ciphertext, check_tag, created_at)
        VALUES (${sealed.keyId}, ${sealed.nonce}, ${sealed.ciphertext}, ${sealed.tag}, ${now})
        ON CONFLICT (key_id) DO NOTHING`,
  );
  // Another replica recorded this key id a moment ago: make sure it was the same key.
  if (inserted === 0) await verify();
}

export function tenants(ctx: Context) {
  const { db, clock, keys } = ctx;
  let registered = false;
  const registerCurrentKey = async () => {
    if (registered) return;
    await db.transaction((tx) => checkKeys(tx, keys.current, true, clock()));
    registered = true;
  };
  const one = async (statement: Sql, name: string) => {
    const [row] = await db.all(statement);
    if (!row) throw notFound(name);
    return TENANT.read(row);
  };

  return {
    /**
     * Gives the tenant a new id every time: a name removed and added back is another tenant. Throws `invalid_input`
     * (bad or reserved name, empty token) or `tenant_exists`.
     */
    async addTenant(tenant: Input<typeof input.newTenant>) {
      const t = check(input.newTenant, tenant);
      await registerCurrentKey();
      const s = sealTenantToken(keys.current, t.name, t.token);
      const now = clock();
      const [row] = await db.all(
        sql`INSERT INTO tenants (id, name, company_id, company_name, scopes, checked_at, added_by, added_at, updated_at,
              token_key_id, token_nonce, token_ciphertext, token_tag)
            VALUES (${`t${randomBytes(8).toString('hex')}`}, ${t.name}, ${t.companyId}, ${t.companyName}, ${t.scopes}, ${t.checkedAt}, ${t.addedBy}, ${now},
              ${now}, ${s.keyId}, ${s.nonce}, ${s.ciphertext}, ${s.tag})
            ON CONFLICT (name) DO NOTHING
            RETURNING ${TENANT.list}`,
      );
      if (!row) throw new StoreError('tenant_exists', `a tenant named "${t.name}" already exists`);
      return TENANT.read(row);
    },

    ...tenantInfo({ db }),

    /**
     * The only way a token leaves the store. null when the tenant does not exist, or, given `id`, when the name now
     * belongs to another tenant (removed and added back): one read, so never the other tenant's token. Throws
     * `decrypt_failed` or `key_unknown` rather than ever returning a wrong token.
     */
    async getTenantToken(name: string, id?: string) {
      check(input.tenantName, name);
      const same = id === undefined ? empty : sql`AND id = ${check(input.tenantId, id)}`;
      const [row] = await db.all<Sealed>(sql`SELECT ${SEALED} FROM tenants WHERE name = ${name} ${same}`);
      return row ? openTenantToken(keys.current, name, row) : null;
    },

    async listTenants() {
      return (await db.all(sql`SELECT ${TENANT.list} FROM tenants ORDER BY name`)).map(TENANT.read);
    },

    /**
     * Also drops the tenant's channel bindings, audit schedule and result; its watches keep its id, which no tenant
     * has any more, so they end at their next check. false when there was no such tenant.
     */
    async removeTenant(name: string) {
      // Bindings, schedules and results go with it through ON DELETE CASCADE.
      return (await db.run(sql`DELETE FROM tenants WHERE name = ${check(input.tenantName, name)}`)) > 0;
    },

    /** Throws `tenant_not_found`. */
    async updateTenantCheck(name: string, tenantCheckResult: TenantCheck) {
      check(input.tenantName, name);
      const c = check(input.tenantCheck, tenantCheckResult);
      return one(
        sql`UPDATE tenants SET company_id = ${c.companyId}, company_name = ${c.companyName}, scopes = ${c.scopes},
              checked_at = ${c.checkedAt}, updated_at = ${clock()}
            WHERE name = ${name} RETURNING ${TENANT.list}`,
        name,
      );
    },

    /**
     * Throws `tenant_not_found`. The last check described the old token, so without `check` the scopes and
     * check time are cleared (company kept); pass the new token's check to record it in the same write.
     */
    async replaceTenantToken(name: string, token: string, newCheck?: TenantCheck) {
      check(input.tenantName, name);
      const plain = check(input.token, token);
      const c = newCheck === undefined ? undefined : check(input.tenantCheck, newCheck);
      await registerCurrentKey();
      const s = sealTenantToken(keys.current, name, plain);
      return one(
        sql`UPDATE tenants SET token_key_id = ${s.keyId}, token_nonce = ${s.nonce},
              token_ciphertext = ${s.ciphertext}, token_tag = ${s.tag}, scopes = ${c?.scopes ?? null},
              checked_at = ${c?.checkedAt ?? null}, company_id = coalesce(${c?.companyId ?? null}, company_id),
              company_name = coalesce(${c?.companyName ?? null}, company_name), updated_at = ${clock()}
            WHERE name = ${name} RETURNING ${TENANT.list}`,
        name,
      );
    },

    /**
     * Re-encrypts every token under `newKeyring`'s current key, in one transaction; all or nothing. Old keys
     * may be listed in either keyring. Afterwards this instance writes under the new key and, until closed,
     * still reads rows a replica on the old keyring writes meanwhile. Throws `key_mismatch` if the new keyring
     * gives a known key id other bytes. `rotated`: tokens re-encrypted; those already under the current key are
     * left as they are.
     */
    async rotateKey(newKeyring: Keyring) {
      const keyring = asStoreError(() => newKeyring.extendedWith(keys.current));
      const result = await db.transaction(async (tx) => {
        await checkKeys(tx, keyring, true, clock());
        // Locked: another replica's replaceTenantToken must not be overwritten with the old token.
        const rows = await tx.all<Sealed & { name: string }>(
          sql`SELECT name, ${SEALED} FROM tenants ORDER BY name ${db.forUpdate}`,
        );
        let rotated = 0;
        for (const row of rows) {
          if (row.keyId === keyring.currentId) continue;
          const s = sealTenantToken(keyring, row.name, openTenantToken(keyring, row.name, row));
          await tx.run(
            sql`UPDATE tenants SET token_key_id = ${s.keyId}, token_nonce = ${s.nonce},
                  token_ciphertext = ${s.ciphertext}, token_tag = ${s.tag} WHERE name = ${row.name}`,
          );
          rotated += 1;
        }
        return { keyId: keyring.currentId, rotated, total: rows.length };
      });
      keys.current = keyring;
      registered = true;
      return result;
    },
  };
}

export type TenantStore = ReturnType<typeof tenants>;
export type TenantCheck = Input<typeof input.tenantCheck>;
