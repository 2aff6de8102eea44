import type { RespondFn, webApi } from '@slack/bolt';
import type { SlackMessage } from '../render/block-kit';
import { chatCall } from './chat-call';
import { slackErrorCode } from './failure';
import { retryRateLimited } from './slack-retry';

/** Errors meaning "the bot cannot post here" (not a member, a DM between people, an archived channel). */
const CANNOT_POST = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'cannot_dm_bot',
  'messages_tab_disabled',
]);

export function cannotPostHere(err: unknown): boolean {
  const code = slackErrorCode(err);
  return code !== undefined && CANNOT_POST.has(code);
}

/** Every bot post goes through here (a rate-limited one is tried again after Retry-After): links and media are never unfurled, mentions never parsed from text. */
export async function post(
  client: webApi.WebClient,
  channel: string,
  message: SlackMessage,
  threadTs?: string,
): Promise<string> {
  const result = await retryRateLimited(() =>
    chatCall(client, 'chat.postMessage', {
      channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    }),
  );
  if (!result.ts) throw new Error('chat.postMessage returned no ts');
  return result.ts;
}

export async function postAll(
  client: webApi.WebClient,
  channel: string,
  messages: SlackMessage[],
  threadTs: string,
): Promise<void> {
  // In order: a split answer must read top to bottom.
  for (const message of messages) await post(client, channel, message, threadTs);
}

export async function update(
  client: webApi.WebClient,
  channel: string,
  ts: string,
  message: SlackMessage,
): Promise<void> {
  await retryRateLimited(() =>
    chatCall(client, 'chat.update', { channel, ts, text: message.text, blocks: message.blocks }),
  );
}

export async function postEphemeral(
  client: webApi.WebClient,
  channel: string,
  user: string,
  message: SlackMessage,
  threadTs?: string,
): Promise<void> {
  await retryRateLimited(() =>
    client.chat.postEphemeral({
      channel,
      user,
      text: message.text,
      blocks: message.blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    }),
  );
}

/** Through the command's `response_url`: works where the bot is not a member, which is exactly when it is needed. */
export async function respondEphemeral(respond: RespondFn, message: SlackMessage): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
}

/** Tries each way to reach the user in turn; returns whether one worked. */
export async function reachUser(attempts: (() => Promise<unknown>)[]): Promise<boolean> {
  for (const attempt of attempts) {
    try {
      await attempt();
      return true;
    } catch {
      // The next way may still work (ephemeral via response_url when the bot is not in the channel).
    }
  }
  return false;
}
