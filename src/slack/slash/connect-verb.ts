import { simpleMessage } from '../render/block-kit';
import { connectModal } from '../render/connect-view';
import { escapeText } from '../render/escape';
import { retryAfterSeconds } from '../send/slack-retry';
import { respondEphemeral } from '../send/reply';
import { requireAdmin, requireInsider, reservedNameProblem, shownName, TENANT_NAME } from './guards';
import type { VerbContext } from './verb';

/** Opens the modal where an admin pastes the token: a token never travels in a command's text. */
export async function connectVerb(ctx: VerbContext): Promise<void> {
  if (!(await requireInsider(ctx)) || !(await requireAdmin(ctx, 'connect tenants'))) return;
  const name = ctx.args[0];
  if (!name || ctx.args.length > 1 || !TENANT_NAME.test(name)) {
    const what = name ? `${shownName(name)} is not a tenant name: use` : 'Give the tenant a name:';
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        `${what} 1–40 lowercase letters, digits or dashes, e.g. \`/front-why connect acme-prod\`. Never paste the token here: a form opens for it.`,
      ),
    );
    return;
  }
  const reserved = reservedNameProblem(name);
  if (reserved) {
    await respondEphemeral(ctx.respond, simpleMessage(`:no_entry: ${reserved}`));
    return;
  }
  const existing = await ctx.deps.store.getTenant(name);
  try {
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: connectModal({ tenant: name, teamId: ctx.who.teamId, channelId: ctx.who.channelId }, existing !== null),
    });
  } catch (err) {
    // Not retried: the trigger expires 3 seconds after the command, long before Slack's limit lifts.
    const wait = retryAfterSeconds(err);
    if (wait === undefined) throw err;
    const when = wait > 0 ? `in ${Math.ceil(wait)} seconds` : 'in a moment';
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        `:hourglass_flowing_sand: Slack is rate limiting front-why right now (\`ratelimited\`), so the form could not open. Run \`/front-why connect ${escapeText(name)}\` again ${when}.`,
      ),
    );
  }
}
