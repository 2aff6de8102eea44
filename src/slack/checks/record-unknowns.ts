import type { DiagnoseOutcome } from '../../diagnosis';
import type { Observation } from '../../input';
import { recordUnknownWordings, unknownSightings } from '../../unknowns/record';
import type { Requester, SlackDeps } from '../app/deps';
import { logFailure } from '../send/failure';

/**
 * The wordings no rule explained, counted in the store for `front-why unknowns` and the admins' Home tab. A failed
 * write is logged; the person still gets their answer.
 */
export async function recordUnknowns(
  deps: Pick<SlackDeps, 'store' | 'logger' | 'clock' | 'metrics'>,
  who: Requester,
  outcome: DiagnoseOutcome,
  tenant: string | null,
): Promise<void> {
  if (!outcome.ok || !outcome.unexplained || outcome.unexplained.length === 0) return;
  try {
    await countUnknownWordings(deps, outcome.unexplained, tenant, new Date(deps.clock()));
  } catch (err) {
    logFailure(deps.logger, 'unknown wording write', err, { channel: who.channelId, user: who.userId });
  }
}

/** Counts the wordings of `unexplained` in the store and the metric. */
export async function countUnknownWordings(
  deps: Pick<SlackDeps, 'store' | 'metrics'>,
  unexplained: readonly Observation[],
  tenant: string | null,
  at: Date,
): Promise<void> {
  const { recorded, created } = await recordUnknownWordings(deps.store, unknownSightings(unexplained), tenant, at);
  for (let i = 0; i < recorded; i += 1) deps.metrics.unknownWording(i < created);
}
