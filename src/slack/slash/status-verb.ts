import { simpleMessage } from '../render/block-kit';
import { recordActivity } from '../checks/record-activity';
import { escapeText, inlineCode } from '../render/escape';
import { respondEphemeral } from '../send/reply';
import { channelTenant, tenantLabel } from '../checks/tenant-connections';
import { checkTokenHealth, describeHealth } from '../checks/token-health';
import { requireInsider } from './guards';
import type { VerbContext } from './verb';

/** This channel's tenant, its token's health (masked) and the channel's settings; only the asker sees it. */
export async function statusVerb(ctx: VerbContext): Promise<void> {
  if (!(await requireInsider(ctx))) return;
  const { deps, who } = ctx;
  const tenant = await channelTenant(deps.store, deps.config, who.teamId, who.channelId);
  const settings = await deps.store.getChannelSettings(who.teamId, who.channelId);
  const listening = settings.listen || deps.config.FRONT_WHY_CHANNELS.includes(who.channelId);
  const lines: string[] = [];

  if (tenant.kind === 'none') {
    lines.push(
      '*Tenant:* none. This channel is not bound and no default token (FRONT_API_TOKEN) is set, so answers come from the paste alone. An admin can run `/front-why bind NAME`.',
    );
  } else {
    const label = tenantLabel(tenant) ?? '';
    const info = tenant.kind === 'bound' ? await deps.store.getTenant(tenant.name) : null;
    const lease = await deps.tenants.lease(tenant);
    if (!lease) {
      lines.push(
        `*Tenant:* ${escapeText(label)}, which no longer exists. An admin can run \`/front-why connect ${escapeText(label)}\` or bind another tenant.`,
      );
    } else {
      try {
        const health = await checkTokenHealth(lease.connection, deps.clock, deps.config.FRONT_WHY_REQUEST_TIMEOUT_MS);
        const how = tenant.kind === 'default' ? ' (the default: FRONT_API_TOKEN, this channel is not bound)' : '';
        lines.push(`*Tenant:* ${escapeText(label)}${how}`);
        lines.push(`*Token:* ${inlineCode(lease.connection.maskedToken)} — ${describeHealth(health)}`);
        if (info?.companyName)
          lines.push(
            `*Front company:* ${escapeText(info.companyName)}${info.companyId ? ` (${inlineCode(info.companyId)})` : ''}`,
          );
        if (info?.scopes)
          lines.push(
            `*Scopes when last checked:* ${info.scopes.length > 0 ? info.scopes.map((s) => inlineCode(s)).join(', ') : 'none in the token (Front keeps them)'}`,
          );
        await recordActivity(deps, who, {
          action: 'tenant.check',
          tenant: label,
          detail: `slack status: ${health.kind}`,
        });
      } finally {
        lease.release();
      }
    }
  }
  lines.push(
    `*Listening for pasted errors:* ${listening ? 'on' : 'off'}${settings.listen ? '' : listening ? ' (FRONT_WHY_CHANNELS)' : ''}`,
  );
  lines.push(`*Slack Connect guests may run checks:* ${settings.allowExternal ? 'yes' : 'no'}`);
  const customer = await ctx.deps.store.getCustomerChannel(ctx.who.teamId, ctx.who.channelId);
  lines.push(
    `*Customer mode:* ${customer ? `on${customer.mirrorChannelId ? `, mirrored to <#${escapeText(customer.mirrorChannelId)}>` : ''}` : 'off'}`,
  );
  await respondEphemeral(ctx.respond, simpleMessage(lines.join('\n'), 'front-why status'));
}
