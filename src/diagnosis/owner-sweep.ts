import { parseFrontId } from '../front';
import type { BudgetSnapshot } from '../front';
import {
  preferenceFindings,
  readPrivateAccess,
  readTeammates,
  type FrontGateway,
  type RecordedGet,
  type TeammateFinding,
  type TeammateMemory,
} from '../probes';
import type { OwnerSweep, OwnerSweepStore } from '../store';

/**
 * The rest of a big company's teammates, checked in the background after a diagnosis could check only its share
 * (OWNER_SHARE in src/probes/catalog.ts): a few at a time within the watches' share of the tenant's limit, by the one
 * replica holding the sweep's lease, its progress in the store so a restart goes on where it stopped. When every
 * teammate was checked the thread is told the owner once (by the holder whose finish removed the sweep), and the
 * tenant's teammate map gets the whole company, so the next diagnosis names the owner in one request.
 */

/** What a sweep has found so far, kept in the store between steps. */
export interface OwnerSweepProgress {
  /** Where in Front's list of teammates the next step starts. */
  next: number;
  /** Every teammate whose preference a step told. */
  found: TeammateFinding[];
}

export const NEW_OWNER_SWEEP: OwnerSweepProgress = { next: 0, found: [] };

/** A sweep still unfinished after this long stops, and the thread is told to run an audit. */
export const OWNER_SWEEP_MAX_MS = 24 * 60 * 60_000;
const MINUTE_MS = 60_000;

/** The watches' share of a tenant's budget (src/watch/share.ts): sweeps draw on the same as re-checks. */
export interface SweepShare {
  /** Requests one step may send: a step starts only when it could send them all. */
  readonly perStep: number;
  decide(tenant: string, budget: BudgetSnapshot): { ok: true } | { ok: false; retryAt: number };
  spent(tenant: string, requests: number, budget: BudgetSnapshot): void;
}

/** The tenant's live connection, for one step. undefined: the tenant is gone. */
export interface SweepConnection {
  /** The tenant's name, which the share counts by. */
  tenant: string;
  gateway: FrontGateway;
  budget: { snapshot(): BudgetSnapshot };
  teammates?: TeammateMemory;
  /** Resolves once what `teammates` was told is written, so the map knows the company before the thread is told. */
  settled?: () => Promise<void>;
  release(): void;
}

export interface OwnerSweepDeps {
  store: OwnerSweepStore;
  holder: string;
  now: () => number;
  leaseMs: number;
  /** Time for all of one step's requests (less than the lease). */
  timeoutMs: number;
  share: SweepShare;
  connect: (sweep: OwnerSweep) => Promise<SweepConnection | undefined>;
  /** Posts in the sweep's thread; called once per sweep, by the holder that finished it. */
  tell: (sweep: OwnerSweep, text: string) => Promise<void>;
  onError?: (sweep: OwnerSweep, err: unknown) => void;
}

/** Works every sweep due now, one step each; resolves with how many steps ran. */
export async function runOwnerSweeps(deps: OwnerSweepDeps): Promise<number> {
  let steps = 0;
  for (;;) {
    const sweep = await deps.store.claimOwnerSweep({
      holder: deps.holder,
      now: new Date(deps.now()),
      leaseMs: deps.leaseMs,
    });
    if (!sweep) return steps;
    steps += 1;
    try {
      await step(deps, sweep);
    } catch (err) {
      deps.onError?.(sweep, err);
      // The lease runs out and the sweep is taken up again then.
    }
  }
}

async function step(deps: OwnerSweepDeps, sweep: OwnerSweep): Promise<void> {
  const now = deps.now();
  if (now - sweep.startedAt.getTime() > OWNER_SWEEP_MAX_MS) {
    return finish(
      deps,
      sweep,
      `I could not check every teammate within a day, so the owner of ${sweep.target} is still not named. Run \`/front-why audit\` here: it checks every teammate and lists whoever has the preference off.`,
    );
  }
  const connection = await deps.connect(sweep);
  // The tenant was removed (its sweeps with it) or replaced by another with the same name: nothing to tell.
  if (!connection) {
    await deps.store.finishOwnerSweep(sweep.id, deps.holder);
    return;
  }
  try {
    const decided = deps.share.decide(connection.tenant, connection.budget.snapshot());
    if (!decided.ok) return void (await save(deps, sweep, progressOf(sweep), decided.retryAt));
    const progress = progressOf(sweep);
    let sent = 0;
    // One deadline for the whole step, well within its lease, so no other replica takes the sweep over meanwhile.
    const deadline = now + deps.timeoutMs;
    const get: RecordedGet = async (path) => {
      const { result, shared } = await connection.gateway.get(path, { deadline });
      if (!shared) sent += 1;
      return result;
    };
    const teammates = (await readTeammates(get))?.filter((t) => parseFrontId(t.id, 'tea').ok);
    if (!teammates) {
      deps.share.spent(connection.tenant, sent, connection.budget.snapshot());
      return void (await save(deps, sweep, progress, now + MINUTE_MS));
    }
    const batch = teammates.slice(progress.next, progress.next + Math.max(1, deps.share.perStep - sent));
    const results = [];
    for (const teammate of batch) {
      const access = await readPrivateAccess(get, teammate.id);
      // Front did not answer, or the tenant's window is spent: the rest waits for the next minute.
      if (access === 'unknown') break;
      results.push({ teammate, access });
    }
    deps.share.spent(connection.tenant, sent, connection.budget.snapshot());
    const found = preferenceFindings(results);
    connection.teammates?.learnt(found, false);
    const next: OwnerSweepProgress = {
      next: progress.next + results.length,
      found: [...progress.found.filter((f) => !found.some((g) => g.id === f.id)), ...found],
    };
    if (next.next < teammates.length) {
      // Again as soon as the share allows (the next decide says when).
      return void (await save(deps, sweep, next, results.length < batch.length ? now + MINUTE_MS : now));
    }
    // Everyone told their preference: the map knows the whole company now.
    if (next.found.length === teammates.length) connection.teammates?.learnt(next.found, true);
    await connection.settled?.();
    await finish(deps, sweep, ownerText(sweep.target, next.found, teammates.length));
  } finally {
    connection.release();
  }
}

async function save(deps: OwnerSweepDeps, sweep: OwnerSweep, progress: OwnerSweepProgress, at: number) {
  await deps.store.saveOwnerSweep(sweep.id, deps.holder, {
    progress: JSON.stringify(progress),
    nextRunAt: new Date(at),
  });
}

async function finish(deps: OwnerSweepDeps, sweep: OwnerSweep, text: string): Promise<void> {
  if (await deps.store.finishOwnerSweep(sweep.id, deps.holder)) await deps.tell(sweep, text);
}

/** The progress the store holds; one that cannot be read starts over. */
function progressOf(sweep: OwnerSweep): OwnerSweepProgress {
  try {
    const value = JSON.parse(sweep.progress) as Partial<OwnerSweepProgress>;
    if (typeof value.next === 'number' && Number.isInteger(value.next) && value.next >= 0 && Array.isArray(value.found))
      return { next: value.next, found: value.found };
  } catch {
    // Starts over below.
  }
  return NEW_OWNER_SWEEP;
}

const PREFERENCE = '"Allow access to my individual resources via the API"';

/** What the thread is told once every teammate was checked. Plain text: the teller escapes it. */
export function ownerText(target: string, found: readonly TeammateFinding[], total: number): string {
  const off = found.filter((f) => f.access === 'denied').map((f) => f.label);
  const of = `of the ${total} teammates`;
  // Refused for another reason (the token itself), or Front never said: their preference is not known.
  const unread = total - found.length;
  if (off.length === 0 && unread > 0)
    return `None ${of} whose private resources the token could read has ${PREFERENCE} off, and ${unread} could not be read for another reason, so the owner of ${target} is not named. Run \`/front-why audit\` here for who could not be read and why.`;
  if (off.length === 1)
    return `Owner of ${target}: ${off[0]}, the only one ${of} with ${PREFERENCE} off. They, or an admin for them, must turn it on.`;
  if (off.length > 1)
    return `Owner of ${target}: one of ${off.join(', ')}, the ${off.length} ${of} with ${PREFERENCE} off. Each of them, or an admin for them, should turn it on.`;
  return `Every one ${of} can now be read through the API, so nobody has ${PREFERENCE} off any more: the preference was probably turned on meanwhile. Check again to confirm ${target} reads fine.`;
}
