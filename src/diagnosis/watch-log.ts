import type { ActivityEntry } from '../store';

/** The activity actions a watch leaves: one start, any number of changes, and one end. */
export const WATCH_ACTIONS = ['watch.start', 'watch.changed', 'watch.fixed', 'watch.expired', 'watch.stop'] as const;

/** The watch id an entry's detail starts with (`watch=<id>`), if any. */
export function watchIdOf(entry: Pick<ActivityEntry, 'detail'>): string | undefined {
  return /^watch=([^\s,;]+)/.exec(entry.detail ?? '')?.[1];
}
