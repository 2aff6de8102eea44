import type { DiagnoseOutcome } from '../../diagnosis';
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
    const sightings = unknownSightings(outcome.unexplained);
    const { recorded, created } = await recordUnknownWordings(deps.store, sightings, tenant, new Date(deps.clock()));
    for (let i = 0; i < recorded; i += 1) deps.metrics.unknownWording(i < created);
  } catch (err) {
    logFailure(deps.logger, 'unknown wording write', err, { channel: who.channelId, user: who.userId });
  }
}
