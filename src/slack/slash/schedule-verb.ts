import { CADENCE_MS } from '../checks/audit-scheduler';
import { recordActivity } from '../checks/record-activity';
import { simpleMessage } from '../render/block-kit';
import { escapeText } from '../render/escape';
import { respondEphemeral } from '../send/reply';
import { requireAdmin, requireInsider } from './guards';
import type { VerbContext } from './verb';

const USAGE = 'Usage: `/front-why audit schedule daily`, `weekly` or `off` (in a channel bound to a tenant).';

/**
 * `/front-why audit schedule daily|weekly|off`: the bound tenant's audit runs on its own and posts here only
 * when something changed. The first run is due at once and records the baseline.
 */
export async function scheduleVerb(ctx: VerbContext): Promise<void> {
  if (!(await requireInsider(ctx)) || !(await requireAdmin(ctx, 'schedule audits'))) return;
  const { deps, who } = ctx;
  const binding = await deps.store.getChannelBinding(who.teamId, who.channelId);
  if (!binding) {
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        'Scheduled audits post to the channels of a tenant, and this channel is not bound to one. Bind it first with `/front-why bind NAME`.',
      ),
    );
    return;
  }
  const tenant = escapeText(binding.tenant);
  const word = ctx.args[0]?.toLowerCase();
  if (word === undefined) {
    const current = await deps.store.getAuditSchedule(binding.tenant);
    const state =
      current && current.cadence !== 'off'
        ? `runs ${current.cadence}; next run ${current.nextRunAt ? `<!date^${Math.floor(current.nextRunAt.getTime() / 1000)}^{date_short_pretty} {time}|${current.nextRunAt.toISOString()}>` : 'not set'}`
        : 'is off';
    await respondEphemeral(ctx.respond, simpleMessage(`The audit of *${tenant}* ${state}.\n${USAGE}`));
    return;
  }
  if ((word !== 'daily' && word !== 'weekly' && word !== 'off') || ctx.args.length > 1) {
    await respondEphemeral(ctx.respond, simpleMessage(USAGE));
    return;
  }
  await deps.store.setAuditSchedule({
    tenant: binding.tenant,
    cadence: word,
    setBy: who.userId,
    nextRunAt: word === 'off' ? null : new Date(deps.clock()),
  });
  await recordActivity(deps, who, { action: 'audit.schedule', tenant: binding.tenant, detail: `schedule ${word}` });
  deps.homes.tenantChanged(binding.tenant);
  const every = word === 'daily' ? 'every day' : 'every week';
  await respondEphemeral(
    ctx.respond,
    simpleMessage(
      word === 'off'
        ? `Scheduled audits of *${tenant}* are off. \`/front-why audit\` still runs one now.`
        : `:calendar: The audit of *${tenant}* now runs ${every} (the first run within a minute or two records a baseline; ${CADENCE_MS[word] / 3_600_000} h between runs after that). It posts in the tenant’s bound channels only when something changed: a teammate who newly has "Allow access to my individual resources via the API" off, one who turned it on, or a token that stopped working.`,
    ),
  );
}
