import type { NewActivityEntry } from '../../store';
import type { Requester, SlackDeps } from '../app/deps';
import { logFailure } from '../send/failure';

/**
 * Every probe run and tenant change leaves a line: who, where, which tenant, which target, which cause. Never
 * the token (the store also redacts anything token-shaped). A failed write is logged loudly, but the person
 * still gets their answer.
 */
export async function recordActivity(
  deps: Pick<SlackDeps, 'store' | 'logger' | 'clock'>,
  who: Requester,
  entry: Omit<NewActivityEntry, 'at' | 'actor' | 'teamId' | 'channelId'>,
): Promise<void> {
  try {
    await deps.store.recordActivity({
      at: new Date(deps.clock()),
      actor: who.userId,
      teamId: who.teamId,
      channelId: who.channelId,
      ...entry,
    });
  } catch (err) {
    logFailure(deps.logger, 'activity log write', err, {
      channel: who.channelId,
      user: who.userId,
      action: entry.action,
    });
  }
}
