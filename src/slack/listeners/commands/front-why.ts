import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { isExternal } from '../../app/admins';
import { afterPendingAcks } from '../../app/after-acks';
import { answerLater } from '../../app/answer-later';
import { simpleMessage } from '../../render/block-kit';
import type { SlackDeps } from '../../app/deps';
import { failureText, logFailure } from '../../send/failure';
import { respondEphemeral } from '../../send/reply';
import { auditVerb } from '../../slash/audit-verb';
import { bindVerb } from '../../slash/bind-verb';
import { connectVerb } from '../../slash/connect-verb';
import { diagnoseVerb } from '../../slash/diagnose-verb';
import { helpVerb } from '../../slash/help-verb';
import { reloadVerb } from '../../slash/reload-verb';
import { allowExternalVerb, listenVerb } from '../../slash/settings-verb';
import { statusVerb } from '../../slash/status-verb';
import type { VerbContext, SlashVerb } from '../../slash/verb';
import { unbindVerb } from '../../slash/unbind-verb';
import { watchesVerb } from '../../slash/watches-verb';
import { customerModeVerb, inCustomerChannel } from '../../slash/customer-mode-verb';
import { customerChannelOf } from '../../checks/customer-mode';

export const COMMAND = '/front-why';

const VERBS: Record<string, SlashVerb> = {
  help: helpVerb,
  status: statusVerb,
  connect: connectVerb,
  bind: bindVerb,
  unbind: unbindVerb,
  listen: listenVerb,
  'allow-external': allowExternalVerb,
  'customer-mode': customerModeVerb,
  audit: auditVerb,
  reload: reloadVerb,
  watches: watchesVerb,
};

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * `/front-why …`: acknowledged before anything else (Slack gives 3 seconds and probes take longer), then routed.
 * Anything that fails after the ack still reaches the asker, with a reference id that is in the logs.
 */
export function frontWhyCommand(deps: SlackDeps) {
  return async ({ command, body, ack, client, respond }: Args): Promise<void> => {
    await ack();
    const text = command.text.trim();
    const [first = '', ...rest] = text.split(/\s+/);
    const verb = VERBS[first.toLowerCase()];
    const ctx: VerbContext = {
      deps,
      client,
      respond,
      who: { userId: command.user_id, teamId: deps.identity.teamId, channelId: command.channel_id, request: body },
      external: isExternal(deps.identity, {
        teamId: command.team_id,
        ...(command.enterprise_id ? { enterpriseId: command.enterprise_id } : {}),
      }),
      triggerId: command.trigger_id,
      args: rest,
      text,
    };
    const anywhere = text === '' ? helpVerb : (verb ?? diagnoseVerb);
    answerLater(
      deps,
      body,
      (async () => {
        // The other commands of a burst (already received, not yet acknowledged) go first.
        await afterPendingAcks();
        const customer = await customerChannelOf(deps, ctx.who);
        const run = customer ? inCustomerChannel(customer, first.toLowerCase(), verb, anywhere) : anywhere;
        await run(ctx);
      })().catch(async (err: unknown) => {
        const ref = logFailure(deps.logger, `/front-why ${verb ? first.toLowerCase() : 'check'}`, err, {
          channel: command.channel_id,
          user: command.user_id,
        });
        await respondEphemeral(respond, simpleMessage(failureText('that', err, ref))).catch(() =>
          deps.logger.error({ ref }, 'could not tell the user about the failure'),
        );
      }),
    );
  };
}
