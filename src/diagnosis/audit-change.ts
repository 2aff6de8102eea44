import type { AuditResult, AuditTeammate, Store } from '../store';
import type { AuditReport } from './audit';

/** What a scheduled audit tells the tenant's channels; `baseline` the first time, `change` only when something moved. */
export interface AuditChange {
  tenant: string;
  kind: 'baseline' | 'change';
  /** Teammates who now have the preference off and did not before: their calls will fail next. */
  newlyOff: AuditTeammate[];
  /** Teammates who had it off and now have it on. */
  turnedOn: AuditTeammate[];
  token?: 'stopped' | 'works-again';
  /** The result now stored, which the next run compares with. */
  result: AuditResult;
}

export type AuditComparison =
  /** Front could not be asked (unreachable, rate limited): nothing to compare, the stored result stays. */
  { kind: 'unknown'; reason: string } | { kind: 'same'; result: AuditResult } | AuditChange;

function tokenError(report: AuditReport): string | null {
  const t = report.token;
  if (t.valid === true) return null;
  if (t.valid === false) return 'refused';
  return t.status !== undefined ? `http_${t.status}` : 'unreachable';
}

const teammate = (t: { id: string; label: string }): AuditTeammate => ({ id: t.id, name: t.label });

/**
 * Compares an audit with the stored last result. A teammate not checked this time (the sweep stopped early)
 * keeps what was known of them, so an incomplete run never reads as "turned on".
 */
export function compareAudit(
  tenant: string,
  previous: AuditResult | null,
  report: AuditReport,
  ranAt: Date,
): AuditComparison {
  const works = report.token.valid ?? null;
  if (works === null) return { kind: 'unknown', reason: report.incomplete ?? 'could not reach Front' };
  const tm = report.teammates;
  const prevOff = previous?.preferenceOff ?? [];
  const offNow = (tm?.preferenceOff ?? []).map(teammate);
  const offIds = new Set(offNow.map((t) => t.id));
  const allowedIds = new Set((tm?.allowed ?? []).map((t) => t.id));
  const checkedIds = new Set([...offIds, ...allowedIds, ...(tm?.forbidden ?? []).map((t) => t.id)]);
  const complete = tm !== undefined && report.incomplete === undefined;
  const carried = complete ? [] : prevOff.filter((t) => !checkedIds.has(t.id));
  const result: AuditResult = {
    tenant,
    ranAt,
    tokenWorks: works,
    tokenError: tokenError(report),
    preferenceOff: [...offNow, ...carried],
    checked: tm ? tm.total - tm.notChecked.length : 0,
    total: tm?.total ?? previous?.total ?? 0,
    complete,
  };
  if (!previous) return { tenant, kind: 'baseline', newlyOff: [], turnedOn: [], result };
  const prevIds = new Set(prevOff.map((t) => t.id));
  const newlyOff = offNow.filter((t) => !prevIds.has(t.id));
  const turnedOn = prevOff.filter((t) => allowedIds.has(t.id));
  const token =
    previous.tokenWorks === true && works === false
      ? 'stopped'
      : previous.tokenWorks === false && works === true
        ? 'works-again'
        : undefined;
  if (newlyOff.length === 0 && turnedOn.length === 0 && !token) return { kind: 'same', result };
  return { tenant, kind: 'change', newlyOff, turnedOn, ...(token ? { token } : {}), result };
}

/**
 * Compares a sweep with the tenant's stored last result and stores the new one, whoever ran it (the scheduler or an
 * admin by hand): the next run compares with it, and the Home tab shows it. One that could not reach Front
 * stores nothing, so the last result stands.
 */
export async function recordAudit(
  store: Pick<Store, 'getAuditResult' | 'saveAuditResult'>,
  tenant: string,
  report: AuditReport,
  ranAt: Date,
): Promise<AuditComparison> {
  const comparison = compareAudit(tenant, await store.getAuditResult(tenant), report, ranAt);
  if (comparison.kind !== 'unknown') await store.saveAuditResult(comparison.result);
  return comparison;
}
