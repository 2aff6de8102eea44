import { simpleMessage } from '../render/block-kit';
import { stopOtherTenantsWatches } from '../checks/channel-watches';
import { recordActivity } from '../checks/record-activity';
import { escapeText } from '../render/escape';
import { respondEphemeral } from '../send/reply';
import { isStoreError } from '../../store';
import { requireAdmin, requireInsider, shownName, TENANT_NAME } from './guards';
import type { VerbContext } from './verb';

export async function bindVerb(ctx: VerbContext): Promise<void> {
  if (!(await requireInsider(ctx)) || !(await requireAdmin(ctx, 'bind channels to tenants'))) return;
  const { deps, who } = ctx;
  const name = ctx.args[0];
  if (!name || ctx.args.length > 1 || !TENANT_NAME.test(name)) {
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        `${name ? `${shownName(name)} is not a tenant name. ` : ''}Usage: \`/front-why bind NAME\`, e.g. \`/front-why bind acme-prod\`.`,
      ),
    );
    return;
  }
  try {
    await deps.store.bindChannel({ teamId: who.teamId, channelId: who.channelId, tenant: name, boundBy: who.userId });
  } catch (err) {
    if (!isStoreError(err, 'tenant_not_found')) throw err;
    const known = (await deps.store.listTenants()).map((t) => `\`${escapeText(t.name)}\``);
    const list = known.length > 0 ? ` Tenants: ${known.join(', ')}.` : ' There are no tenants yet.';
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        `There is no tenant named \`${escapeText(name)}\`.${list} Add one with \`/front-why connect ${escapeText(name)}\`.`,
      ),
    );
    return;
  }
  await recordActivity(deps, who, { action: 'tenant.bind', tenant: name });
  // Removed again since the bind: its id matches no watch, so every watch here stops, as it would at its next check.
  const tenant = await deps.store.getTenant(name);
  const stopped = await stopOtherTenantsWatches(
    deps,
    ctx.client,
    who,
    tenant?.id ?? null,
    `this channel now checks with tenant ${name}`,
  );
  const watches =
    stopped === 0
      ? ''
      : ` Stopped ${stopped} watch${stopped === 1 ? '' : 'es'} that re-checked with the tenant before; each thread was told.`;
  await respondEphemeral(
    ctx.respond,
    simpleMessage(
      `:link: This channel now checks with tenant *${escapeText(name)}*.${watches} Try \`/front-why status\`.`,
    ),
  );
}
