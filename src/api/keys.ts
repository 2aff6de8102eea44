import { createHash, randomBytes } from 'node:crypto';

/** Every key starts so: a secret scanner, or a person, can tell what it is. */
export const KEY_PREFIX = 'fwk_';

/**
 * A new API key: 32 random bytes (256 bits), base64url. It is shown once and kept as its SHA-256 only: with that
 * much randomness nobody can find a key from its hash by guessing, so a plain hash is enough (a password needs a
 * slow, salted hash because people choose guessable ones), and a request is checked with one indexed lookup.
 */
export function newApiKey(): { key: string; hash: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9_-]{1,200})[ \t]*$/i;

/** The key of an `Authorization: Bearer <key>` header, or undefined when there is none or it is written otherwise. */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  return BEARER.exec(header)?.[1];
}
