import { frontPaths } from '../front';
import { isRecord } from '../is-record';
import { answeredStatus, frontErrorMessage, frontWasUnreachable } from '../probes';
import type { TenantConnection } from './live';

export type TokenCheck =
  | { verdict: 'valid'; companyId?: string; companyName?: string; scopes?: string[] }
  | { verdict: 'refused'; status: number; message: string }
  | { verdict: 'unreachable'; message: string };

/**
 * Whether Front accepts a token (GET /me, which needs no permission), and for which company. A timeout is
 * never reported as a bad token.
 */
export async function checkToken(connection: TenantConnection, timeoutMs = 8_000): Promise<TokenCheck> {
  const { result } = await connection.gateway.get(frontPaths.me(), { deadline: Date.now() + timeoutMs, fresh: true });
  if (frontWasUnreachable(result) || result.kind === 'unreachable') {
    return { verdict: 'unreachable', message: result.kind === 'unreachable' ? result.message : 'no answer' };
  }
  const status = answeredStatus(result) ?? 0;
  if (status !== 200) return { verdict: 'refused', status, message: frontErrorMessage(result) ?? `HTTP ${status}` };
  const body = isRecord(result.body) ? result.body : {};
  const scopes = connection.live.token.scopes;
  return {
    verdict: 'valid',
    ...(typeof body.id === 'string' ? { companyId: body.id } : {}),
    ...(typeof body.name === 'string' ? { companyName: body.name } : {}),
    ...(scopes ? { scopes } : {}),
  };
}

export function describeTokenCheck(check: TokenCheck): string {
  switch (check.verdict) {
    case 'valid':
      return `valid${check.companyName ? ` — company "${check.companyName}"` : ''}`;
    case 'refused':
      return `refused by Front (${check.status} ${check.message})`;
    case 'unreachable':
      return `could not be checked: ${check.message}`;
  }
}
