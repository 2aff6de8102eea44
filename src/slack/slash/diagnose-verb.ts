import { renderOutcome, renderWait } from '../render/blocks';
import { simpleMessage } from '../render/block-kit';
import { escapeText, inlineCode } from '../render/escape';
import { failureReason, failureText, logFailure, slackRateLimited } from '../send/failure';
import { inviteHint, postFailedHint, withHint } from '../render/invite-hint';
import { cannotPostHere, post, postAll, reachUser, respondEphemeral } from '../send/reply';
import { mustWait, runDiagnosis } from '../checks/run-diagnosis';
import { channelTenant, tenantLabel } from '../checks/tenant-connections';
import { startOwnerSweep } from '../checks/owner-sweeps';
import { requireInsider } from './guards';
import type { VerbContext } from './verb';

/** A response_url takes five messages; the answer never needs more than the first few. */
const MAX_EPHEMERAL_MESSAGES = 4;

/**
 * `/front-why cnv_X | link | paste`: a short parent message at once, then the diagnosis in its thread. Where the
 * bot cannot post, the whole answer goes privately to the asker with the exact `/invite` to fix that; where Slack
 * refuses the post for another reason (rate limited, unreachable), privately too, saying why.
 */
export async function diagnoseVerb(ctx: VerbContext): Promise<void> {
  if (!(await requireInsider(ctx))) return;
  const { deps, who, client } = ctx;
  const tenant = await channelTenant(deps.store, deps.config, who.teamId, who.channelId);
  // The checks start now, not once the parent message is posted: the answer needs both, so they overlap.
  const diagnosis = runDiagnosis(deps, who, ctx.text, tenant, 'command');
  // A failure is handled below, after the parent is posted; until then it must not count as unhandled.
  diagnosis.catch(() => undefined);

  let threadTs: string | undefined;
  // Why the answer goes privately, when the parent message could not be posted.
  let privately: string | undefined;
  try {
    threadTs = await post(client, who.channelId, simpleMessage(parentText(ctx.text, tenantLabel(tenant))));
  } catch (err) {
    if (cannotPostHere(err)) {
      privately = inviteHint(deps.identity.botName, who.channelId);
    } else {
      // Rate limited, Slack unreachable, …: the checks still run and the asker still gets the answer.
      const ref = logFailure(deps.logger, 'posting the parent message', err, {
        channel: who.channelId,
        user: who.userId,
      });
      privately = postFailedHint(failureReason(err), ref);
    }
  }

  try {
    const result = await diagnosis;
    if (threadTs) {
      const answer = mustWait(result)
        ? [renderWait(result.wait, result.buttonValue)]
        : renderOutcome(result.outcome, result.view);
      await postAll(client, who.channelId, answer, threadTs);
      if (!mustWait(result)) await startOwnerSweep(deps, who, tenant, result.outcome, threadTs);
    } else {
      const messages = withHint(
        privately ?? inviteHint(deps.identity.botName, who.channelId),
        mustWait(result)
          ? [renderWait(result.wait)]
          : renderOutcome(result.outcome, { ...result.view, buttonValue: undefined, ownerFollowUp: undefined }),
      );
      for (const message of messages.slice(0, MAX_EPHEMERAL_MESSAGES)) await respondEphemeral(ctx.respond, message);
    }
  } catch (err) {
    const ref = logFailure(deps.logger, 'slash command diagnosis', err, { channel: who.channelId, user: who.userId });
    const note = simpleMessage(failureText('this check', err, ref));
    // Not into a thread Slack just rate limited: the note would only wait out the same limit again.
    const inThread = slackRateLimited(err) ? undefined : threadTs;
    const reached = await reachUser([
      ...(inThread ? [() => post(client, who.channelId, note, inThread)] : []),
      () => respondEphemeral(ctx.respond, note),
    ]);
    if (!reached) deps.logger.error({ ref }, 'could not tell the user about the failure');
  }
}

const CONVERSATION_ID = /\bcnv_[0-9a-z]{1,24}\b/g;

/** Names what is being checked; only IDs of Front's exact shape are echoed, never the raw paste. */
export function parentText(text: string, tenant: string | undefined): string {
  const ids = [...new Set(text.match(CONVERSATION_ID) ?? [])];
  const shown = ids
    .slice(0, 3)
    .map((id) => inlineCode(id))
    .join(', ');
  const what =
    ids.length === 0 ? 'the pasted error' : ids.length > 3 ? `${shown} (the first 3 of ${ids.length})` : shown;
  const forWhom = tenant ? ` for *${escapeText(tenant)}*` : ' (no tenant is bound here, so from the paste alone)';
  return `:mag: Checking ${what}${forWhom}…`;
}
