import type { webApi } from '@slack/bolt';
import { slackErrorCode } from '../send/failure';

/** `<#C123|name>` or `<#C123>` (as some clients send a channel mention), or a bare channel ID. */
const CHANNEL_ID = /^(?:<#([CG][A-Z0-9]{2,20})(?:\|[^>]*)?>|([CG][A-Z0-9]{2,20}))$/;
/** `#name` as typed: the command is not escaped, so Slack sends the name, not the channel's ID. */
const CHANNEL_NAME = /^#([a-z0-9][a-z0-9_-]{0,79})$/;
const PAGE = 200;
const MAX_PAGES = 10;

export type MirrorLookup = { ok: true; id: string } | { ok: false; problem: string };

/**
 * The internal channel a customer channel mirrors its full answers to. The mirror gets everything the customer must
 * not see (agent steps, evidence, the token's scopes), so a channel shared outside this workspace is refused, and one
 * the bot is not in is refused before anything is posted there rather than failing on the first question.
 */
export async function findMirrorChannel(client: webApi.WebClient, typed: string): Promise<MirrorLookup> {
  const byId = CHANNEL_ID.exec(typed);
  const byName = CHANNEL_NAME.exec(typed);
  if (!byId && !byName) return { ok: false, problem: 'That is not a channel: give it as `#name` or by its ID.' };
  const id = byId ? (byId[1] ?? byId[2])! : await channelNamed(client, byName![1]!);
  // The name matched CHANNEL_NAME, so it holds nothing Slack would read as markup.
  const shown = byName ? typed : `<#${id}>`;
  const invite = `Invite me to ${shown} first (\`/invite @front-why\`), then run this again.`;
  if (!id)
    return {
      ok: false,
      problem: `I am not in a channel called ${shown}: invite me there (\`/invite @front-why\`), then run this again.`,
    };
  let channel: { is_member?: boolean; is_shared?: boolean; is_ext_shared?: boolean } | undefined;
  try {
    channel = (await client.conversations.info({ channel: id })).channel;
  } catch (err) {
    if (slackErrorCode(err) === 'channel_not_found') return { ok: false, problem: invite };
    throw err;
  }
  if (channel?.is_ext_shared || channel?.is_shared)
    return {
      ok: false,
      problem: `${shown} is shared outside this workspace. The mirror gets the full answer, internal details included, so it must be a channel of your own people only.`,
    };
  if (!channel?.is_member) return { ok: false, problem: invite };
  return { ok: true, id };
}

/** The ID of the channel the bot is in with that name, or undefined. */
async function channelNamed(client: webApi.WebClient, name: string): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await client.users.conversations({
      types: 'public_channel,private_channel',
      exclude_archived: true,
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    const found = result.channels?.find((c) => c.name === name);
    if (found?.id) return found.id;
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}
