import type { Config } from '../config';
import { connectTenant, type TenantConnection } from '../diagnosis/live';
import { UsageError } from './io';

export interface TenantChoice {
  tenant?: string;
}

/**
 * The token a live command uses: a stored tenant's, or FRONT_API_TOKEN. Tokens never come from the command
 * line, where they would land in shell history and process listings.
 */
export async function openConnection(config: Config, choice: TenantChoice): Promise<{ connection: TenantConnection; label: string }> {
  const settings = {
    baseUrl: config.FRONT_API_BASE_URL,
    requestTimeoutMs: config.FRONT_WHY_REQUEST_TIMEOUT_MS,
    timeoutMs: config.FRONT_WHY_TIMEOUT_MS,
    maxCalls: config.FRONT_WHY_MAX_CALLS,
  };
  if (choice.tenant) {
    throw new UsageError('--tenant needs the tenant store, which is not available yet; set FRONT_API_TOKEN instead');
  }
  if (!config.FRONT_API_TOKEN) {
    throw new UsageError("no token to check with: set FRONT_API_TOKEN (or use --tenant NAME with a stored tenant)");
  }
  return { connection: connectTenant(config.FRONT_API_TOKEN, settings), label: 'FRONT_API_TOKEN' };
}
