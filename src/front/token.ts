import { isRecord } from '../is-record';
import { systemClock, type Clock } from './clock';
import { maskToken } from './mask';

/**
 * What a token's claims say about it. Decoded without verifying the signature: this is for explaining
 * an error, not for trusting the token. Never holds the token itself, only `masked`.
 */
export interface TokenInfo {
  /** api: a company API token (iss "front", no exp); oauth: an OAuth access token; unknown: not a JWT we recognise. */
  kind: 'api' | 'oauth' | 'unknown';
  masked: string;
  /** Why the kind is unknown, in words. */
  problem?: string;
  iss?: string;
  sub?: string;
  iat?: number;
  jti?: string;
  exp?: number;
  /** true when `exp` is in the past; false for a decodable token with no `exp`; undefined when not decodable. */
  expired?: boolean;
  /** The `scopes` claim. undefined when there is no such claim: newer tokens keep permissions server-side, so it means "cannot tell", not "no access". */
  scopes?: string[];
  /** `*` or `private:*` present; undefined when scopes are unknown. */
  privateScope?: boolean;
  /** `*` or `shared:*` present; undefined when scopes are unknown. */
  sharedScope?: boolean;
  /** The numbers from `tim:<n>` scopes. */
  workspaceIds: string[];
  /**
   * The same workspaces as Front IDs (`tim_` + base 36), to compare with GET /teams. Inferred from Front's
   * documented UI-ID-to-API-ID conversion; no public source says the scope uses that numbering.
   */
  workspaceFrontIds: string[];
  workspaceRestricted: boolean;
}

const MAX_TOKEN_CHARS = 16 * 1024;
const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
  if (!B64URL.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function scopesOf(claims: Record<string, unknown>): string[] | undefined {
  const raw = claims.scopes ?? claims.scope;
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  if (typeof raw === 'string') return raw.split(/[\s,]+/).filter((s) => s !== '');
  return undefined;
}

export function inspectToken(token: string, clock: Pick<Clock, 'now'> = systemClock): TokenInfo {
  const masked = maskToken(token);
  const unknown = (problem: string): TokenInfo => ({
    kind: 'unknown',
    masked,
    problem,
    workspaceIds: [],
    workspaceFrontIds: [],
    workspaceRestricted: false,
  });
  const bare = token.trim().replace(/^Bearer\s+/i, '');
  if (bare.length > MAX_TOKEN_CHARS) return unknown('too long to be a Front token');
  const parts = bare.split('.');
  if (parts.length !== 3) return unknown('not a JWT (expected three dot-separated parts)');
  const header = decodeJsonObject(parts[0]!);
  const claims = decodeJsonObject(parts[1]!);
  if (!header || !claims) return unknown('not a JWT (header or claims are not base64url-encoded JSON objects)');

  const iss = str(claims.iss);
  const exp = num(claims.exp);
  const scopes = scopesOf(claims);
  const workspaceIds = (scopes ?? []).flatMap((s) => {
    const m = /^tim:(\d{1,15})$/.exec(s);
    return m ? [m[1]!] : [];
  });
  const looksOAuth = exp !== undefined || str(claims.client_id) !== undefined || str(claims.azp) !== undefined;
  const kind: TokenInfo['kind'] = looksOAuth ? 'oauth' : iss === 'front' ? 'api' : 'unknown';

  const info: TokenInfo = {
    kind,
    masked,
    expired: exp !== undefined ? exp * 1000 <= clock.now() : false,
    workspaceIds,
    workspaceFrontIds: workspaceIds.map((n) => `tim_${Number(n).toString(36)}`),
    workspaceRestricted: workspaceIds.length > 0,
  };
  if (kind === 'unknown') info.problem = 'a JWT, but not one Front issues (no iss "front", no exp)';
  const optional: Partial<TokenInfo> = { iss, sub: str(claims.sub), iat: num(claims.iat), jti: str(claims.jti), exp };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(info, { [key]: value });
  }
  if (scopes !== undefined) {
    info.scopes = scopes;
    info.privateScope = scopes.includes('*') || scopes.includes('private:*');
    info.sharedScope = scopes.includes('*') || scopes.includes('shared:*');
  }
  return info;
}
