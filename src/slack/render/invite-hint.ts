import { contexts, type SlackMessage } from './block-kit';
import { escapeText } from './escape';

/** Said whenever the bot had to answer privately because it cannot post where it was asked. */
export function inviteHint(botName: string, channelId: string): string {
  const invite = `\`/invite @${escapeText(botName)}\``;
  // D…: a direct message between people, where no bot can be invited.
  if (channelId.startsWith('D')) {
    return `:information_source: Only you can see this: I cannot post in direct messages. Run \`/front-why\` in a channel I am a member of (add me with ${invite}) to get the answer in a thread.`;
  }
  return `:information_source: Only you can see this: I am not a member of this channel. Run ${invite} here, then ask again to get the answer in a thread everyone can see.`;
}

/** Said when Slack would not take the bot's message for another reason (rate limited, unreachable). */
export function postFailedHint(reason: string, ref: string): string {
  return `:information_source: Only you can see this: I could not post in this channel: ${reason}. Reference \`${ref}\` (for whoever runs front-why: it is in the logs). Here is the answer privately; ask again later to get it in a thread everyone can see.`;
}

/** The hint on top of the first message of an answer. */
export function withHint(hint: string, messages: SlackMessage[]): SlackMessage[] {
  const [first, ...rest] = messages;
  if (!first) return [{ text: hint, blocks: contexts(hint) }];
  return [{ text: first.text, blocks: [...contexts(hint), ...first.blocks].slice(0, 50) }, ...rest];
}
