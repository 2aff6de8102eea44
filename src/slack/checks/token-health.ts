import { frontPaths } from '../../front';
import type { TenantConnection } from '../../diagnosis/live';
import { escapeText, oneLine } from '../render/escape';

/** Distinct outcomes, as `gh auth status` has them: a timeout is never reported as a bad token. */
export type TokenHealth =
  | { kind: 'valid'; companyId?: string; companyName?: string }
  | { kind: 'refused'; status: number; message?: string }
  | { kind: 'unexpected'; status: number; message?: string }
  | { kind: 'unreachable'; message: string };

/** GET /me with the tenant's own connection, bypassing its cache: the point is to ask Front now. */
export async function checkTokenHealth(
  connection: TenantConnection,
  clock: () => number,
  timeoutMs: number,
): Promise<TokenHealth> {
  const { result } = await connection.gateway.get(frontPaths.me(), { deadline: clock() + timeoutMs, fresh: true });
  if (result.kind === 'unreachable') return { kind: 'unreachable', message: result.message };
  const message = result.error?.message;
  if (result.status === 200) {
    const body = result.body as { id?: unknown; name?: unknown } | null;
    return {
      kind: 'valid',
      ...(typeof body?.id === 'string' ? { companyId: body.id } : {}),
      ...(typeof body?.name === 'string' ? { companyName: body.name } : {}),
    };
  }
  if (result.status === 401) return { kind: 'refused', status: 401, ...(message ? { message } : {}) };
  return { kind: 'unexpected', status: result.status, ...(message ? { message } : {}) };
}

export function describeHealth(health: TokenHealth): string {
  switch (health.kind) {
    case 'valid':
      return `:white_check_mark: Front accepts the token${health.companyName ? ` (company *${escapeText(health.companyName)}*)` : ''}`;
    case 'refused':
      return `:x: Front refuses the token (${health.status}${health.message ? ` ${escapeText(oneLine(health.message))}` : ''}): it was revoked, or it is not a Front API token`;
    case 'unexpected':
      return `:warning: Front answered ${health.status}${health.message ? ` ${escapeText(oneLine(health.message))}` : ''} to GET /me`;
    case 'unreachable':
      return `:grey_question: Could not reach Front to check the token (${escapeText(oneLine(health.message))}); this says nothing about the token itself`;
  }
}
