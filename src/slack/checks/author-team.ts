import type { webApi } from '@slack/bolt';
import { isExternal } from '../app/admins';
import type { SlackDeps } from '../app/deps';

/** What a request says of its author's team: a message event's `user_team` / `team`, a command's `team_id`. */
export interface SaidTeam {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
}

/**
 * Whether the author is of another organisation (Slack Connect), from what Slack says: the request's own team
 * field when it has one (never the envelope's `team_id`, the workspace the request was delivered to), otherwise
 * `users.info` (kept an hour). An author whose team stays unknown counts as external: nobody unknown is handed
 * what an insider gets. Each lookup's outcome is logged.
 */
export async function authorIsExternal(
  deps: Pick<SlackDeps, 'identity' | 'userTeams' | 'logger'>,
  client: webApi.WebClient,
  user: string,
  channel: string,
  said: SaidTeam,
): Promise<boolean> {
  if (said.teamId)
    return isExternal(deps.identity, {
      teamId: said.teamId,
      ...(said.enterpriseId ? { enterpriseId: said.enterpriseId } : {}),
    });
  const team = await deps.userTeams.of(client, user);
  const external = 'problem' in team || isExternal(deps.identity, team);
  const decided =
    'problem' in team
      ? `could not be looked up (${team.problem}): treated as external`
      : external
        ? 'is another organisation (users.info): treated as external'
        : 'is this workspace (users.info)';
  deps.logger.info(
    { user, channel, ...('problem' in team ? {} : { team: team.teamId }), external },
    `the team of a message's author, not in the event, ${decided}`,
  );
  return external;
}
