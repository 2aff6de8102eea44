import { simpleMessage } from '../block-kit';
import { connectModal } from '../connect-view';
import { respondEphemeral } from '../reply';
import { requireAdmin, requireInsider, shownName, TENANT_NAME } from './guards';
import type { CommandContext } from './types';

/** Opens the modal where an admin pastes the token: a token never travels in a command's text. */
export async function connectSubcommand(ctx: CommandContext): Promise<void> {
  if (!(await requireInsider(ctx)) || !(await requireAdmin(ctx, 'connect tenants'))) return;
  const name = ctx.args[0];
  if (!name || ctx.args.length > 1 || !TENANT_NAME.test(name)) {
    const what = name ? `${shownName(name)} is not a tenant name: use` : 'Give the tenant a name:';
    await respondEphemeral(
      ctx.respond,
      simpleMessage(`${what} 1–40 lowercase letters, digits or dashes, e.g. \`/front-why connect acme-prod\`. Never paste the token here: a form opens for it.`),
    );
    return;
  }
  const existing = await ctx.deps.store.getTenant(name);
  await ctx.client.views.open({
    trigger_id: ctx.triggerId,
    view: connectModal({ tenant: name, teamId: ctx.who.teamId, channelId: ctx.who.channelId }, existing !== null),
  });
}
