import type { DiagnoseOutcome, Diagnosis } from '../diagnosis';

/** What one re-check of a watched target found. Texts are plain: whoever shows them escapes them. */
export type WatchCheck =
  /**
   * The target reads fine with the tenant's token now. `owner`, when set, is whom the fix concerns as the re-check
   * found it (null: it could not tell), in place of the owner the watch started with.
   */
  | { kind: 'fine'; summary: string; owner?: string | null }
  /** Still failing, for `cause` (perhaps another cause than before). */
  | { kind: 'broken'; cause: string; summary: string }
  /** The re-check could not tell (Front did not answer, a check was refused): look again later. */
  | { kind: 'unknown'; summary: string }
  /** Not checked, to stay within the tenant's Front budget: look again at `retryAt`. */
  | { kind: 'postponed'; retryAt: number; summary: string }
  /** The tenant is gone (removed since): nothing can be checked any more. */
  | { kind: 'gone'; summary: string };

/**
 * Causes that come and go with Front's load or this host's network, not with the customer's settings: a re-check
 * meeting one learnt nothing.
 */
const TRANSIENT = new Set(['rate_limited', 'rate_limited_burst', 'front_unavailable', 'bot_cannot_reach_front']);

/**
 * Reading an outcome as a watch does. Fine only on Front's word: the target was read (the `not_reproducible`
 * rule, confirmed live). A cause counts only when confirmed; a merely possible one means a check was missing.
 */
export function verdictOf(outcome: DiagnoseOutcome): WatchCheck {
  if (!outcome.ok) return { kind: 'unknown', summary: outcome.message };
  const fine = outcome.diagnoses.find((d) => d.cause === 'not_reproducible' && d.status === 'confirmed');
  if (fine && outcome.live) return { kind: 'fine', summary: fine.headline };
  const first = outcome.diagnoses.find((d) => d.status === 'confirmed' && !TRANSIENT.has(d.cause));
  if (first) return { kind: 'broken', cause: first.cause, summary: first.headline };
  const possible = outcome.diagnoses[0];
  return {
    kind: 'unknown',
    summary: possible ? `could not decide: ${possible.headline}` : 'no cause matched and the target was not read',
  };
}

/**
 * Why an input cannot be watched at all, whatever Front says later: it holds no Front error and no ID of anything
 * that can be private (a typo such as `msg_`), or it could not be read. Re-checking it would never end.
 */
export function nothingToWatch(outcome: DiagnoseOutcome): string | undefined {
  if (!outcome.ok) return outcome.message;
  if (outcome.sawError || outcome.targets.length > 0) return undefined;
  return 'Nothing to watch: no Front error and no Front ID to check (a conversation cnv_…, message msg_…, tag tag_… or another kind that can be private, or an app link to one) in that.';
}

/**
 * Why an answer cannot be watched although its cause is one the customer can fix: a live check overruled the paste
 * (the token connected here works, or does not see the ID), so the failing token is not the one a re-check uses and
 * the fix would never show.
 */
export function overruledNote(d: Diagnosis | undefined): string | undefined {
  if (!d?.overruledBy) return undefined;
  return "No watch for this one: a watch re-checks with the token connected here, and the live checks showed the failing integration does not use that token, so its fix would never show. Ask the customer to say when they changed the integration's token, then check again.";
}

/** Who the cause concerned, for saying later what changed: the owner, or the candidates. */
export function ownerOf(d: Diagnosis | undefined): string | undefined {
  const owner = d?.owner;
  if (!owner) return undefined;
  if (owner.name) return owner.name;
  const names = owner.candidates ?? [];
  if (names.length === 0) return undefined;
  return names.length === 1 ? names[0] : `one of ${names.join(', ')}`;
}

/** "Bo Kim <bo@acme.example>" → "Bo Kim": the thread reads better without the address. */
function shortName(owner: string): string {
  return owner.replace(/\s*<[^<>]*>/g, '').trim() || owner;
}

/** What visibly changed when a watch's target reads fine, from the cause and owner found at the start. */
export function changeText(cause: string, owner: string | null): string {
  switch (cause) {
    case 'teammate_api_access_disabled':
      if (!owner) return 'the teammate\'s "Allow access to my individual resources via the API" is now on';
      if (owner.startsWith('one of ')) {
        return `"Allow access to my individual resources via the API" is now on for ${shortName(owner)}`;
      }
      return `${shortName(owner)}'s "Allow access to my individual resources via the API" is now on`;
    case 'token_missing_private_scope':
    case 'oauth_token_private_resources':
      return "the token now reaches the teammates' private resources";
    case 'token_missing_shared_scope':
    case 'token_missing_permission':
      return 'the token now has the access it was missing';
    case 'token_workspace_restricted':
      return "the token now reaches the conversation's workspace";
    case 'token_invalid':
    case 'oauth_token_expired':
      return 'the token is accepted again';
    case 'oauth_admin_required':
      return 'an admin approved the app';
    default:
      return `the cause found before (${cause}) no longer shows`;
  }
}
