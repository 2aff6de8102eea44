import type { FactPath } from '../facts';
import type { FactSource, Trait } from '../rules';
import type { OwnerFinding } from './types';

/**
 * A cause declared with this trait comes down to one teammate's private resources: the answer is only useful
 * once it says whose.
 */
const NAMES_THE_OWNER: Trait = 'teammate-preference';

type Facts = Pick<FactSource, 'get'>;

/**
 * Whose private resource was refused, and how the checks told: the private inbox's owner link, the teammate
 * whose own listing was requested, or the teammate sweep. A sweep names the owner only when it was complete, exactly one teammate was refused and
 * every other teammate read fine (`teammates.sole_denied`), and only for a confirmed cause: then the token
 * has the private namespace, so the refused conversation's owner has the preference off. Otherwise the
 * teammates found with it off are candidates, with how many of how many were checked.
 */
export function ownerFinding(
  traits: readonly Trait[],
  status: 'confirmed' | 'possible',
  target: string | undefined,
  facts: Facts,
): OwnerFinding | undefined {
  if (!traits.includes(NAMES_THE_OWNER) || target === undefined) return undefined;
  const name = text(facts, 'owner.name');
  if (name !== undefined)
    return { how: facts.get('input.resource_kind') === 'teammate_resources' ? 'requested' : 'inbox-owner', name };

  const checked = number(facts, 'teammates.checked_count');
  if (checked === undefined) return undefined;
  const total = number(facts, 'teammates.total_count');
  const asOf = text(facts, 'teammates.known_as_of');
  const confirmedBy = asOf !== undefined ? facts.get('teammates.confirmed_by') : undefined;
  const counts = {
    checked,
    ...(total !== undefined ? { total } : {}),
    ...(asOf !== undefined ? { asOf } : {}),
    ...(Array.isArray(confirmedBy) && confirmedBy.length > 0 ? { confirmedBy } : {}),
  };
  const sole = text(facts, 'teammates.sole_denied');
  if (sole !== undefined && status === 'confirmed') return { how: 'elimination', name: sole, ...counts };
  const denied = facts.get('teammates.access_denied');
  const found = Array.isArray(denied) ? denied : [];
  // This diagnosis's share of the limit ran out before every teammate was checked: the owner may be any of the rest.
  if (total !== undefined && checked < total && facts.get('teammates.complete') === false)
    return { how: 'unfinished', candidates: found, ...counts };
  if (found.length === 0) return undefined;
  return { how: 'candidates', candidates: found, ...counts };
}

function text(facts: Facts, path: FactPath): string | undefined {
  const value = facts.get(path);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function number(facts: Facts, path: FactPath): number | undefined {
  const value = facts.get(path);
  return typeof value === 'number' ? value : undefined;
}
