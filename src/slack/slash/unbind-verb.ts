import { simpleMessage } from '../render/block-kit';
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
  const fallback = deps.config.FRONT_API_TOKEN
    ? 'Checks here now use the default token (FRONT_API_TOKEN).'
    : 'Checks here now explain pastes without live checks.';
  await respondEphemeral(
    ctx.respond,
    simpleMessage(
      `This channel is no longer bound${binding ? ` to *${escapeText(binding.tenant)}*` : ''}. ${fallback}`,
    ),
  );
}
