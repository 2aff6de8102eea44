import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { diagnoseParsed } from '../../../diagnosis';
import { isExternal } from '../../app/admins';
import { renderOutcome, renderWait } from '../../render/blocks';
import { simpleMessage } from '../../render/block-kit';
import type { Requester, SlackDeps } from '../../app/deps';
import { claimMessage } from '../../app/dedupe';
import { failureText, logFailure, slackRateLimited } from '../../send/failure';
import { post, postAll, postEphemeral, reachUser } from '../../send/reply';
import { mustWait, runDiagnosis, type Paste } from '../../checks/run-diagnosis';
import { channelTenant } from '../../checks/tenant-connections';
import { startOwnerSweep } from '../../checks/owner-sweeps';

type Args = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

/** The fields of a plain user message this listener reads; every other message kind has a `subtype`. */
interface UserMessage {
  subtype?: string;
  bot_id?: string;
  user?: string;
  /** Set on messages in channels shared with other organisations. */
  user_team?: string;
  /** The author's workspace. */
  team?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
}

/**
 * Passive detection: in a listening channel, a message holding a Front error or IDs of what can be private gets one
 * threaded reply (all its IDs together). Bots, edits, deletions, joins and every other subtype are ignored, and a
 * message is answered once whatever Slack retries or re-delivers.
 */
export function passiveMessage(deps: SlackDeps) {
  return async ({ event, body, client, context }: Args): Promise<void> => {
    const message = event as unknown as UserMessage;
    if (message.subtype !== undefined || message.bot_id || !message.user || message.user === deps.identity.botUserId)
      return;
    const text = message.text ?? '';
    if (text.trim() === '') return;

    const who: Requester = { userId: message.user, teamId: deps.identity.teamId, channelId: message.channel };
    const settings = await deps.store.getChannelSettings(who.teamId, who.channelId);
    if (!settings.listen && !deps.config.FRONT_WHY_CHANNELS.includes(who.channelId)) return;
    if (!settings.allowExternal && (await authorIsExternal(deps, client, message))) return;

    // Offline first: most messages in a support channel are not Front errors, and those cost no claim and no probe.
    // The paste is read once; the live diagnosis reuses what was read.
    const parsed = deps.parse(text);
    const offline = await diagnoseParsed(parsed, { rules: deps.rules, clock: deps.clock });
    if (!offline.ok || (!offline.sawError && offline.targets.length === 0)) return;

    const eventId = (body as { event_id?: string }).event_id;
    if (!(await claimMessage(deps.store, eventId, who.channelId, message.ts))) {
      deps.logger.debug(
        { eventId, channel: who.channelId, retry: context.retryNum },
        'message already answered; skipped',
      );
      return;
    }

    const threadTs = message.thread_ts ?? message.ts;
    await deps.inflight.track(answer(deps, client, who, { text, parsed }, threadTs));
  };
}

/**
 * The author's team, never the envelope's `team_id` (the workspace the event was delivered to). When the event does
 * not say it, Slack is asked (users.info) rather than guessing; an author whose team stays unknown is treated as
 * external, so no probe runs for someone unknown. Each lookup's outcome is logged.
 */
async function authorIsExternal(deps: SlackDeps, client: Args['client'], message: UserMessage): Promise<boolean> {
  const said = message.user_team ?? message.team;
  if (said) return isExternal(deps.identity, { teamId: said });
  const user = message.user as string;
  const team = await deps.userTeams.of(client, user);
  const external = 'problem' in team || isExternal(deps.identity, team);
  const decided =
    'problem' in team
      ? `could not be looked up (${team.problem}): treated as external`
      : external
        ? 'is another organisation (users.info): treated as external'
        : 'is this workspace (users.info)';
  deps.logger.info(
    { user, channel: message.channel, ...('problem' in team ? {} : { team: team.teamId }), external },
    `the team of a message's author, not in the event, ${decided}`,
  );
  return external;
}

async function answer(
  deps: SlackDeps,
  client: Args['client'],
  who: Requester,
  paste: Paste,
  threadTs: string,
): Promise<void> {
  try {
    const tenant = await channelTenant(deps.store, deps.config, who.teamId, who.channelId);
    const result = await runDiagnosis(deps, who, paste, tenant, 'message');
    const messages = mustWait(result)
      ? [renderWait(result.wait, result.buttonValue)]
      : renderOutcome(result.outcome, result.view);
    await postAll(client, who.channelId, messages, threadTs);
    if (!mustWait(result)) await startOwnerSweep(deps, who, tenant, result.outcome, threadTs);
  } catch (err) {
    const ref = logFailure(deps.logger, 'passive diagnosis', err, { channel: who.channelId, user: who.userId });
    const note = simpleMessage(failureText('checking this message', err, ref));
    // Privately to the author when the thread is out of reach (chat.postEphemeral has its own rate limit); when
    // Slack rate limited the answer, a note in the thread would only wait out the same limit again.
    const inThread = () => post(client, who.channelId, note, threadTs);
    const privately = () => postEphemeral(client, who.channelId, who.userId, note, threadTs);
    const reached = await reachUser(slackRateLimited(err) ? [privately] : [inThread, privately]);
    if (!reached) deps.logger.error({ ref }, 'could not tell the user about the failure');
  }
}
