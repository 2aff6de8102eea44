import { parseFrontId } from '../front';
import type { RecalledTeammates, TeammateFinding, TeammateMemory } from '../probes';
import type { TeammateMapStore, TeammateSource, TenantStore } from '../store';

/** Who checks teammates a few at a time through this memory; a complete check of everyone is an audit's or a sweep's. */
export type TeammateChecker = Extract<TeammateSource, 'audit' | 'diagnosis' | 'watch'>;

export interface StoredTeammatesOptions {
  store: TeammateMapStore & Pick<TenantStore, 'getTenant'>;
  /** The stored tenant's name: its id is looked up on every use, so a tenant removed and added back starts empty. */
  tenant: string;
  /** How long a complete check is trusted (FRONT_WHY_TEAMMATES_TTL); 0: never, every diagnosis sweeps. */
  ttlMs: number;
  clock?: () => number;
  /** A write that failed: the map is an optimisation, so the check it came from goes on without it. */
  onError?: (err: unknown) => void;
}

/** A tenant's teammate map in the store, as each kind of check uses it. */
export interface StoredTeammates {
  for(checker: TeammateChecker): TeammateMemory;
  /** Resolves once every write started so far is done (a command awaits it before closing the store). */
  settled(): Promise<void>;
}

export function storedTeammates({
  store,
  tenant,
  ttlMs,
  clock = Date.now,
  onError,
}: StoredTeammatesOptions): StoredTeammates {
  const writing = new Set<Promise<unknown>>();
  const tenantId = async () => (await store.getTenant(tenant))?.id;

  async function recall(): Promise<RecalledTeammates | undefined> {
    if (ttlMs <= 0) return undefined;
    const id = await tenantId();
    const map = id === undefined ? null : await store.getTeammateMap(id);
    if (!map?.sweep) return undefined;
    const age = clock() - map.sweep.completeAt.getTime();
    if (age > ttlMs) return undefined;
    return {
      teammates: map.teammates.map((t) => ({
        id: t.teammateId,
        label: t.name,
        access: t.apiAccess ? 'allowed' : 'denied',
      })),
      total: map.sweep.total,
      asOf: `${map.sweep.seenBy === 'audit' ? 'the audit' : 'the teammate sweep'} ${ago(age)}`,
    };
  }

  async function write(checker: TeammateChecker, found: TeammateFinding[], complete: boolean): Promise<void> {
    const id = await tenantId();
    if (id === undefined) return;
    // Only IDs in Front's exact format are kept (the same ones a request path may carry).
    const teammates = found
      .filter((f) => parseFrontId(f.id, 'tea').ok)
      .map((f) => ({ id: f.id, name: f.label, apiAccess: f.access === 'allowed' }));
    await store.recordTeammatePreferences({
      tenantId: id,
      seenBy: complete && checker !== 'audit' ? 'sweep' : checker,
      at: new Date(clock()),
      complete: complete && teammates.length === found.length,
      teammates,
    });
  }

  return {
    for: (checker) => ({
      recall,
      learnt(found, complete) {
        const done = write(checker, found, complete).catch((err: unknown) => onError?.(err));
        writing.add(done);
        void done.finally(() => writing.delete(done));
      },
    }),
    async settled() {
      await Promise.allSettled([...writing]);
    },
  };
}

/** "just now", "12 min ago", "3 h ago", "2 days ago": how old what the map says is, for the answer. */
export function ago(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
