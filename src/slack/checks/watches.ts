import { expiryOf, nothingToWatch, overruledNote, ownerOf, recheck, verdictOf, type WatchCheck } from '../../watch';
import { MAX_ERRORS_PER_PASTE } from '../../diagnosis';
import { liveAs } from '../../diagnosis/live';
import { diagnoseWithinShare } from './run-diagnosis';
import { recheckInput } from '../../input';
import { DEFAULT_TOKEN_TENANT_ID, isStoreError, type Watch } from '../../store';
import type { Requester, SlackDeps } from '../app/deps';
import { recordActivity } from './record-activity';
import { waitText } from './check-share';
import { channelTenant, tenantLabel, type ChannelTenant } from './tenant-connections';

/** The store keeps at most this much of a watch's target. */
const MAX_WATCH_TARGET_CHARS = 2_000;

export type StartWatch =
  | { kind: 'started'; watch: Watch }
  | { kind: 'already'; watch: Watch }
  | { kind: 'fine'; label: string }
  | { kind: 'refused'; message: string };

/**
 * A click on "Watch until fixed": the checks run again (the button carries the errors and IDs of the paste, as the
 * others do), so the watch starts from today's cause and owner; a target that already reads fine needs no watch.
 */
export async function startWatch(
  deps: SlackDeps,
  who: Requester,
  threadTs: string,
  value: string,
): Promise<StartWatch> {
  const tenant = await channelTenant(deps.store, deps.config, who.teamId, who.channelId);
  const label = tenantLabel(tenant);
  if (tenant.kind === 'none' || !label) {
    return { kind: 'refused', message: 'No tenant is bound to this channel, so there is nothing to re-check with.' };
  }
  const lease = await deps.tenants.lease(tenant);
  if (!lease) return { kind: 'refused', message: `Tenant ${label} no longer exists.` };
  const parsed = deps.parse(value);
  let checked;
  try {
    // Starting a watch is a check someone asked for: it draws from the same share as Check again.
    checked = await diagnoseWithinShare(deps, tenant, lease, parsed);
  } finally {
    lease.release();
  }
  if ('wait' in checked) return { kind: 'refused', message: waitText(checked.wait) };
  const { outcome } = checked;
  // A button's value is the paste it answers, but one holding nothing to check must not read as "try again".
  const nothing = nothingToWatch(outcome);
  if (nothing) return { kind: 'refused', message: nothing };
  const overruled = outcome.ok ? overruledNote(outcome.diagnoses[0]) : undefined;
  if (overruled) return { kind: 'refused', message: overruled };
  const verdict = verdictOf(outcome, deps.rules);
  const target = outcome.ok ? outcome.targets.join(', ') : '';
  const shown = target || 'the pasted error';
  if (verdict.kind === 'fine') return { kind: 'fine', label: shown };
  if (verdict.kind !== 'broken' || !outcome.ok) {
    return {
      kind: 'refused',
      message: `The checks could not tell what is wrong right now (${verdict.summary}); try again in a minute.`,
    };
  }
  // Kept for days: the errors and IDs a re-check reads, not the paste (a button from before carried it whole).
  const reduced = parsed.ok
    ? recheckInput(parsed, { maxErrors: MAX_ERRORS_PER_PASTE, maxChars: MAX_WATCH_TARGET_CHARS })
    : undefined;
  if (!reduced) return { kind: 'refused', message: 'That error is too long to keep for re-checking.' };
  const first = outcome.diagnoses.find((d) => d.cause === verdict.cause);
  const now = deps.watch.now();
  const started = await deps.store
    .startWatch({
      tenant: label,
      defaultToken: tenant.kind === 'default',
      teamId: who.teamId,
      channelId: who.channelId,
      threadTs,
      target: reduced,
      label: shown,
      cause: verdict.cause,
      ...(ownerOf(first) ? { owner: ownerOf(first) } : {}),
      startedBy: who.userId,
      startedAt: new Date(now),
      nextCheckAt: new Date(now + deps.watch.schedule.intervalMs),
      expiresAt: expiryOf(now, deps.watch.schedule),
    })
    .catch((err: unknown) => {
      if (isStoreError(err, 'tenant_not_found')) return undefined;
      throw err;
    });
  if (!started) return { kind: 'refused', message: `Tenant ${label} no longer exists.` };
  const { watch, created } = started;
  if (!created) return { kind: 'already', watch };
  // On the watches' clock, like the runner's lines, so the time from start to fixed reads right.
  await recordActivity({ ...deps, clock: deps.watch.now }, who, {
    action: 'watch.start',
    tenant: label,
    target: shown,
    cause: verdict.cause,
    detail: `watch=${watch.id} slack, re-checked until ${watch.expiresAt.toISOString()}`,
  });
  deps.homes.tenantChanged(label);
  return { kind: 'started', watch };
}

/**
 * The tenant a watch was started with, by identity: the stored tenant whose id it holds, or FRONT_API_TOKEN when
 * that is what it used. A string says why there is none to re-check with.
 */
function watchTenant(watch: Watch, hasDefault: boolean): Exclude<ChannelTenant, { kind: 'none' }> | string {
  const removed = `the tenant ${watch.tenant} was removed from front-why`;
  if (watch.tenantId === DEFAULT_TOKEN_TENANT_ID) {
    return hasDefault ? { kind: 'default' } : 'FRONT_API_TOKEN, the token it re-checked with, is no longer set';
  }
  return watch.tenantId === null ? removed : { kind: 'bound', name: watch.tenant, id: watch.tenantId };
}

/** The runner's re-check in the server: the same target with the same tenant, through the tenant's shared connection. */
export function watchCheck(deps: SlackDeps): (watch: Watch) => Promise<WatchCheck> {
  return async (watch) => {
    const tenant = watchTenant(watch, deps.config.FRONT_API_TOKEN !== undefined);
    if (typeof tenant === 'string') return { kind: 'gone', summary: tenant };
    // The name may now belong to another tenant (removed and added back): that one's token is never used.
    const lease = await deps.tenants.lease(tenant);
    if (!lease) return { kind: 'gone', summary: `the tenant ${watch.tenant} was removed from front-why` };
    try {
      return await recheck(
        watch.target,
        {
          rules: deps.rules,
          live: liveAs(lease.connection, 'watch'),
          clock: deps.clock,
          share: { tenant: watch.tenant, share: deps.watch.share, budget: lease.connection.budget },
        },
        { cause: watch.cause, owner: watch.owner },
      );
    } finally {
      lease.release();
    }
  };
}
