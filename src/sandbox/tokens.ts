import { createHash } from 'node:crypto';
import { signJwt, verifyJwt } from './jwt';
import type { CompanyKey, SeedCompany } from './seed';
import { teamNumber } from './seed';

/**
 * The demo tokens and how the server resolves an Authorization header to one of them.
 * Legacy tokens carry their scopes in the JWT; new-style ones carry none and keep their grants
 * server-side (docs/front-behaviour.md §2), which is exactly what makes claim-only inspection uncertain.
 */

export const READ_PERMISSIONS = [
  'conversations:read',
  'messages:read',
  'comments:read',
  'inboxes:read',
  'tags:read',
  'contacts:read',
  'message_templates:read',
  'signatures:read',
  'channels:read',
  'rules:read',
  'teammates:read',
  'teams:read',
] as const;
export type ReadPermission = (typeof READ_PERMISSIONS)[number];

/** What a token may reach, whichever way it was declared. */
export interface Grants {
  shared: boolean;
  private: boolean;
  /** Team IDs a `tim:` token is restricted to; null when unrestricted. */
  teams: string[] | null;
  permissions: ReadonlySet<ReadPermission>;
}

interface TokenDef {
  name: string;
  company: CompanyKey;
  kind: 'api' | 'oauth';
  description: string;
  /** The `scopes` claim; absent for new-style tokens. */
  scopes?: readonly string[];
  /** Grants kept server-side, for tokens without a scopes claim. */
  serverSide?: { shared: boolean; private: boolean; permissions: readonly ReadPermission[] };
  revoked?: boolean;
  /** OAuth access tokens only: seconds from the sandbox's start until `exp` (negative: already expired). */
  expiresIn?: number;
}

const ALL_READ: readonly ReadPermission[] = READ_PERMISSIONS;

export const TOKEN_DEFS = [
  {
    name: 'acme_private',
    company: 'acme',
    kind: 'api',
    scopes: ['shared:*', 'private:*', 'provisioning'],
    description: 'API token, scopes shared + private + provisioning (the original report)',
  },
  {
    name: 'acme_legacy_all',
    company: 'acme',
    kind: 'api',
    scopes: ['*'],
    description: 'legacy API token, scopes ["*"] (everything)',
  },
  {
    name: 'acme_shared_only',
    company: 'acme',
    kind: 'api',
    scopes: ['shared:*'],
    description: 'API token, shared resources only (no private scope)',
  },
  {
    name: 'acme_workspace',
    company: 'acme',
    kind: 'api',
    scopes: [`tim:${teamNumber('tim_k30')}`],
    description: 'API token restricted to the Support workspace (tim_k30)',
  },
  {
    name: 'acme_new_style',
    company: 'acme',
    kind: 'api',
    serverSide: { shared: true, private: true, permissions: ALL_READ },
    description: 'new-style API token: no scopes claim, shared + private namespaces kept server-side',
  },
  {
    name: 'acme_new_style_shared',
    company: 'acme',
    kind: 'api',
    serverSide: { shared: true, private: false, permissions: ALL_READ },
    description: 'new-style API token: no scopes claim, shared namespace only (no private resources)',
  },
  {
    name: 'acme_no_inboxes_read',
    company: 'acme',
    kind: 'api',
    serverSide: { shared: true, private: true, permissions: ALL_READ.filter((p) => p !== 'inboxes:read') },
    description: 'new-style API token without the inboxes:read permission',
  },
  {
    name: 'acme_revoked',
    company: 'acme',
    kind: 'api',
    scopes: ['shared:*', 'private:*'],
    revoked: true,
    description: 'API token revoked by an admin (401)',
  },
  {
    name: 'acme_oauth',
    company: 'acme',
    kind: 'oauth',
    scopes: ['shared:*'],
    expiresIn: 3600,
    description: 'OAuth access token (old model: shared resources only), valid for an hour',
  },
  {
    name: 'acme_oauth_expired',
    company: 'acme',
    kind: 'oauth',
    scopes: ['shared:*'],
    expiresIn: -7200,
    description: 'OAuth access token that expired two hours ago (401)',
  },
  {
    name: 'globex_private',
    company: 'globex',
    kind: 'api',
    scopes: ['shared:*', 'private:*', 'provisioning'],
    description: 'API token, scopes shared + private + provisioning',
  },
  {
    name: 'globex_legacy_all',
    company: 'globex',
    kind: 'api',
    scopes: ['*'],
    description: 'legacy API token, scopes ["*"]',
  },
  {
    name: 'globex_shared_only',
    company: 'globex',
    kind: 'api',
    scopes: ['shared:*'],
    description: 'API token, shared resources only',
  },
  {
    name: 'initech_private',
    company: 'initech',
    kind: 'api',
    scopes: ['shared:*', 'private:*'],
    description: 'API token of the 200-teammate company (Starter), scopes shared + private',
  },
] as const satisfies readonly TokenDef[];

export type TokenName = (typeof TOKEN_DEFS)[number]['name'];
export const TOKEN_NAMES: readonly TokenName[] = TOKEN_DEFS.map((d) => d.name);

export interface TokenRecord {
  name: TokenName;
  company: CompanyKey;
  kind: 'api' | 'oauth';
  description: string;
  jti: string;
  /** Unix seconds; OAuth tokens only. */
  exp?: number;
  revoked: boolean;
  grants: Grants;
}

/** Fixed issue time for API tokens, so the printed demo tokens are the same on every run. */
const API_TOKEN_IAT = 1717171717;

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

export function grantsFromScopes(scopes: readonly string[], company: SeedCompany): Grants {
  const all = new Set<ReadPermission>(READ_PERMISSIONS);
  if (scopes.includes('*')) return { shared: true, private: true, teams: null, permissions: all };
  const teamScopes = scopes.filter((s) => /^tim:\d+$/.test(s)).map((s) => Number(s.slice(4)));
  const teams =
    teamScopes.length > 0 ? company.teams.filter((t) => teamScopes.includes(teamNumber(t.id))).map((t) => t.id) : null;
  return {
    shared: scopes.includes('shared:*') || teams !== null,
    // A workspace-restricted token reaches only its workspaces' shared resources.
    private: scopes.includes('private:*') && teams === null,
    teams,
    permissions: all,
  };
}

export interface TokenRegistry {
  tokens: Record<TokenName, string>;
  records: Record<TokenName, TokenRecord>;
  authenticate(authorization: string | undefined, nowMs: number): AuthResult;
}

export type AuthResult =
  | { ok: true; record: TokenRecord }
  /** `name` is set when the token is one of ours (revoked, expired), for the per-token counters. */
  | { ok: false; name?: TokenName; reason: 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired' };

export function createTokenRegistry(
  companies: Record<CompanyKey, SeedCompany>,
  secret: string,
  startMs: number,
): TokenRegistry {
  const tokens = {} as Record<TokenName, string>;
  const records = {} as Record<TokenName, TokenRecord>;
  const byJti = new Map<string, TokenRecord>();
  const startSec = Math.floor(startMs / 1000);

  for (const def of TOKEN_DEFS as readonly TokenDef[]) {
    const company = companies[def.company];
    const name = def.name as TokenName;
    const jti = hex(`jti:${def.name}`, 16);
    const claims: Record<string, unknown> = {};
    if (def.scopes) claims.scopes = [...def.scopes];
    let exp: number | undefined;
    if (def.kind === 'oauth') {
      exp = startSec + (def.expiresIn ?? 3600);
      claims.iat = exp - 3600;
    } else {
      claims.iat = API_TOKEN_IAT;
    }
    claims.iss = 'front';
    claims.sub = company.tokenSubject;
    if (exp !== undefined) claims.exp = exp;
    claims.jti = jti;
    const grants = def.scopes
      ? grantsFromScopes(def.scopes, company)
      : {
          shared: def.serverSide?.shared ?? false,
          private: def.serverSide?.private ?? false,
          teams: null,
          permissions: new Set(def.serverSide?.permissions ?? []),
        };
    const record: TokenRecord = {
      name,
      company: def.company,
      kind: def.kind,
      description: def.description,
      jti,
      revoked: def.revoked ?? false,
      grants,
    };
    if (exp !== undefined) record.exp = exp;
    tokens[name] = signJwt(claims, secret);
    records[name] = record;
    byJti.set(jti, record);
  }

  function authenticate(authorization: string | undefined, nowMs: number): AuthResult {
    if (!authorization) return { ok: false, reason: 'missing' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) return { ok: false, reason: 'malformed' };
    const claims = verifyJwt(match[1], secret);
    if (!claims) return { ok: false, reason: 'malformed' };
    const record = typeof claims.jti === 'string' ? byJti.get(claims.jti) : undefined;
    if (!record || claims.iss !== 'front' || claims.sub !== companies[record.company].tokenSubject)
      return { ok: false, reason: 'unknown' };
    if (record.revoked) return { ok: false, name: record.name, reason: 'revoked' };
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs)
      return { ok: false, name: record.name, reason: 'expired' };
    return { ok: true, record };
  }

  return { tokens, records, authenticate };
}
