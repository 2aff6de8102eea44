import { simpleMessage } from '../render/block-kit';
import { DEFAULT_TOKEN_TENANT_ID } from '../../store';
import { stopOtherTenantsWatches } from '../checks/channel-watches';
import { recordActivity } from '../checks/record-activity';
import { escapeText } from '../render/escape';
import { respondEphemeral } from '../send/reply';
import { requireAdmin, requireInsider } from './guards';
import type { VerbContext } from './verb';

export async function unbindVerb(ctx: VerbContext): Promise<void> {
  if (!(await requireInsider(ctx)) || !(await requireAdmin(ctx, 'unbind channels'))) return;
  const { deps, who } = ctx;
  const binding = await deps.store.getChannelBinding(who.teamId, who.channelId);
  const removed = await deps.store.unbindChannel(who.teamId, who.channelId);
  if (!removed) {
    await respondEphemeral(ctx.respond, simpleMessage('This channel was not bound to a tenant; nothing changed.'));
    return;
  }
  await recordActivity(deps, who, { action: 'tenant.unbind', ...(binding ? { tenant: binding.tenant } : {}) });
  const stopped = await stopOtherTenantsWatches(
    deps,
    ctx.client,
    who,
    deps.config.FRONT_API_TOKEN ? DEFAULT_TOKEN_TENANT_ID : null,
    `this channel is no longer bound${binding ? ` to tenant ${binding.tenant}` : ''}`,
  );
  const watches =
    stopped === 0 ? '' : ` Stopped ${stopped} watch${stopped === 1 ? '' : 'es'} here; each thread was told.`;
  const fallback = deps.config.FRONT_API_TOKEN
    ? 'Checks here now use the default token (FRONT_API_TOKEN).'
    : 'Checks here now explain pastes without live checks.';
  await respondEphemeral(
    ctx.respond,
    simpleMessage(
      `This channel is no longer bound${binding ? ` to *${escapeText(binding.tenant)}*` : ''}. ${fallback}${watches}`,
    ),
  );
}
