import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What is wrong with a key: its configuration (`key_config`), a key id given other bytes than before
 * (`key_mismatch`), or data the key cannot authenticate (`decrypt_failed`). The message says what to do and never
 * carries a key.
 */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';

  constructor(
    readonly code: 'key_config' | 'key_mismatch' | 'decrypt_failed',
    message: string,
  ) {
    super(message);
  }
}

export const KEY_VARIABLE = 'FRONT_WHY_ENCRYPTION_KEY';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

const HOW_TO_MAKE_ONE =
  'make one with `openssl rand -base64 32` ' +
  "(or `node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"`)";

/** What sits beside a tenant row: enough to decrypt with the right key, useless without it. */
export interface Sealed {
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * The keys tokens are encrypted under. The first is current (new writes use it); the others only decrypt,
 * so a rotation can run while rows under the old key still exist. Key bytes live in a private field so that
 * a logger or `util.inspect` handed a Keyring never prints them.
 */
export class Keyring {
  readonly currentId: string;
  readonly #keys: ReadonlyMap<string, Buffer>;

  private constructor(keys: [string, Buffer][]) {
    const first = keys[0];
    if (!first) throw keyConfig(`${KEY_VARIABLE} holds no key; ${HOW_TO_MAKE_ONE}.`);
    this.currentId = first[0];
    this.#keys = new Map(keys);
  }

  /** Accepts `base64key` (id `k1`) or `kid1:base64,kid2:base64`, current first. */
  static parse(value: string | undefined): Keyring {
    const text = value?.trim() ?? '';
    if (text === '') {
      throw keyConfig(
        `${KEY_VARIABLE} is not set. The store encrypts every tenant's Front token with it and never keeps ` +
          `one in clear; ${HOW_TO_MAKE_ONE} and set ${KEY_VARIABLE} to the result.`,
      );
    }
    const entries = text.split(',').map((part) => part.trim());
    const keys: [string, Buffer][] = entries.map((entry, index) => parseEntry(entry, index, entries.length));
    const twice = keys.find(([id], index) => keys.findIndex(([other]) => other === id) !== index);
    if (twice) throw keyConfig(`${KEY_VARIABLE} lists key id "${twice[0]}" twice; give each key its own id.`);
    return new Keyring(keys);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): Keyring {
    return Keyring.parse(env[KEY_VARIABLE]);
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /**
   * This keyring's current key, able to decrypt under `other`'s keys too: what a rotation needs when the
   * store was opened with the old keyring and is handed the new one.
   */
  extendedWith(other: Keyring): Keyring {
    const merged: [string, Buffer][] = [...this.#keys.entries()];
    for (const [id, key] of other.#keys) {
      const mine = this.#keys.get(id);
      if (mine && !timingSafeEqual(mine, key)) {
        throw new KeyringError(
          'key_mismatch',
          `key "${id}" has different values in the two keyrings; a new key needs a new id (e.g. k2:…).`,
        );
      }
      if (!mine) merged.push([id, key]);
    }
    return new Keyring(merged);
  }

  seal(plaintext: Buffer, aad: Buffer): Sealed {
    const key = this.#keys.get(this.currentId) as Buffer;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId: this.currentId, nonce, ciphertext, tag: cipher.getAuthTag() };
  }

  /** Returns null when the key id is unknown, throws `decrypt_failed` when the key or data is wrong. */
  open(sealed: Sealed, aad: Buffer, what: string): Buffer | null {
    const key = this.#keys.get(sealed.keyId);
    if (!key) return null;
    const failed = () =>
      new KeyringError(
        'decrypt_failed',
        `cannot decrypt ${what} with key ${sealed.keyId}: the key is wrong or the row was tampered with`,
      );
    if (sealed.nonce.length !== NONCE_BYTES || sealed.tag.length !== TAG_BYTES) throw failed();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.tag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
    } catch {
      // node:crypto's own message ("Unsupported state or unable to authenticate data") tells an operator nothing.
      throw failed();
    }
  }

  /** Keeps key bytes out of JSON logs even if someone serialises the whole config. */
  toJSON(): { currentId: string; ids: string[] } {
    return { currentId: this.currentId, ids: this.ids };
  }
}

function parseEntry(entry: string, index: number, count: number): [string, Buffer] {
  const where = count > 1 ? `entry ${index + 1} of ${KEY_VARIABLE}` : KEY_VARIABLE;
  const colon = entry.indexOf(':');
  // Base64 never contains ':', so a colon always separates an id from its key.
  const id = colon === -1 ? (count === 1 ? 'k1' : '') : entry.slice(0, colon).trim();
  const encoded = colon === -1 ? entry : entry.slice(colon + 1).trim();
  if (!KEY_ID.test(id)) {
    throw keyConfig(
      colon === -1
        ? `${where} has no key id; with several keys write \`kid1:base64,kid2:base64\` (current first).`
        : `${where} has an invalid key id; use 1–32 letters, digits, '.', '_' or '-' (e.g. k2).`,
    );
  }
  // The value is a secret too: errors name the entry, never echo it.
  if (!BASE64.test(encoded)) throw keyConfig(`${where} (key id ${id}) is not base64; ${HOW_TO_MAKE_ONE}.`);
  const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
  if (key.length !== KEY_BYTES) {
    throw keyConfig(
      `${where} (key id ${id}) decodes to ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}. ${HOW_TO_MAKE_ONE.replace(/^m/, 'M')}.`,
    );
  }
  return [id, key];
}

function keyConfig(message: string): KeyringError {
  return new KeyringError('key_config', message);
}
