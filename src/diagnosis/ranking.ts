import { PROBE_DESCRIPTIONS, type FactPath } from '../facts';
import type { FactSource, Trait } from '../rules';
import type { Diagnosis } from './types';

type Facts = Pick<FactSource, 'get'>;

/**
 * One piece of evidence that makes some causes likelier than others, named by the traits their rule files
 * declare (`traits:`). `read` returns the line the answer shows (what tipped the order), or undefined when the
 * evidence is not there.
 */
interface Signal {
  favours: readonly Trait[];
  /**
   * Causes the evidence makes less likely: still possible, they are shown one step less sure. Only where Front's
   * documented behaviour supports it (docs/front-behaviour.md); confidence is never raised above a rule's own.
   */
  against: readonly Trait[];
  read(facts: Facts): string | undefined;
}

const OAUTH: readonly Trait[] = ['oauth-token'];
const PREFERENCE: readonly Trait[] = ['teammate-preference'];
const PRIVATE_SCOPE: readonly Trait[] = ['private-scope'];
/** Front's older OAuth docs: an OAuth token reaches no individual inbox, whatever the scope or the preference. */
const API_TOKEN_PRIVATE: readonly Trait[] = ['teammate-preference', 'private-scope'];

/** Front's wording when a teammate has "Allow access to my individual resources via the API" off (§1). */
const PREFERENCE_WORDING = /do not have access to the resources of this teammate/i;

/**
 * In order of strength: the first signal that separates the causes listed decides the order, and its line is
 * the one shown. Static priority (the engine's order) breaks ties inside each group.
 */
const SIGNALS: readonly Signal[] = [
  {
    favours: OAUTH,
    against: API_TOKEN_PRIVATE,
    read: (facts) =>
      facts.get('token.kind') === 'oauth'
        ? 'The stored token is an OAuth access token (its claims say so), so the OAuth causes come first.'
        : undefined,
  },
  {
    favours: OAUTH,
    against: API_TOKEN_PRIVATE,
    read: (facts) =>
      facts.get('input.mentions_oauth') === true && facts.get('token.kind') !== 'api'
        ? "The paste says the request came from an OAuth connection, so the OAuth causes come first; the stored token's claims decide."
        : undefined,
  },
  {
    favours: PREFERENCE,
    against: PRIVATE_SCOPE,
    read: (facts) =>
      facts.get('token.private_scope') === true
        ? "The token's claims grant private resources, so the teammate's preference comes first."
        : undefined,
  },
  {
    favours: PRIVATE_SCOPE,
    against: PREFERENCE,
    read: (facts) =>
      facts.get('token.private_scope') === false
        ? "The token's claims do not grant private resources, so the missing scope comes first."
        : undefined,
  },
  {
    // Front's help names this wording for a teammate whose preference is off; a missing scope is not documented
    // to give it.
    favours: PREFERENCE,
    against: PRIVATE_SCOPE,
    read: (facts) => {
      const live = facts.get('conversation.error_message');
      const message = typeof live === 'string' ? live : facts.get('error.message');
      return typeof message === 'string' && PREFERENCE_WORDING.test(message)
        ? 'Front refused the conversation with "You do not have access to the resources of this teammate", its wording for a teammate whose preference is off; the token\'s scope decides.'
        : undefined;
    },
  },
  {
    // A token with the private namespace reads the private resources of every teammate whose preference is on:
    // reading no one's, with everyone checked, leaves only "every teammate has it off" for the preference cause.
    // Skipped when every refusal used the preference-off wording: the next signal weighs that.
    favours: PRIVATE_SCOPE,
    against: PREFERENCE,
    read: (facts) => {
      const sweep = sweepOf(facts);
      if (!sweep || !sweep.complete || sweep.allowed > 0 || sweep.checked === 0 || sweep.forbidden === 0) return;
      return `Not one of the ${sweep.checked} teammates' private resources could be read (everyone was checked): a token without the private scope is likelier than every teammate having the preference off; the token's scope decides.`;
    },
  },
  {
    favours: PRIVATE_SCOPE,
    against: PREFERENCE,
    read: (facts) => {
      const sweep = sweepOf(facts);
      if (!sweep || sweep.allowed > 0 || sweep.forbidden === 0 || sweep.denied > 0) return;
      return `Front refused every teammate checked (${sweep.checked}) with "not allowed to read the teammate", not its wording for a preference that is off ("You do not have access to the resources of this teammate"): the token likely lacks the private scope.`;
    },
  },
  {
    favours: PREFERENCE,
    against: PRIVATE_SCOPE,
    read: (facts) => {
      const sweep = sweepOf(facts);
      if (!sweep || sweep.allowed > 0 || sweep.denied === 0 || sweep.forbidden > 0) return;
      return `Front refused every teammate checked (${sweep.checked}) with "You do not have access to the resources of this teammate", its wording for a preference that is off; the token's scope decides.`;
    },
  },
];

/**
 * Orders one paste's diagnoses by what the checks showed: the first signal (above) that favours a cause listed
 * next to another puts it first, lowers the confidence of the causes it speaks against while they stay
 * possible, and says in `rankedBy` what tipped it. Without such evidence the engine's static order stands.
 */
export function rankByEvidence(
  diagnoses: Diagnosis[],
  facts: Facts,
  traitsOf: (cause: string) => readonly Trait[],
): Diagnosis[] {
  const has = (d: Diagnosis, traits: readonly Trait[]) => traitsOf(d.cause).some((t) => traits.includes(t));
  const overruling = overrulingFirst(diagnoses);
  if (overruling) return overruling;
  if (diagnoses.length < 2) return diagnoses;
  for (const signal of SIGNALS) {
    const favoured = diagnoses.filter((d) => has(d, signal.favours));
    if (favoured.length === 0 || favoured.length === diagnoses.length) continue;
    const line = signal.read(facts);
    if (line === undefined) continue;
    const rest = diagnoses
      .filter((d) => !has(d, signal.favours))
      .map((d) =>
        has(d, signal.against) && d.status === 'possible' ? { ...d, confidence: lowered(d.confidence) } : d,
      );
    const [first, ...others] = favoured as [Diagnosis, ...Diagnosis[]];
    return [{ ...first, rankedBy: line }, ...others, ...rest];
  }
  return diagnoses;
}

/**
 * Live evidence outranks the paste: a confirmed diagnosis that is itself the contradiction between the two (the
 * stored token works while the paste says 401, …) goes first, saying which check overruled the paste.
 */
function overrulingFirst(diagnoses: Diagnosis[]): Diagnosis[] | undefined {
  const index = diagnoses.findIndex((d) => d.overruledBy !== undefined && d.status === 'confirmed');
  const found = diagnoses[index];
  if (!found?.overruledBy) return undefined;
  const line = `the live check (${PROBE_DESCRIPTIONS[found.overruledBy]}) answered otherwise than the paste claims, so what it showed comes first.`;
  const first = { ...found, rankedBy: line.charAt(0).toUpperCase() + line.slice(1) };
  return [first, ...diagnoses.filter((_, i) => i !== index)];
}

interface Sweep {
  complete: boolean;
  checked: number;
  allowed: number;
  denied: number;
  forbidden: number;
}

function sweepOf(facts: Facts): Sweep | undefined {
  const checked = count(facts, 'teammates.checked_count');
  const allowed = count(facts, 'teammates.access_allowed_count');
  const denied = count(facts, 'teammates.access_denied_count');
  const forbidden = count(facts, 'teammates.access_forbidden_count');
  if (checked === undefined || allowed === undefined || denied === undefined || forbidden === undefined) return;
  return { complete: facts.get('teammates.complete') === true, checked, allowed, denied, forbidden };
}

function count(facts: Facts, path: FactPath): number | undefined {
  const value = facts.get(path);
  return typeof value === 'number' ? value : undefined;
}

/** A rule's confidence holds when its conditions are known; a merely possible diagnosis is one step less sure. */
export function lowered(confidence: Diagnosis['confidence']): Diagnosis['confidence'] {
  return confidence === 'high' ? 'medium' : 'low';
}
