import { runAudit, type AuditReport } from '../../diagnosis/audit';
import { recordAudit } from '../../diagnosis/audit-change';
import { recordActivity } from '../checks/record-activity';
import { auditDoneMessage, auditProgressMessage, auditReportMessages } from '../render/blocks-audit';
import { simpleMessage } from '../render/block-kit';
import { escapeText } from '../render/escape';
import { failureText, logFailure } from '../send/failure';
import { inviteHint, withHint } from '../render/invite-hint';
import { ProgressUpdater } from '../send/progress';
import { cannotPostHere, post, postAll, reachUser, respondEphemeral, update } from '../send/reply';
import { takeAuditTurn } from '../checks/audit-turn';
import type { ShareTicket } from '../checks/check-share';
import { budgetKeyOf, channelTenant, tenantLabel } from '../checks/tenant-connections';
import { requireInsider } from './guards';
import { scheduleVerb } from './schedule-verb';
import type { VerbContext } from './verb';

/** Sweeping a large company takes a while at the customer's rate limit. */
const AUDIT_TIMEOUT_MS = 10 * 60_000;

/** The teammate sweep: a parent message, a progress reply edited as it goes, then the report in the thread. */
export async function auditVerb(ctx: VerbContext): Promise<void> {
  if (ctx.args[0]?.toLowerCase() === 'schedule') return scheduleVerb({ ...ctx, args: ctx.args.slice(1) });
  if (!(await requireInsider(ctx))) return;
  const { deps, who, client } = ctx;
  const tenant = await channelTenant(deps.store, deps.config, who.teamId, who.channelId);
  if (tenant.kind === 'none') {
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        'There is no tenant to audit: this channel is not bound and no default token is set. An admin can run `/front-why bind NAME`.',
      ),
    );
    return;
  }
  const label = tenantLabel(tenant) ?? '';
  const lease = await deps.tenants.lease(tenant);
  if (!lease) {
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        `Tenant *${escapeText(label)}* no longer exists. An admin can connect it again with \`/front-why connect ${escapeText(label)}\`.`,
      ),
    );
    return;
  }

  let threadTs: string | undefined;
  let ticket: ShareTicket | undefined;
  try {
    const key = budgetKeyOf(tenant);
    const turn = await takeAuditTurn(deps, who, {
      key,
      label,
      ...(tenant.kind === 'bound' ? { stored: tenant.name } : {}),
    });
    if (!turn.ok) {
      await respondEphemeral(ctx.respond, simpleMessage(`:hourglass_flowing_sand: ${escapeText(turn.wait)}`));
      return;
    }
    ticket = deps.share.startAudit(key, label, lease.connection.budget);
    try {
      threadTs = await post(
        client,
        who.channelId,
        simpleMessage(
          `:busts_in_silhouette: Auditing the teammates of *${escapeText(label)}*: whose API access to their individual resources is off?`,
        ),
      );
    } catch (err) {
      if (!cannotPostHere(err)) throw err;
    }
    const thread = threadTs;
    const progressTs = thread
      ? await post(client, who.channelId, auditProgressMessage(label, 0, undefined), thread)
      : undefined;
    const progress = new ProgressUpdater<{ done: number; total: number }>(async ({ done, total }) => {
      if (progressTs) await update(client, who.channelId, progressTs, auditProgressMessage(label, done, total));
    }, deps.clock);
    const report = await runAudit({
      gateway: ticket.gateway(lease.connection.gateway),
      token: lease.connection.live.token,
      // Over before the next audit by hand may start: two never run at once.
      deadline: deps.clock() + Math.min(AUDIT_TIMEOUT_MS, deps.config.FRONT_WHY_AUDIT_COOLDOWN_MS),
      onProgress: (done, total) => progress.push({ done, total }),
      teammates: lease.connection.teammates?.for('audit'),
    });
    await progress.finish(async () => {
      if (progressTs) await update(client, who.channelId, progressTs, auditDoneMessage(label, report));
    });

    const messages = auditReportMessages(label, report, lease.connection.maskedToken);
    if (thread) await postAll(client, who.channelId, messages, thread);
    else
      for (const message of withHint(inviteHint(deps.identity.botName, who.channelId), messages).slice(0, 4))
        await respondEphemeral(ctx.respond, message);

    if (tenant.kind === 'bound') await keepResult(ctx, tenant.name, report);

    const off = report.teammates?.preferenceOff.length ?? 0;
    await recordActivity(deps, who, {
      action: 'audit',
      tenant: label,
      ...(off > 0 ? { cause: 'teammate_api_access_disabled' } : {}),
      detail: `slack audit: ${report.teammates ? `${report.teammates.total - report.teammates.notChecked.length} of ${report.teammates.total} teammates checked, ${off} with the preference off` : (report.incomplete ?? 'incomplete')}, ${report.calls} request(s) to Front`,
    });
  } catch (err) {
    const ref = logFailure(deps.logger, 'slack audit', err, {
      channel: who.channelId,
      user: who.userId,
      tenant: label,
    });
    const note = simpleMessage(failureText('the audit', err, ref));
    const thread = threadTs;
    await reachUser([
      ...(thread ? [() => post(client, who.channelId, note, thread)] : []),
      () => respondEphemeral(ctx.respond, note),
    ]);
  } finally {
    ticket?.finish();
    lease.release();
  }
}

/** A sweep run by hand is the tenant's latest audit too: the Home tabs showing the tenant are refreshed. */
async function keepResult({ deps }: VerbContext, tenant: string, report: AuditReport): Promise<void> {
  const recorded = await recordAudit(deps.store, tenant, report, new Date(deps.clock()));
  if (recorded.kind !== 'unknown') deps.homes.tenantChanged(tenant);
}
