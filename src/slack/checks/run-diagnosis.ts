import { overruledNote } from '../../watch';
import { MAX_ERRORS_PER_PASTE, diagnoseParsed, type DiagnoseOutcome, type ParseResult } from '../../diagnosis';
import { recheckInput } from '../../input';
import type { Rule } from '../../rules';
import { declarationOf } from '../../rules/cause-set';
import type { OutcomeView } from '../render/blocks';
import { LIMITS } from '../render/block-kit';
import { recordActivity } from './record-activity';
import { recordUnknowns } from './record-unknowns';
import type { Requester, SlackDeps } from '../app/deps';
import { waitText, type ShareWait } from './check-share';
import { budgetKeyOf, tenantLabel, type ChannelTenant, type Lease } from './tenant-connections';
import { ownerStillSought } from './owner-sweeps';

export interface DiagnosisAnswer {
  outcome: DiagnoseOutcome;
  view: OutcomeView;
}

/** The tenant's share of Front requests for checks is spent for this minute: nothing ran, the person waits. */
export interface DiagnosisWait {
  /** Plain text: how long, and why (the caller escapes it). */
  wait: string;
  /** What "Check again" re-runs, as on an answer. */
  buttonValue?: string;
}

export type DiagnosisResult = DiagnosisAnswer | DiagnosisWait;

export const mustWait = (result: DiagnosisResult): result is DiagnosisWait => 'wait' in result;

/** A paste as typed, and what the parser read in it when the caller already read it. */
export interface Paste {
  text: string;
  parsed?: ParseResult;
}

/** Where a paste is seen for the first time; the buttons re-run a paste already counted. */
const FIRST_SIGHTINGS = ['command', 'message'];

/**
 * Diagnoses the paste for the channel's tenant and records it in the activity log. Without a tenant (or when the
 * bound tenant was removed) the answer comes from the paste alone and says so; never with another tenant's token.
 * When the tenant's share of Front requests for checks is spent (check-share.ts), before the check or under it, the
 * result says how long to wait instead of answering; nothing is recorded then, since nothing was answered.
 */
export async function runDiagnosis(
  deps: SlackDeps,
  who: Requester,
  paste: string | Paste,
  tenant: ChannelTenant,
  origin: string,
): Promise<DiagnosisResult> {
  const { text, parsed: given } = typeof paste === 'string' ? { text: paste, parsed: undefined } : paste;
  const parsed = given ?? deps.parse(text);
  const label = tenantLabel(tenant);
  const lease = tenant.kind === 'none' ? undefined : await deps.tenants.lease(tenant);
  let outcome: DiagnoseOutcome;
  let offlineReason: string | undefined;
  try {
    if (lease && tenant.kind !== 'none') {
      const checked = await diagnoseWithinShare(deps, tenant, lease, parsed);
      if ('wait' in checked) {
        const buttonValue = buttonValueFor(parsed, checked.outcome);
        return { wait: waitText(checked.wait), ...(buttonValue ? { buttonValue } : {}) };
      }
      outcome = checked.outcome;
    } else {
      offlineReason =
        tenant.kind === 'none' ? 'no tenant is bound to this channel' : `tenant ${label ?? ''} no longer exists`;
      outcome = await diagnoseParsed(parsed, { rules: deps.rules, clock: deps.clock });
    }
  } finally {
    lease?.release();
  }
  deps.metrics.diagnosed(outcome, who.request);
  await recordRun(deps, who, lease ? label : undefined, outcome, origin);
  if (FIRST_SIGHTINGS.includes(origin)) await recordUnknowns(deps, who, outcome, label ?? null);
  const buttonValue = buttonValueFor(parsed, outcome);
  // Only a stored tenant's thread gets the owner later (startOwnerSweep, once the answer is posted).
  const sought = lease && tenant.kind === 'bound' ? ownerStillSought(outcome) : undefined;
  return {
    outcome,
    view: {
      ...(lease && label ? { tenant: label } : {}),
      ...(offlineReason ? { offlineReason } : {}),
      ...(buttonValue ? { buttonValue } : {}),
      ...(lease && watchable(outcome, deps.rules) ? { watchable: true } : {}),
      ...(parsed.ok ? { idsInPaste: parsed.ids.length } : {}),
      ...(sought ? { ownerFollowUp: sought.left } : {}),
    },
  };
}

/**
 * Diagnoses with the tenant's live connection, drawing on the checks' share of its Front limit (check-share.ts):
 * the outcome, or how long to wait when the share was spent before the check or under it (with what was found).
 */
export async function diagnoseWithinShare(
  deps: SlackDeps,
  tenant: Exclude<ChannelTenant, { kind: 'none' }>,
  lease: Lease,
  parsed: ParseResult,
): Promise<{ outcome: DiagnoseOutcome } | { wait: ShareWait; outcome?: DiagnoseOutcome }> {
  const started = deps.share.startCheck(budgetKeyOf(tenant), tenantLabel(tenant) ?? '', lease.connection.budget);
  if (!started.ok) return { wait: started.wait };
  const live = { ...lease.connection.live, gateway: started.ticket.gateway(lease.connection.live.gateway) };
  let outcome: DiagnoseOutcome;
  try {
    outcome = await diagnoseParsed(parsed, { rules: deps.rules, live, clock: deps.clock });
  } finally {
    started.ticket.finish();
  }
  const cut = started.ticket.cutShort();
  return cut ? { wait: cut, outcome } : { outcome };
}

/**
 * A watch re-reads a conversation until it reads fine, so it needs a live answer about one whose likeliest cause
 * the customer can fix (its rule file says `customer_can_fix: true`), and that the token connected here can see (no live check overruled the paste).
 */
export function watchable(outcome: DiagnoseOutcome, rules: readonly Rule[]): boolean {
  if (!outcome.ok || !outcome.live || outcome.targets.length === 0) return false;
  const first = outcome.diagnoses[0];
  return (
    first !== undefined &&
    first.status === 'confirmed' &&
    declarationOf(rules, first.cause)?.customerCanFix === true &&
    overruledNote(first) === undefined
  );
}

async function recordRun(
  deps: SlackDeps,
  who: Requester,
  tenant: string | undefined,
  outcome: DiagnoseOutcome,
  origin: string,
): Promise<void> {
  const targets = outcome.ok ? outcome.targets.join(',') : '';
  const causes = outcome.ok ? [...new Set(outcome.diagnoses.map((d) => d.cause))].join(',') : '';
  const action = tenant ? 'diagnose' : 'explain';
  await recordActivity(deps, who, {
    // A button under an answer re-runs the same case: logged, but as the case's re-run, so that `stats` and the
    // Home tab count each case once however often its answer was checked again or opened.
    action: FIRST_SIGHTINGS.includes(origin) ? action : `${action}.again`,
    ...(tenant ? { tenant } : {}),
    ...(targets ? { target: targets } : {}),
    ...(causes ? { cause: causes } : {}),
    detail: `slack ${origin}${outcome.ok ? `, ${outcome.calls} request(s) to Front` : ''}`,
  });
}

/**
 * What the buttons re-run: the errors and IDs read in the paste, never its free text (the answer may be in a
 * channel while the paste came from a private command, and a paste carries whatever surrounded the error). When
 * even that does not fit in a button, its targets.
 */
export function buttonValueFor(parsed: ParseResult, outcome: DiagnoseOutcome | undefined): string | undefined {
  const reduced = parsed.ok
    ? recheckInput(parsed, { maxErrors: MAX_ERRORS_PER_PASTE, maxChars: LIMITS.buttonValueChars - 100 })
    : undefined;
  if (reduced) return reduced;
  if (!outcome?.ok) return undefined;
  // Whole IDs only, as many as fit: a button's value is cut at its limit, and half an ID would check another one.
  const kept: string[] = [];
  for (const target of outcome.targets) {
    if ([...kept, target].join(' ').length > LIMITS.buttonValueChars) break;
    kept.push(target);
  }
  return kept.length > 0 ? kept.join(' ') : undefined;
}
