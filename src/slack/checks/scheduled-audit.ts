import type { webApi } from '@slack/bolt';
import { runAudit, type AuditReport } from '../../diagnosis/audit';
import type { AuditChange } from '../../diagnosis/audit-change';
import type { ChannelBinding } from '../../store';
import { auditChangeMessage } from '../render/blocks-audit-change';
import { post } from '../send/reply';
import type { TenantConnections } from './tenant-connections';

/** Sweeping a large company takes a while at the customer's rate limit. */
const AUDIT_TIMEOUT_MS = 10 * 60_000;

/**
 * A scheduled audit runs on the tenant's own connection, the one every diagnosis of that tenant shares, so it
 * spends from the same rate budget and never the customer's reserve.
 */
export function auditThrough(
  tenants: TenantConnections,
  clock: () => number,
): (tenant: string, tenantId: string) => Promise<AuditReport | undefined> {
  return async (tenant, tenantId) => {
    const lease = await tenants.lease({ kind: 'bound', name: tenant, id: tenantId });
    if (!lease) return undefined;
    try {
      return await runAudit({
        gateway: lease.connection.gateway,
        token: lease.connection.live.token,
        deadline: clock() + AUDIT_TIMEOUT_MS,
        teammates: lease.connection.teammates?.for('audit'),
      });
    } finally {
      lease.release();
    }
  };
}

export function postAuditChange(
  client: webApi.WebClient,
): (binding: ChannelBinding, change: AuditChange) => Promise<void> {
  return async (binding, change) => {
    await post(client, binding.channelId, auditChangeMessage(change));
  };
}
