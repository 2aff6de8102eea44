import type { LiveAccess } from '../diagnosis';
import { preferenceFindings, readPrivateAccess, readTeammates, type RecordedGet } from '../probes';
import type { Rule } from '../rules';
import { hasTrait } from '../rules/cause-set';

const CANDIDATES_PREFIX = 'one of ';
const DEFAULT_TIMEOUT_MS = 10_000;

/** Who a fixed watch names, and the requests it took to find out. */
export interface WhoChanged {
  /** The teammates now with the preference on ("A <a> and B <b>"); null when the checks could not tell. */
  owner: string | null;
  calls: number;
}

/**
 * When the target reads fine and the watch started with several candidate owners ("one of A, B": the sweep found
 * several teammates with the preference off and could not tell whose inbox it is), which of them turned it on:
 * their private resources are read again now. Only those who did are named; when none can be told, nobody is.
 * Undefined when there is nothing to find out (a cause whose rule file does not declare it a teammate's preference,
 * or an owner named from the start).
 */
export async function whoChanged(
  before: { cause: string; owner: string | null },
  live: LiveAccess,
  now: () => number,
  rules: readonly Rule[],
): Promise<WhoChanged | undefined> {
  if (!hasTrait(rules, before.cause, 'teammate-preference') || !before.owner?.startsWith(CANDIDATES_PREFIX)) {
    return undefined;
  }
  const candidatesText = before.owner.slice(CANDIDATES_PREFIX.length);
  const deadline = now() + (live.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let calls = 0;
  const get: RecordedGet = async (path) => {
    const { result, shared } = await live.gateway.get(path, { deadline, fresh: true });
    if (!shared) calls += 1;
    return result;
  };
  const teammates = await readTeammates(get);
  // The candidates as the sweep labelled them, found again by that label among today's teammates.
  const candidates = (teammates ?? []).filter((t) => labelIn(t.label, candidatesText));
  const access = await Promise.all(candidates.map(async (t) => ({ t, access: await readPrivateAccess(get, t.id) })));
  live.teammates?.learnt(preferenceFindings(access.map((a) => ({ teammate: a.t, access: a.access }))), false);
  const turnedOn = access.filter((a) => a.access === 'allowed').map((a) => a.t.label);
  return { owner: turnedOn.length > 0 ? turnedOn.join(' and ') : null, calls };
}

/** Whether `label` is one whole entry of the candidates as `ownerOf` joined them, not a part of another's. */
function labelIn(label: string, candidates: string): boolean {
  return candidates.split(', ').includes(label);
}
