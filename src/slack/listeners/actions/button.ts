import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isExternal } from '../../app/admins';
import { answerLater } from '../../app/answer-later';
import { simpleMessage, type SlackMessage } from '../../render/block-kit';
import type { Requester, SlackDeps } from '../../app/deps';
import { failureText, logFailure } from '../../send/failure';
import { postEphemeral, reachUser, respondEphemeral } from '../../send/reply';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export interface ButtonClick {
  who: Requester;
  /** The thread the button's message is in (or starts). */
  threadTs: string | undefined;
  value: string;
  /** The clicker is of another organisation (Slack Connect). */
  external: boolean;
}

/**
 * Shared by every button: ack first, work out who clicked where, refuse Slack Connect guests unless the channel
 * allows them (or, for a button of the customer answer, the channel is a customer channel), then run `work`; a
 * failure still reaches the person who clicked.
 */
export function buttonHandler(
  deps: SlackDeps,
  what: string,
  work: (click: ButtonClick, args: ButtonArgs) => Promise<void>,
  /** The button is one the customer answer offers: a guest may click it in a customer channel. */
  options: { forCustomers?: boolean } = {},
) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const { body, action } = args;
    const channelId = body.channel?.id;
    if (!channelId) return;
    // Only the user's own team counts: `body.team` is the channel's workspace, a guest's click included.
    const userTeam = body.user.team_id;
    const click: ButtonClick = {
      who: { userId: body.user.id, teamId: deps.identity.teamId, channelId, request: body },
      threadTs: (body.message?.thread_ts as string | undefined) ?? body.message?.ts,
      value: action.value ?? '',
      external: isExternal(deps.identity, userTeam ? { teamId: userTeam } : {}),
    };
    const tell = (message: SlackMessage) => tellClicker(args, click, message);
    answerLater(
      deps,
      body,
      (async () => {
        try {
          if (click.external) {
            const settings = await deps.store.getChannelSettings(click.who.teamId, channelId);
            const customerMay =
              options.forCustomers && (await deps.store.getCustomerChannel(click.who.teamId, channelId));
            if (!settings.allowExternal && !customerMay) {
              await tell(
                simpleMessage(
                  ':no_entry: People from outside this workspace (Slack Connect) cannot run front-why checks in this channel.',
                ),
              );
              return;
            }
          }
          await work(click, args);
        } catch (err) {
          const ref = logFailure(deps.logger, what, err, { channel: channelId, user: click.who.userId });
          if (!(await tell(simpleMessage(failureText(what, err, ref)))))
            deps.logger.error({ ref }, 'could not tell the user about the failure');
        }
      })(),
    );
  };
}

/** Privately to whoever clicked: in the channel if the bot is there, else through the action's response_url. */
export function tellClicker(args: ButtonArgs, click: ButtonClick, message: SlackMessage): Promise<boolean> {
  return reachUser([
    () => postEphemeral(args.client, click.who.channelId, click.who.userId, message, click.threadTs),
    () => respondEphemeral(args.respond, message),
  ]);
}
