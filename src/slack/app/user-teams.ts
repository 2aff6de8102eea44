import type { webApi } from '@slack/bolt';
import { slackErrorCode, slackRateLimited } from '../send/failure';

/** The workspace (and Enterprise Grid org) a user belongs to, as `isExternal` reads it. */
export interface UserTeam {
  teamId?: string;
  enterpriseId?: string;
}

const KEEP_MS = 60 * 60_000;
const MAX_KEPT = 5_000;

/**
 * A user's team from `users.info`, for a message event that does not say its author's team: asked once, then kept
 * an hour, so a busy listening channel costs one call per author. A lookup that fails is not kept, and answers
 * `problem` instead, so the caller can log why it could not decide.
 */
export class UserTeams {
  private readonly kept = new Map<string, { at: number; team: UserTeam }>();

  constructor(private readonly clock: () => number) {}

  async of(client: webApi.WebClient, userId: string): Promise<UserTeam | { problem: string }> {
    const now = this.clock();
    const hit = this.kept.get(userId);
    if (hit && now - hit.at < KEEP_MS) return hit.team;
    try {
      const { user } = await client.users.info({ user: userId });
      const team: UserTeam = {
        ...(user?.team_id ? { teamId: user.team_id } : {}),
        ...(user?.enterprise_user?.enterprise_id ? { enterpriseId: user.enterprise_user.enterprise_id } : {}),
      };
      if (this.kept.size >= MAX_KEPT) this.kept.clear();
      this.kept.set(userId, { at: now, team });
      return team;
    } catch (err) {
      return { problem: `users.info: ${slackErrorCode(err) ?? (slackRateLimited(err) ? 'ratelimited' : 'no answer')}` };
    }
  }
}
