import type { DiagnoseOutcome, Diagnosis } from '../diagnosis';
import type { Observation } from '../input';
import type { Rule } from '../rules';
import { declarationOf, OWNER_FIELD } from '../rules/cause-set';

/** What one re-check of a watched target found. Texts are plain: whoever shows them escapes them. */
export type WatchCheck =
  /**
   * The target reads fine with the tenant's token now. `owner`, when set, is whom the fix concerns as the re-check
   * found it (null: it could not tell), in place of the owner the watch started with.
   */
  | { kind: 'fine'; summary: string; owner?: string | null }
  /**
   * Still failing, for `cause` (perhaps another cause than before). `unexplained`: for the `unknown` cause, the
   * errors no rule explains, whose wordings are counted as a paste's are.
   */
  | { kind: 'broken'; cause: string; summary: string; unexplained?: readonly Observation[] }
  /** The re-check could not tell (Front did not answer, a check was refused): look again later. */
  | { kind: 'unknown'; summary: string }
  /** Not checked, to stay within the tenant's Front budget: look again at `retryAt`. */
  | { kind: 'postponed'; retryAt: number; summary: string }
  /** The tenant is gone (removed since): nothing can be checked any more. */
  | { kind: 'gone'; summary: string };

/**
 * Reading an outcome as a watch does. Fine only on Front's word: the target was read (the `not_reproducible`
 * rule, confirmed live). A cause counts only when confirmed; a merely possible one means a check was missing,
 * and one its rule file declares transient (`watch: { transient: true }`: it comes and goes with Front's load or
 * this host's network, not with the customer's settings) means the re-check learnt nothing.
 */
export function verdictOf(outcome: DiagnoseOutcome, rules: readonly Rule[]): WatchCheck {
  const transient = (cause: string) => declarationOf(rules, cause)?.watch.transient === true;
  if (!outcome.ok) return { kind: 'unknown', summary: outcome.message };
  const fine = outcome.diagnoses.find((d) => d.cause === 'not_reproducible' && d.status === 'confirmed');
  if (fine && outcome.live) return { kind: 'fine', summary: fine.headline };
  const first = outcome.diagnoses.find((d) => d.status === 'confirmed' && !transient(d.cause));
  if (first) {
    const unexplained = first.cause === 'unknown' ? (outcome.unexplained ?? []) : [];
    return {
      kind: 'broken',
      cause: first.cause,
      summary: first.headline,
      ...(unexplained.length > 0 ? { unexplained } : {}),
    };
  }
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

/**
 * Who the cause concerned, for saying later what changed: the owner, or the candidates. Nobody when the check of the
 * teammates was cut short: those found with the preference off so far may not include the owner.
 */
export function ownerOf(d: Diagnosis | undefined): string | undefined {
  const owner = d?.owner;
  if (!owner || owner.how === 'unfinished') return undefined;
  if (owner.name) return owner.name;
  const names = owner.candidates ?? [];
  if (names.length === 0) return undefined;
  return names.length === 1 ? names[0] : `one of ${names.join(', ')}`;
}

/** "Bo Kim <bo@acme.example>" → "Bo Kim": the thread reads better without the address. */
function shortName(owner: string): string {
  return owner.replace(/\s*<[^<>]*>/g, '').trim() || owner;
}

/**
 * What visibly changed when a watch's target reads fine, in the words the cause's rule file gives
 * (`watch.fixed`, or `watch.fixed_for_owner` when the diagnosis named one teammate). A cause no loaded rule
 * declares any more (a reload since the watch started) gets plain words, never its id.
 */
export function changeText(rules: readonly Rule[], cause: string, owner: string | null): string {
  const watch = declarationOf(rules, cause)?.watch;
  // Only one teammate named: of several candidates, the re-check does not tell whose setting changed.
  if (owner && !owner.startsWith('one of ') && watch?.fixedForOwner)
    return watch.fixedForOwner.replaceAll(OWNER_FIELD, shortName(owner));
  return watch?.fixed ?? 'what was failing before no longer shows';
}
