import type { ActivityEntry } from '../store';

/** The activity actions a watch leaves: one start, any number of changes, and one end. */
export const WATCH_ACTIONS = ['watch.start', 'watch.changed', 'watch.fixed', 'watch.expired', 'watch.stop'] as const;
const WATCH_ENDS = new Set(['watch.fixed', 'watch.expired', 'watch.stop']);

/** The watch id an entry's detail starts with (`watch=<id>`), if any. */
export function watchIdOf(entry: Pick<ActivityEntry, 'detail'>): string | undefined {
  return /^watch=([^\s,;]+)/.exec(entry.detail ?? '')?.[1];
}

export interface OpenWatchEntry {
  id: string;
  tenant: string;
  target: string;
  channelId: string;
  since: Date;
}

/** Watches started and not yet fixed, expired or stopped, oldest first; entries may come in any order. */
export function openWatches(entries: ActivityEntry[]): OpenWatchEntry[] {
  const open = new Map<string, OpenWatchEntry>();
  const ordered = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  for (const e of ordered) {
    const id = watchIdOf(e);
    if (!id) continue;
    if (e.action === 'watch.start' && e.tenant && e.target)
      open.set(id, { id, tenant: e.tenant, target: e.target, channelId: e.channelId ?? '', since: e.at });
    else if (WATCH_ENDS.has(e.action)) open.delete(id);
  }
  return [...open.values()];
}
