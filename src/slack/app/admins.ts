import type { webApi } from '@slack/bolt';
import type { Config } from '../../config';
import { slackErrorCode, slackRateLimited } from '../send/failure';
import type { Identity } from './identity';

export interface AdminVerdict {
  admin: boolean;
  /** Why membership could not be checked, when it could not. */
  problem?: string;
}

const GROUP_CACHE_MS = 60_000;

/**
 * Admins are the user ids in FRONT_WHY_ADMINS and the members of the FRONT_WHY_ADMIN_GROUP user group. The group's
 * members are fetched with `usergroups.users.list` and kept a minute, so a burst of commands costs one call.
 */
export class AdminCheck {
  private cache: { at: number; members: Set<string> } | undefined;

  constructor(
    private readonly config: Pick<Config, 'FRONT_WHY_ADMINS' | 'FRONT_WHY_ADMIN_GROUP'>,
    private readonly clock: () => number,
  ) {}

  /** false when neither FRONT_WHY_ADMINS nor FRONT_WHY_ADMIN_GROUP names anyone: nobody can be an admin yet. */
  get configured(): boolean {
    return this.config.FRONT_WHY_ADMINS.length > 0 || Boolean(this.config.FRONT_WHY_ADMIN_GROUP);
  }

  async check(client: webApi.WebClient, userId: string): Promise<AdminVerdict> {
    if (this.config.FRONT_WHY_ADMINS.includes(userId)) return { admin: true };
    const group = this.config.FRONT_WHY_ADMIN_GROUP;
    if (!group) return { admin: false };
    try {
      return { admin: (await this.members(client, group)).has(userId) };
    } catch (err) {
      const code = slackErrorCode(err) ?? (slackRateLimited(err) ? 'ratelimited' : 'no answer');
      return { admin: false, problem: `could not read the members of the admin user group (${code})` };
    }
  }

  private async members(client: webApi.WebClient, group: string): Promise<Set<string>> {
    const now = this.clock();
    if (this.cache && now - this.cache.at < GROUP_CACHE_MS) return this.cache.members;
    const result = await client.usergroups.users.list({ usergroup: group });
    const members = new Set(result.users ?? []);
    this.cache = { at: now, members };
    return members;
  }
}

/** Who can become an admin and how: said at start-up when there is none, and to whoever needs one. */
export const HOW_TO_NAME_ADMINS =
  "whoever runs the front-why server adds a person's Slack member ID (their profile → ⋮ → Copy member ID) to " +
  'FRONT_WHY_ADMINS, or sets FRONT_WHY_ADMIN_GROUP to the ID (S…) of a Slack user group, then restarts front-why';

/**
 * A user of another organisation (a Slack Connect guest). A user of another workspace of the same Enterprise
 * Grid org is not external. A payload that does not say which team the user is in counts as external, since
 * guessing "internal" would hand probes to someone unknown.
 */
export function isExternal(identity: Identity, user: { teamId?: string; enterpriseId?: string }): boolean {
  if (!user.teamId) return true;
  if (user.teamId === identity.teamId) return false;
  return !(identity.enterpriseId && user.enterpriseId === identity.enterpriseId);
}
