import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { diagnoseParsed } from '../../../diagnosis';
import { authorIsExternal, type SaidTeam } from '../../checks/author-team';
import { renderOutcome, renderWait } from '../../render/blocks';
import { simpleMessage } from '../../render/block-kit';
import { answerLater } from '../../app/answer-later';
import type { Requester, SlackDeps } from '../../app/deps';
import { claimMessage } from '../../app/dedupe';
import { failureText, logFailure, slackRateLimited } from '../../send/failure';
import { post, postAll, postEphemeral, reachUser } from '../../send/reply';
import { mustWait, runDiagnosis, type Paste } from '../../checks/run-diagnosis';
import { channelTenant } from '../../checks/tenant-connections';
import {
  answerCustomer,
  answerInsiderPrivately,
  customerChannelOf,
  privatelyInThread,
} from '../../checks/customer-mode';
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
  /** In shared channels: the workspace the message was posted from. */
  source_team?: string;
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

    const who: Requester = {
      userId: message.user,
      teamId: deps.identity.teamId,
      channelId: message.channel,
      request: body,
    };
    // A customer channel always listens: answering the customer is what it is for.
    const customer = await customerChannelOf(deps, who);
    let external = false;
    if (customer) {
      external = await authorIsExternal(deps, client, message.user, who.channelId, said(message));
      if (!external && message.thread_ts) await noteAgentPost(deps, who, message.thread_ts);
    } else {
      const settings = await deps.store.getChannelSettings(who.teamId, who.channelId);
      if (!settings.listen && !deps.config.FRONT_WHY_CHANNELS.includes(who.channelId)) return;
      if (!settings.allowExternal && (await authorIsExternal(deps, client, message.user, who.channelId, said(message))))
        return;
    }

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
    const paste = { text, parsed };
    const run = !customer
      ? () => answerInThread(deps, client, who, paste, threadTs)
      : external
        ? () => answerCustomer(deps, client, who, customer, paste, threadTs, message.ts, 'message')
        : () => answerInsiderPrivately(deps, who, paste, privatelyInThread(client, who, threadTs), 'message');
    answerLater(deps, body, answer(deps, client, who, threadTs, run));
  };
}

/** One of the vendor's people wrote in a customer's thread: that question is no longer answered by front-why alone. */
async function noteAgentPost(deps: SlackDeps, who: Requester, threadTs: string): Promise<void> {
  const thread = { teamId: who.teamId, channelId: who.channelId, threadTs };
  if (await deps.store.isCustomerThread(thread)) await deps.store.markAgentPosted(thread, new Date(deps.clock()));
}

async function answerInThread(
  deps: SlackDeps,
  client: Args['client'],
  who: Requester,
  paste: Paste,
  threadTs: string,
): Promise<void> {
  const tenant = await channelTenant(deps.store, deps.config, who.teamId, who.channelId);
  const result = await runDiagnosis(deps, who, paste, tenant, 'message');
  const messages = mustWait(result)
    ? [renderWait(result.wait, result.buttonValue)]
    : renderOutcome(result.outcome, result.view);
  await postAll(client, who.channelId, messages, threadTs);
  if (!mustWait(result)) await startOwnerSweep(deps, who, tenant, result.outcome, threadTs);
}

async function answer(
  deps: SlackDeps,
  client: Args['client'],
  who: Requester,
  threadTs: string,
  run: () => Promise<void>,
): Promise<void> {
  try {
    await run();
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

/**
 * The author's team as the event says it: `user_team` in channels shared with other organisations, else `team`, else
 * `source_team` (where the message was posted from).
 */
function said(message: UserMessage): SaidTeam {
  return { teamId: message.user_team ?? message.team ?? message.source_team };
}
