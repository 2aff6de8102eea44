import { WebApiErrorCode, WebClient } from './bolt';

/** Who the bot is in Slack, from `auth.test` at start-up. */
export interface Identity {
  botUserId: string;
  botId: string;
  /** The workspace the app is installed in; a user from any other team is external (Slack Connect). */
  teamId: string;
  enterpriseId?: string;
  /** The bot user's name, for the `/invite @…` hint. */
  botName: string;
}

export async function whoAmI(client: WebClient): Promise<Identity> {
  const result = await client.auth.test();
  const { user_id: botUserId, bot_id: botId, team_id: teamId, user, enterprise_id: enterpriseId } = result;
  if (!botUserId || !botId || !teamId) {
    throw new Error(
      'SLACK_BOT_TOKEN is not a bot token (auth.test returned no bot_id); use the "Bot User OAuth Token" (xoxb-…) from OAuth & Permissions',
    );
  }
  return { botUserId, botId, teamId, botName: user ?? 'front-why', ...(enterpriseId ? { enterpriseId } : {}) };
}

/** Who the bot is, or an error naming the Slack setting at fault, or Slack itself when it cannot be reached. */
export async function identify(client: WebClient, apiUrl: string) {
  try {
    return await whoAmI(client);
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code)
      throw new Error(
        `Slack refused SLACK_BOT_TOKEN (auth.test: ${code}); copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions`,
      );
    if ((err as { code?: unknown }).code === WebApiErrorCode.RequestError) {
      throw new Error(
        `could not reach Slack at ${apiUrl} to check SLACK_BOT_TOKEN (auth.test: ${requestFailure(err)}). Check that this host can reach Slack (network, proxy, firewall)${apiUrl === DEFAULT_SLACK_API_URL ? '' : ', and SLACK_API_URL'}.`,
      );
    }
    throw err;
  }
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** "fetch failed (ECONNREFUSED)": the low-level cause a request error wraps, without any header it carried. */
function requestFailure(err: unknown): string {
  const original = (err as { original?: { message?: unknown; cause?: { code?: unknown; message?: unknown } } })
    .original;
  const message = typeof original?.message === 'string' ? original.message : 'no answer';
  const cause = original?.cause?.code ?? original?.cause?.message;
  return typeof cause === 'string' ? `${message}: ${cause}` : message;
}
