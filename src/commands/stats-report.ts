import { median, type Deflection } from '../deflection';
import type { ActivityEntry } from '../store';

export { median };

const DAY_MS = 86_400_000;

export interface Count {
  key: string;
  count: number;
}

export interface StatsReport {
  since: Date;
  until: Date;
  tenant: string | null;
  diagnoses: {
    total: number;
    byCause: Count[];
    byTenant: Count[];
    /** Keyed by the Monday (UTC) the week starts on, oldest first. */
    byWeek: Count[];
  };
  watches: {
    started: number;
    fixed: number;
    changed: number;
    expired: number;
    stopped: number;
    /** From the answer (the diagnosis before the watch started, else the start) to the fixed notice. */
    timeToFixed: { count: number; medianMs: number | null; p90Ms: number | null };
  };
  /** Customer mode, per tenant: questions answered, fixed without an agent, median time to fixed. */
  customers: Deflection[];
}

export const NO_CAUSE = '(no Front error found)';
export const NO_TENANT = '(no tenant)';

function counted(map: Map<string, number>): Count[] {
  return [...map]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** The Monday 00:00 UTC of the week holding `at`, as YYYY-MM-DD. */
export function weekStart(at: Date): string {
  const day = Math.floor(at.getTime() / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  const monday = day - ((day + 3) % 7);
  return new Date(monday * DAY_MS).toISOString().slice(0, 10);
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% of them at or below it. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * Diagnoses and watches counted from the activity log alone. `entries` may start before `since`: earlier
 * diagnoses are what a watch's answer time is looked up in, but only what happened from `since` counts.
 */
export function buildStats(
  entries: ActivityEntry[],
  since: Date,
  until: Date,
  tenant: string | null,
  customers: Deflection[] = [],
): StatsReport {
  const ordered = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  const inWindow = (e: ActivityEntry) => e.at >= since && e.at <= until;
  const byCause = new Map<string, number>();
  const byTenant = new Map<string, number>();
  const byWeek = new Map<string, number>();
  const lastAnswer = new Map<string, Date>();
  const starts = new Map<string, Date>();
  const watches = { started: 0, fixed: 0, changed: 0, expired: 0, stopped: 0 };
  const durations: number[] = [];
  let total = 0;
  const caseKey = (e: ActivityEntry) => `${e.tenant ?? ''}\u0000${e.target ?? ''}`;

  for (const e of ordered) {
    if (e.action === 'diagnose') {
      if (e.target) lastAnswer.set(caseKey(e), e.at);
      if (!inWindow(e)) continue;
      total += 1;
      bump(byCause, e.cause ?? NO_CAUSE);
      bump(byTenant, e.tenant ?? NO_TENANT);
      bump(byWeek, weekStart(e.at));
      continue;
    }
    const id = watchIdOf(e);
    if (!id) continue;
    if (e.action === 'watch.start') {
      starts.set(id, lastAnswer.get(caseKey(e)) ?? e.at);
      if (inWindow(e)) watches.started += 1;
    } else if (inWindow(e)) {
      if (e.action === 'watch.fixed') {
        watches.fixed += 1;
        const answeredAt = starts.get(id);
        if (answeredAt) durations.push(e.at.getTime() - answeredAt.getTime());
      } else if (e.action === 'watch.changed') watches.changed += 1;
      else if (e.action === 'watch.expired') watches.expired += 1;
      else if (e.action === 'watch.stop') watches.stopped += 1;
    }
  }
  durations.sort((a, b) => a - b);
  return {
    since,
    until,
    tenant,
    diagnoses: {
      total,
      byCause: counted(byCause),
      byTenant: counted(byTenant),
      byWeek: [...byWeek].map(([key, count]) => ({ key, count })).sort((a, b) => a.key.localeCompare(b.key)),
    },
    watches: {
      ...watches,
      timeToFixed: { count: durations.length, medianMs: median(durations), p90Ms: percentile(durations, 90) },
    },
    customers: customers.filter((c) => tenant === null || c.tenant === tenant),
  };
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function bar(count: number, max: number): string {
  return '█'.repeat(max <= 0 ? 0 : Math.max(1, Math.round((count / max) * 20))).padEnd(20, ' ');
}

export function statsToText(r: StatsReport): string {
  const d = r.diagnoses;
  const lines: string[] = [];
  const scope = r.tenant ? ` for tenant ${r.tenant}` : '';
  lines.push(`Diagnoses${scope} from ${r.since.toISOString()} to ${r.until.toISOString()}: ${d.total}`);
  if (d.total > 0) {
    const max = d.byCause[0]?.count ?? 0;
    lines.push(
      '',
      'By cause:',
      ...d.byCause.map((c) => `  ${bar(c.count, max)} ${String(c.count).padStart(5)}  ${c.key}`),
    );
    lines.push('', 'By tenant:', ...d.byTenant.map((c) => `  ${String(c.count).padStart(5)}  ${c.key}`));
    lines.push(
      '',
      'By week (starting Monday, UTC):',
      ...d.byWeek.map((c) => `  ${c.key}  ${String(c.count).padStart(5)}`),
    );
  }
  const w = r.watches;
  lines.push(
    '',
    `Watches: ${w.started} started, ${w.fixed} fixed, ${w.changed} cause changes, ${w.expired} expired, ${w.stopped} stopped`,
  );
  const t = w.timeToFixed;
  lines.push(
    t.count === 0
      ? 'Time from answer to fixed: no watched case was fixed in this period.'
      : `Time from answer to fixed (${t.count} case(s)): median ${formatDuration(t.medianMs ?? 0)}, p90 ${formatDuration(t.p90Ms ?? 0)}`,
  );
  lines.push('', ...customerLines(r.customers));
  return lines.join('\n');
}

function customerLines(customers: Deflection[]): string[] {
  if (customers.length === 0) return ['Customer questions (customer mode): none in this period.'];
  return [
    'Customer questions (customer mode), by tenant:',
    ...customers.map((c) => {
      const time = c.medianMsToFixed === null ? '' : `, median ${formatDuration(c.medianMsToFixed)} to fixed`;
      return `  ${String(c.answered).padStart(5)} answered, ${c.fixedWithoutAgent} fixed without an agent${time}  ${c.tenant}`;
    }),
  ];
}

/** The watch id an entry's detail starts with (`watch=<id>`, as every watch line writes it), if any. */
function watchIdOf(entry: Pick<ActivityEntry, 'detail'>): string | undefined {
  return /^watch=([^\s,;]+)/.exec(entry.detail ?? '')?.[1];
}
