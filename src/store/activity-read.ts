import type { ActivityEntry, ActivityQuery, ActivityStore } from './areas/activity';

const PAGE = 1000;

/**
 * Every entry matching `query`, newest first, paging past the store's 1000-entry limit; stops at `max` entries
 * (`truncated` then says so) so a huge log cannot exhaust memory.
 */
export async function readActivity(
  store: Pick<ActivityStore, 'listActivity'>,
  query: Omit<ActivityQuery, 'limit' | 'before'>,
  max = 100_000,
): Promise<{ entries: ActivityEntry[]; truncated: boolean }> {
  const entries: ActivityEntry[] = [];
  let before: ActivityQuery['before'];
  for (;;) {
    const page = await store.listActivity({ ...query, limit: PAGE, ...(before ? { before } : {}) });
    for (const entry of page) {
      if (entries.length >= max) return { entries, truncated: true };
      entries.push(entry);
    }
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) return { entries, truncated: false };
    before = { at: last.at, id: last.id };
  }
}
