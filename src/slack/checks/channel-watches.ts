import type { webApi } from '@slack/bolt';
import type { Watch } from '../../store';
import type { Requester, SlackDeps } from '../app/deps';
import { watchNoticeFor } from './customer-mode';
import { logFailure } from '../send/failure';
import { post } from '../send/reply';
import { recordActivity } from './record-activity';

const PAGE = 1000;

/**
 * A channel that now checks with another tenant (or none) stops the watches it started with the one before: a watch
 * re-checks with the tenant it began with, so left running it would keep posting that tenant's findings here. Each
 * thread is told `why`; returns how many watches this call stopped (one a Stop click or a runner ended first is not
 * counted, and its thread hears about it once, from them).
 */
export async function stopOtherTenantsWatches(
  deps: Pick<SlackDeps, 'store' | 'logger' | 'watch' | 'homes'>,
  client: webApi.WebClient,
  who: Requester,
  /** The tenant id whose watches stay (the channel's tenant now); null: none stays. */
  keep: string | null,
  why: string,
): Promise<number> {
  let stopped = 0;
  for (;;) {
    const active = await deps.store.listWatches({ teamId: who.teamId, channelId: who.channelId, limit: PAGE });
    const others = active.filter((w) => w.tenantId === null || w.tenantId !== keep);
    for (const watch of others) if (await stopOne(deps, client, who, watch, why)) stopped += 1;
    if (active.length < PAGE || others.length === 0) return stopped;
  }
}

async function stopOne(
  deps: Pick<SlackDeps, 'store' | 'logger' | 'watch' | 'homes'>,
  client: webApi.WebClient,
  who: Requester,
  watch: Watch,
  why: string,
): Promise<boolean> {
  const at = new Date(deps.watch.now());
  const ended = await deps.store.endWatch(watch.id, { state: 'stopped', at, by: who.userId, result: why });
  if (!ended) return false;
  const text = `Stopped watching ${ended.label}: ${why}.`;
  await recordActivity({ ...deps, clock: deps.watch.now }, who, {
    action: 'watch.stop',
    tenant: ended.tenant,
    target: ended.label,
    cause: ended.cause,
    detail: `watch=${ended.id} ${text}`,
  });
  deps.homes.tenantChanged(ended.tenant);
  try {
    await post(client, ended.channelId, await watchNoticeFor(deps, ended, 'stopped', text), ended.threadTs);
  } catch (err) {
    // The watch is stopped either way; the admin's reply still counts it.
    logFailure(deps.logger, 'watch stop notice', err, { channel: ended.channelId, watch: ended.id });
  }
  return true;
}
