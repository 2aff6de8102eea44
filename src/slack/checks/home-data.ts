import type { webApi } from '@slack/bolt';
import { inspectToken } from '../../front';
import { deflectionByTenant } from '../../deflection';
import { readActivity, type ChannelBinding, type Store } from '../../store';
import type { HomeData, HomeTenant, OpenWatch } from '../render/home-view';

export const HOME_DAYS = 30;
/** A wording no rule explains counts as new on the admins' Home for this long after it was first seen. */
export const UNKNOWN_NEW_DAYS = 7;
const DAY_MS = 86_400_000;
/** 200 a page, as Slack recommends; 10 pages is 2,000 channels, beyond which a viewer's Home lists the first ones. */
const CHANNEL_PAGE = 200;
const MAX_CHANNEL_PAGES = 10;
/** A Home tab never holds more tenants than this; counting the rest would read their activity for nothing. */
const MAX_TENANTS = 30;

/**
 * The channels the viewer is in that the bot can see: `users.conversations` with the viewer's id lists their
 * public channels (channels:read) and the private ones the bot shares with them (groups:read), never others.
 */
export async function viewerChannels(client: webApi.WebClient, userId: string): Promise<Map<string, ViewerChannel>> {
  const ids = new Map<string, ViewerChannel>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_CHANNEL_PAGES; page += 1) {
    const result = await client.users.conversations({
      user: userId,
      types: 'public_channel,private_channel',
      exclude_archived: true,
      limit: CHANNEL_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const channel of result.channels ?? [])
      if (channel.id) ids.set(channel.id, { shared: channel.is_ext_shared === true || channel.is_shared === true });
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return ids;
}

export interface ViewerChannel {
  /** Shared with another organisation (Slack Connect). */
  shared: boolean;
}

export interface HomeInputs {
  store: Store;
  now: Date;
  teamId: string;
  /** The viewer's channels (see `viewerChannels`). */
  channels: Map<string, ViewerChannel>;
  admin: boolean;
}

/**
 * Everything the Home tab shows, from the store: the tenants bound to the viewer's channels (in this workspace),
 * each with its token status, last audit, diagnoses of the last 30 days and, for admins, its audit schedule.
 */
export async function loadHomeData(inputs: HomeInputs): Promise<HomeData> {
  const { store, now } = inputs;
  const since = new Date(now.getTime() - HOME_DAYS * DAY_MS);
  const bindings: ChannelBinding[] = [];
  const mirrors = new Map<string, string>();
  for (const c of await store.listCustomerChannels(inputs.teamId))
    if (c.mirrorChannelId) mirrors.set(c.channelId, c.mirrorChannelId);
  for (const b of await store.listChannelBindings()) {
    // A customer channel the viewer is not in, but whose internal mirror they are in, is followed from there.
    const mirror = mirrors.get(b.channelId);
    const channel =
      inputs.channels.get(b.channelId) ?? (mirror && inputs.channels.has(mirror) ? { shared: true } : undefined);
    if (b.teamId !== inputs.teamId || !channel) continue;
    // The event does not say which organisation the viewer is in, so a channel shared with another one shows its
    // tenant only where an admin allowed people from outside (as for every check there), or, for a customer
    // channel, to whoever is in its internal mirror channel.
    if (channel.shared && !(await store.getChannelSettings(b.teamId, b.channelId)).allowExternal) {
      const inMirror = mirror ? inputs.channels.get(mirror) : undefined;
      if (!inMirror || inMirror.shared) continue;
    }
    bindings.push(b);
  }
  const customers = new Map(deflectionByTenant(await store.listCustomerQuestions(since)).map((d) => [d.tenant, d]));
  const byTenant = new Map<string, string[]>();
  for (const b of bindings) byTenant.set(b.tenant, [...(byTenant.get(b.tenant) ?? []), b.channelId]);

  const tenants: HomeTenant[] = [];
  const watches: OpenWatch[] = [];
  for (const [name, channelIds] of [...byTenant].slice(0, MAX_TENANTS)) {
    const [info, token, result, schedule, diagnoses, active] = await Promise.all([
      store.getTenant(name),
      store.getTenantToken(name),
      store.getAuditResult(name),
      inputs.admin ? store.getAuditSchedule(name) : Promise.resolve(undefined),
      readActivity(store, { tenant: name, since, actions: ['diagnose'] }),
      store.listWatches({ teamId: inputs.teamId, tenant: name, state: 'active' }),
    ]);
    if (!info || !token) continue;
    const claims = inspectToken(token, { now: () => now.getTime() });
    const counts = new Map<string, number>();
    for (const e of diagnoses.entries) if (e.cause) counts.set(e.cause, (counts.get(e.cause) ?? 0) + 1);
    tenants.push({
      name,
      channelIds,
      token: {
        masked: claims.masked,
        kind: claims.kind,
        scopes: info.scopes ?? claims.scopes ?? null,
        works: result?.tokenWorks ?? null,
        error: result?.tokenError ?? null,
        companyName: info.companyName,
      },
      lastAudit: result
        ? { ranAt: result.ranAt, preferenceOff: result.preferenceOff, checked: result.checked, total: result.total }
        : null,
      causes: [...counts]
        .map(([cause, count]) => ({ cause, count }))
        .sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause)),
      ...(schedule !== undefined ? { schedule } : {}),
      ...(customers.has(name) ? { customers: customers.get(name) } : {}),
    });
    // Only the watches of channels the viewer is in: another channel's thread is not theirs to see.
    for (const w of active.filter((w) => channelIds.includes(w.channelId)))
      watches.push({ tenant: w.tenant, target: w.label, channelId: w.channelId, since: w.startedAt });
  }
  const newUnknownWordings = inputs.admin
    ? {
        count: await store.countNewUnknownWordings(new Date(now.getTime() - UNKNOWN_NEW_DAYS * DAY_MS)),
        days: UNKNOWN_NEW_DAYS,
      }
    : undefined;
  return {
    admin: inputs.admin,
    tenants,
    openWatches: watches,
    days: HOME_DAYS,
    ...(newUnknownWordings ? { newUnknownWordings } : {}),
  };
}
