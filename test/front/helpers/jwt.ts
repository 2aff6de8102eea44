import { randomBytes } from 'node:crypto';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned-looking JWT with the given claims; inspectToken never verifies, so a random signature will do. */
export function makeJwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  return `${b64(header)}.${b64(claims)}.${randomBytes(32).toString('base64url')}`;
}
