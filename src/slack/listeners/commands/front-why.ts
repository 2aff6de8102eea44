import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { isExternal } from '../../access';
import { afterPendingAcks } from '../../after-acks';
import { simpleMessage } from '../../block-kit';
import type { SlackDeps } from '../../context';
import { failureText, logFailure } from '../../failure';
import { respondEphemeral } from '../../reply';
import { auditSubcommand } from '../../subcommands/audit';
import { bindSubcommand } from '../../subcommands/bind';
import { connectSubcommand } from '../../subcommands/connect';
import { diagnoseSubcommand } from '../../subcommands/diagnose';
import { helpSubcommand } from '../../subcommands/help';
import { reloadSubcommand } from '../../subcommands/reload';
import { allowExternalSubcommand, listenSubcommand } from '../../subcommands/settings';
import { statusSubcommand } from '../../subcommands/status';
import type { CommandContext, Subcommand } from '../../subcommands/types';
import { unbindSubcommand } from '../../subcommands/unbind';

export const COMMAND = '/front-why';

const SUBCOMMANDS: Record<string, Subcommand> = {
  help: helpSubcommand,
  status: statusSubcommand,
  connect: connectSubcommand,
  bind: bindSubcommand,
  unbind: unbindSubcommand,
  listen: listenSubcommand,
  'allow-external': allowExternalSubcommand,
  audit: auditSubcommand,
  reload: reloadSubcommand,
};

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * `/front-why …`: acknowledged before anything else (Slack gives 3 seconds and probes take longer), then routed.
 * Anything that fails after the ack still reaches the asker, with a reference id that is in the logs.
 */
export function frontWhyCommand(deps: SlackDeps) {
  return async ({ command, ack, client, respond }: Args): Promise<void> => {
    await ack();
    // The other commands of a burst (already received, not yet acknowledged) go first.
    await afterPendingAcks();
    const text = command.text.trim();
    const [first = '', ...rest] = text.split(/\s+/);
    const sub = SUBCOMMANDS[first.toLowerCase()];
    const ctx: CommandContext = {
      deps,
      client,
      respond,
      who: { userId: command.user_id, teamId: deps.identity.teamId, channelId: command.channel_id },
      external: isExternal(deps.identity, { teamId: command.team_id, ...(command.enterprise_id ? { enterpriseId: command.enterprise_id } : {}) }),
      triggerId: command.trigger_id,
      args: rest,
      text,
    };
    const run = text === '' ? helpSubcommand : (sub ?? diagnoseSubcommand);
    await deps.inflight.track(
      run(ctx).catch(async (err: unknown) => {
        const ref = logFailure(deps.logger, `/front-why ${sub ? first.toLowerCase() : 'check'}`, err, { channel: command.channel_id, user: command.user_id });
        await respondEphemeral(respond, simpleMessage(failureText('that', err, ref))).catch(() => deps.logger.error({ ref }, 'could not tell the user about the failure'));
      }),
    );
  };
}
