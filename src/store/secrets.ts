import { KEY_VARIABLE, KeyringError, type Keyring, type Sealed } from '../secrets/keyring';
import { StoreError } from './store-error';

/**
 * The tenant name is the AEAD additional data: a ciphertext copied onto another tenant's row fails to
 * decrypt instead of quietly handing out the wrong company's token.
 */
function tokenAad(tenant: string): Buffer {
  return Buffer.from(`front-why/tenant-token/v1\0${tenant}`, 'utf8');
}

/** The keyring's errors reach the store's callers as the store's own, with the same code and message. */
export function asStoreError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof KeyringError) throw new StoreError(err.code, err.message);
    throw err;
  }
}

export function sealTenantToken(keyring: Keyring, tenant: string, token: string): Sealed {
  return keyring.seal(Buffer.from(token, 'utf8'), tokenAad(tenant));
}

export function openTenantToken(keyring: Keyring, tenant: string, sealed: Sealed): string {
  const plain = asStoreError(() => keyring.open(sealed, tokenAad(tenant), `the token of tenant ${tenant}`));
  if (plain === null) {
    throw new StoreError(
      'key_unknown',
      `cannot decrypt the token of tenant ${tenant}: it is encrypted with key ${sealed.keyId}, which ` +
        `${KEY_VARIABLE} does not list (it lists ${keyring.ids.join(', ')}). Add that key back after the ` +
        `current one (\`${keyring.currentId}:…,${sealed.keyId}:…\`), or replace the tenant's token.`,
    );
  }
  return plain.toString('utf8');
}

const CHECK_PLAINTEXT = Buffer.from('front-why key check', 'utf8');

function checkAad(keyId: string): Buffer {
  return Buffer.from(`front-why/key-check/v1\0${keyId}`, 'utf8');
}

/**
 * A known value sealed under each key id the database has been written with. Without it, setting a fresh key under an old
 * id (k1) would go unnoticed until a token failed to decrypt — and every tenant added meanwhile would be
 * written under a key that no longer matches the others.
 */
export function sealKeyCheck(keyring: Keyring): Sealed {
  return keyring.seal(CHECK_PLAINTEXT, checkAad(keyring.currentId));
}

/** `known`: every key id the database has a check for; the message suggests an id outside them. */
export function verifyKeyCheck(keyring: Keyring, check: Sealed, known: readonly string[] = [check.keyId]): void {
  let plain: Buffer | null;
  try {
    plain = keyring.open(check, checkAad(check.keyId), `the key check of key ${check.keyId}`);
  } catch {
    plain = Buffer.alloc(0);
  }
  if (plain === null) return;
  if (!plain.equals(CHECK_PLAINTEXT)) {
    const taken = new Set([...known, ...keyring.ids, check.keyId]);
    let n = 2;
    while (taken.has(`k${n}`)) n += 1;
    throw new StoreError(
      'key_mismatch',
      `${KEY_VARIABLE} key ${check.keyId} is not the key this database was written with (it knows key ` +
        `${[...new Set(known)].join(', ')}). Restore the original value of ${check.keyId}; a new key needs an id ` +
        `the database does not know, listed first, with the old one after it (\`k${n}:…,${check.keyId}:…\`) ` +
        `until the key rotation has run.`,
    );
  }
}
