import type { webApi } from '@slack/bolt';

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

export async function whoAmI(client: webApi.WebClient): Promise<Identity> {
  const result = await client.auth.test();
  const { user_id: botUserId, bot_id: botId, team_id: teamId, user, enterprise_id: enterpriseId } = result;
  if (!botUserId || !botId || !teamId) {
    throw new Error(
      'SLACK_BOT_TOKEN is not a bot token (auth.test returned no bot_id); use the "Bot User OAuth Token" (xoxb-…) from OAuth & Permissions',
    );
  }
  return { botUserId, botId, teamId, botName: user ?? 'front-why', ...(enterpriseId ? { enterpriseId } : {}) };
}
