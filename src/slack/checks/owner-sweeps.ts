import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { webApi } from '@slack/bolt';
import type { DiagnoseOutcome } from '../../diagnosis';
import { NEW_OWNER_SWEEP, runOwnerSweeps, type OwnerSweepDeps } from '../../diagnosis/owner-sweep';
import { teammatesLeft } from '../../diagnosis/text';
import type { OwnerSweep } from '../../store';
import { simpleMessage } from '../render/block-kit';
import { escapeText, truncate } from '../render/escape';
import { post } from '../send/reply';
import type { Requester, SlackDeps } from '../app/deps';
import { recordActivity } from './record-activity';
import type { ChannelTenant } from './tenant-connections';

/**
 * A company whose teammates one diagnosis could not all check within its share of the limit (a big one, or any not in
 * a fresh teammate map on Starter): the first answer says the owner will come, and the rest of the teammates are
 * checked in the background (src/diagnosis/owner-sweep.ts) until the owner can be posted in the thread. Only a stored
 * tenant has one: its sweep ends with it.
 */

/** The target of the first answer's owner still to be named, and how many teammates are left; undefined: none. */
export function ownerStillSought(outcome: DiagnoseOutcome): { target: string; left: number } | undefined {
  const first = outcome.ok ? outcome.diagnoses[0] : undefined;
  const left = teammatesLeft(first?.owner);
  return first?.target !== undefined && left > 0 ? { target: first.target, left } : undefined;
}

/** Starts the sweep for an answer posted in `threadTs`; false when none is needed or the thread already has one. */
export async function startOwnerSweep(
  deps: Pick<SlackDeps, 'store' | 'clock' | 'logger'>,
  who: Requester,
  tenant: ChannelTenant,
  outcome: DiagnoseOutcome,
  threadTs: string,
): Promise<boolean> {
  const sought = ownerStillSought(outcome);
  if (!sought || tenant.kind !== 'bound') return false;
  // The answer is posted already: a store that fails here costs the owner's follow-up, never the answer.
  try {
    const id = tenant.id ?? (await deps.store.getTenant(tenant.name))?.id;
    if (!id) return false;
    return await deps.store.startOwnerSweep({
      tenant: tenant.name,
      tenantId: id,
      teamId: who.teamId,
      channelId: who.channelId,
      threadTs,
      target: sought.target,
      at: new Date(deps.clock()),
      progress: JSON.stringify(NEW_OWNER_SWEEP),
    });
  } catch (err) {
    deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'could not start the owner sweep');
    return false;
  }
}

/** The activity line a sweep leaves with its last word in the thread: the owner, or that it could not finish. */
export const OWNER_SWEEP_TOLD_ACTION = 'owner_sweep.told';

/** The server's sweeps: through the tenants' shared connections, within the watches' share, told with the bot's client. */
export function ownerSweepRunner(deps: SlackDeps, client: webApi.WebClient): () => Promise<number> {
  const sweepDeps: OwnerSweepDeps = {
    store: deps.store,
    holder: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    now: deps.watch.now,
    leaseMs: 2 * deps.config.FRONT_WHY_TIMEOUT_MS + 30_000,
    timeoutMs: deps.config.FRONT_WHY_TIMEOUT_MS,
    share: {
      perStep: deps.config.FRONT_WHY_MAX_CALLS,
      decide: (tenant, budget) => deps.watch.share.decide(tenant, budget),
      spent: (tenant, requests, budget) => deps.watch.share.spent(tenant, requests, budget),
    },
    connect: async (sweep: OwnerSweep) => {
      const lease = await deps.tenants.lease({ kind: 'bound', name: sweep.tenant, id: sweep.tenantId });
      if (!lease) return undefined;
      const { connection } = lease;
      return {
        tenant: sweep.tenant,
        gateway: connection.gateway,
        budget: connection.budget,
        ...(connection.teammates
          ? { teammates: connection.teammates.for('watch'), settled: () => connection.teammates!.settled() }
          : {}),
        release: () => lease.release(),
      };
    },
    tell: async (sweep, text) => {
      await post(
        client,
        sweep.channelId,
        simpleMessage(`:bust_in_silhouette: ${escapeText(truncate(text, 2_500))}`),
        sweep.threadTs,
      );
      // Whoever reads the tenant's activity sees who was named in which thread, and by what: the answer itself
      // was logged by the diagnosis, this follow-up by the sweep.
      const sweeper = { userId: `owner-sweep:${sweepDeps.holder}`, teamId: sweep.teamId, channelId: sweep.channelId };
      await recordActivity({ ...deps, clock: deps.watch.now }, sweeper, {
        tenant: sweep.tenant,
        action: OWNER_SWEEP_TOLD_ACTION,
        target: sweep.target,
        detail: truncate(text, 1_000),
      });
    },
    onError: (sweep, err) =>
      deps.logger.warn(
        { sweep: sweep.id, err: err instanceof Error ? err.message : String(err) },
        'owner sweep step failed',
      ),
  };
  let running: Promise<number> | undefined;
  // A tick already running is joined, not doubled.
  return () => (running ??= runOwnerSweeps(sweepDeps).finally(() => (running = undefined)));
}
