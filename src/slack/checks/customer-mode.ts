import type { webApi } from '@slack/bolt';
import type { CustomerChannel, Watch } from '../../store';
import { watchNoticeMessage } from '../render/blocks-watch';
import type { Requester, SlackDeps } from '../app/deps';
import { renderOutcome, renderWait, type SlackMessage } from '../render/blocks';
import {
  customerAnswer,
  customerLimitMessage,
  customerNotNowMessage,
  customerWatchNotice,
  mirrorHeader,
} from '../render/blocks-customer-answer';
import { logFailure } from '../send/failure';
import { post, postEphemeral } from '../send/reply';
import { mustWait, runDiagnosis, type DiagnosisResult, type Paste } from './run-diagnosis';
import { channelTenant } from './tenant-connections';

/**
 * Customer mode: in a channel shared with one customer, their people get the customer answer in the thread, the
 * vendor's people the full answer privately, and the mirror channel the full answer with a link to the thread.
 */

/** The checks one customer, and one customer channel, may ask for in a window. */
export const CUSTOMER_LIMITS = { perPerson: 20, perChannel: 60, windowMs: 60 * 60_000 } as const;

/** At most this many private messages for one full answer (Slack shows them one under another). */
const MAX_PRIVATE_MESSAGES = 4;

export function customerChannelOf(deps: Pick<SlackDeps, 'store'>, who: Requester): Promise<CustomerChannel | null> {
  return deps.store.getCustomerChannel(who.teamId, who.channelId);
}

/**
 * A customer's paste or `/front-why` in their channel: counted against the limits, checked with the channel's bound
 * tenant only (never FRONT_API_TOKEN), answered in the thread for the customer, mirrored in full.
 * `askedTs` is the customer's own message (the mirror links to it).
 */
export async function answerCustomer(
  deps: SlackDeps,
  client: webApi.WebClient,
  who: Requester,
  channel: CustomerChannel,
  paste: Paste,
  threadTs: string,
  askedTs: string,
  origin: 'message' | 'command',
): Promise<void> {
  const tenant = await channelTenant(deps.store, deps.config, who.teamId, who.channelId);
  if (tenant.kind !== 'bound') {
    await post(client, who.channelId, customerNotNowMessage(who.userId, 'not-set-up'), threadTs);
    return;
  }
  const limited = await deps.store.recordCustomerCheck({
    teamId: who.teamId,
    channelId: who.channelId,
    threadTs,
    tenant: tenant.name,
    askedBy: who.userId,
    at: new Date(deps.clock()),
    ...CUSTOMER_LIMITS,
  });
  if (!limited.recorded) {
    deps.logger.info({ user: who.userId, channel: who.channelId, over: limited.over }, 'customer check limit reached');
    await post(
      client,
      who.channelId,
      customerLimitMessage(who.userId, limited.over, CUSTOMER_LIMITS.perPerson),
      threadTs,
    );
    return;
  }
  const result = await runDiagnosis(deps, who, paste, tenant, origin);
  const answer = mustWait(result)
    ? customerNotNowMessage(who.userId, 'busy')
    : customerAnswer(result.outcome, {
        asker: who.userId,
        ...(result.view.watchable && result.view.buttonValue ? { watchValue: result.view.buttonValue } : {}),
      });
  await post(client, who.channelId, answer, threadTs);
  if (channel.mirrorChannelId) await mirror(deps, client, who, channel.mirrorChannelId, result, askedTs);
}

/** The full answer in the internal channel, without buttons (they would act on that channel, not the customer's). */
async function mirror(
  deps: SlackDeps,
  client: webApi.WebClient,
  who: Requester,
  mirrorChannelId: string,
  result: DiagnosisResult,
  askedTs: string,
): Promise<void> {
  try {
    const permalink = await client.chat
      .getPermalink({ channel: who.channelId, message_ts: askedTs })
      .then((r) => r.permalink)
      .catch(() => undefined);
    const ts = await post(client, mirrorChannelId, mirrorHeader(who.userId, who.channelId, permalink));
    for (const message of fullAnswer(result)) await post(client, mirrorChannelId, message, ts);
  } catch (err) {
    // The customer has their answer; the mirror missing it is logged for whoever runs front-why.
    logFailure(deps.logger, 'customer mirror', err, { channel: who.channelId, mirror: mirrorChannelId });
  }
}

function fullAnswer(result: DiagnosisResult): SlackMessage[] {
  return mustWait(result)
    ? [renderWait(result.wait)]
    : renderOutcome(result.outcome, { ...result.view, buttonValue: undefined });
}

/**
 * One of the vendor's people pasting in a customer channel: the full answer, privately (the customer must not read
 * it), in the thread they wrote in. `respond` replaces postEphemeral for a slash command.
 */
export async function answerInsiderPrivately(
  deps: SlackDeps,
  who: Requester,
  paste: Paste,
  tell: (message: SlackMessage) => Promise<void>,
  origin: 'message' | 'command',
): Promise<void> {
  const tenant = await channelTenant(deps.store, deps.config, who.teamId, who.channelId);
  const result = await runDiagnosis(deps, who, paste, tenant.kind === 'bound' ? tenant : { kind: 'none' }, origin);
  for (const message of fullAnswer(result).slice(0, MAX_PRIVATE_MESSAGES)) await tell(message);
}

/** `tell` for answerInsiderPrivately in a channel: ephemeral, in the thread. */
export function privatelyInThread(
  client: webApi.WebClient,
  who: Requester,
  threadTs: string,
): (message: SlackMessage) => Promise<void> {
  return (message) => postEphemeral(client, who.channelId, who.userId, message, threadTs);
}

/** What a watch tells its thread: in the customer's terms when the thread is a customer's question. */
export async function watchNoticeFor(
  deps: Pick<SlackDeps, 'store'>,
  watch: Watch,
  kind: 'fixed' | 'changed' | 'expired' | 'stopped',
  text: string,
): Promise<SlackMessage> {
  const thread = { teamId: watch.teamId, channelId: watch.channelId, threadTs: watch.threadTs };
  return (await deps.store.isCustomerThread(thread))
    ? customerWatchNotice(kind, watch, text)
    : watchNoticeMessage(kind, text);
}
