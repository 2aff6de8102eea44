import { BUDGET_SCENARIO, E2E_EXCEPTED, TARGETS } from './report';

/**
 * The figures `--compare` sets side by side, read from the `--json` output of any version of the bench: each reader
 * walks the object defensively, since an older bench may lack a section or name a figure differently, and a figure
 * it cannot find is "not measured" rather than an error.
 */
export interface FigureSpec {
  key: string;
  label: string;
  unit: string;
  /** The goal, in words, when the figure has one. */
  goal?: string;
  /**
   * Whether lower values are better (times, requests, memory) or higher (rates, counts within a bound); neither for
   * a count that only gives the others their context.
   */
  better: 'lower' | 'higher' | 'neither';
  read(result: unknown): number | undefined;
}

type Json = Record<string, unknown>;

function at(value: unknown, ...path: (string | number)[]): unknown {
  let here = value;
  for (const step of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Json)[step];
  }
  return here;
}

function numberAt(value: unknown, ...path: (string | number)[]): number | undefined {
  const found = at(value, ...path);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

function arrayAt(value: unknown, ...path: (string | number)[]): Json[] {
  const found = at(value, ...path);
  return Array.isArray(found) ? found.filter((x): x is Json => x !== null && typeof x === 'object') : [];
}

/** The worst share of a plan's minute one diagnosis took, over what the run measured. */
function worstShare(result: unknown): number | undefined {
  const shares = [
    numberAt(result, 'frontRequests', 'cold', 'sharePercent'),
    numberAt(result, 'frontRequests', 'afterAudit', 'sharePercent'),
    numberAt(result, 'frontRequests', 'bigCompany', 'firstAnswer', 'sharePercent'),
  ].filter((s): s is number => s !== undefined);
  return shares.length > 0 ? Math.max(...shares) : undefined;
}

function endToEndWithin(result: unknown): number | undefined {
  const rows = arrayAt(result, 'slack', 'endToEnd').filter((e) => e.scenario !== E2E_EXCEPTED);
  if (rows.length === 0) return undefined;
  return rows.filter((e) => typeof e.ratio === 'number' && e.ratio <= TARGETS.e2eRatio).length;
}

function endToEndCount(result: unknown): number | undefined {
  const rows = arrayAt(result, 'slack', 'endToEnd').filter((e) => e.scenario !== E2E_EXCEPTED);
  return rows.length > 0 ? rows.length : undefined;
}

function replicaRate(replicas: number) {
  return (result: unknown) =>
    numberAt(
      arrayAt(result, 'replicas', 'runs').find((r) => r.replicas === replicas),
      'commandsPerSec',
    );
}

export const FIGURES: readonly FigureSpec[] = [
  {
    key: 'seed-after-audit',
    label: 'Front requests, seed case (`diagnose`), after an audit',
    unit: '',
    goal: `≤ ${TARGETS.afterAuditRequests}, owner named (with several off, all of them)`,
    better: 'lower',
    read: (r) => numberAt(r, 'frontRequests', 'afterAudit', 'requests'),
  },
  {
    key: 'seed-cold',
    label: 'Front requests, seed case (`diagnose`), cold',
    unit: '',
    goal: `${TARGETS.coldRequestsBesidesTeammates} + the teammates checked`,
    better: 'lower',
    read: (r) => numberAt(r, 'frontRequests', 'cold', 'requests'),
  },
  {
    key: 'seed-cold-besides-teammates',
    label: 'of which not a teammate check',
    unit: '',
    goal: `≤ ${TARGETS.coldRequestsBesidesTeammates}`,
    better: 'lower',
    read: (r) => {
      const requests = numberAt(r, 'frontRequests', 'cold', 'requests');
      const checks = numberAt(r, 'frontRequests', 'cold', 'teammateChecks');
      return requests === undefined || checks === undefined ? undefined : requests - checks;
    },
  },
  {
    key: 'seed-in-process-cold',
    label: `Front calls, ${BUDGET_SCENARIO} in-process, cold`,
    unit: '',
    better: 'lower',
    read: (r) =>
      numberAt(
        arrayAt(r, 'diagnoses').find((d) => d.scenario === BUDGET_SCENARIO),
        'coldCalls',
      ),
  },
  {
    key: 'share',
    label: "share of a plan's minute one diagnosis takes (worst measured)",
    unit: '%',
    goal: `≤ ${TARGETS.sharePercent}%`,
    better: 'lower',
    read: worstShare,
  },
  {
    key: 'big-company-share',
    label: `share, first answer for the big company`,
    unit: '%',
    goal: `≤ ${TARGETS.sharePercent}%`,
    better: 'lower',
    read: (r) => numberAt(r, 'frontRequests', 'bigCompany', 'firstAnswer', 'sharePercent'),
  },
  {
    key: 'explain-vs-node',
    label: '`front-why explain` vs `node -e 0`',
    unit: '×',
    goal: `≤ ${TARGETS.explainVsNode}×`,
    better: 'lower',
    read: (r) => numberAt(r, 'cliStart', 'ratio'),
  },
  {
    key: 'explain-ms',
    label: '`front-why explain`, whole process',
    unit: 'ms',
    better: 'lower',
    read: (r) => numberAt(r, 'cliStart', 'medianExplainMs'),
  },
  {
    key: 'serve-vs-bolt',
    label: '`serve` to /healthz vs a bare Bolt app',
    unit: '×',
    goal: `≤ ${TARGETS.serveVsBareBolt}×`,
    better: 'lower',
    read: (r) => numberAt(r, 'slack', 'startup', 'healthVsBareBolt'),
  },
  {
    key: 'serve-health-ms',
    label: '`serve` spawn → /healthz answered',
    unit: 'ms',
    goal: `< ${TARGETS.serveHealthMs} ms`,
    better: 'lower',
    read: (r) => numberAt(r, 'slack', 'startup', 'medianHealthMs'),
  },
  {
    key: 'bare-bolt-ms',
    label: 'bare Bolt app spawn → first answer',
    unit: 'ms',
    better: 'lower',
    read: (r) => numberAt(r, 'slack', 'startup', 'medianBareBoltMs'),
  },
  {
    key: 'rss-after-burst',
    label: 'resident memory after the burst',
    unit: 'MB',
    goal: `< ${TARGETS.rssAfterBurstMb} MB`,
    better: 'lower',
    read: (r) => numberAt(r, 'slack', 'burst', 'rssAfterMb'),
  },
  {
    key: 'parse-match',
    label: 'parse + match, one core',
    unit: 'pastes/s',
    goal: `≥ ${TARGETS.pastesPerSec.toLocaleString('en-US')}`,
    better: 'higher',
    read: (r) => numberAt(r, 'throughput', 'parseAndMatchPerSec'),
  },
  {
    key: 'parse',
    label: 'parsePaste alone, one core',
    unit: 'pastes/s',
    better: 'higher',
    read: (r) => numberAt(r, 'throughput', 'parsePerSec'),
  },
  {
    key: 'e2e-within',
    label: `Slack answers within ${TARGETS.e2eRatio}× of their bound (${E2E_EXCEPTED} excepted)`,
    unit: 'scenarios',
    goal: 'all',
    better: 'higher',
    read: endToEndWithin,
  },
  {
    key: 'e2e-count',
    label: `scenarios answered end to end (${E2E_EXCEPTED} excepted)`,
    unit: '',
    better: 'neither',
    read: endToEndCount,
  },
  {
    key: 'ack-p99',
    label: 'slash-command ack p99 during the burst',
    unit: 'ms',
    goal: `< ${TARGETS.ackP99Ms} ms`,
    better: 'lower',
    read: (r) => numberAt(r, 'slack', 'burst', 'ackP99Ms'),
  },
  {
    key: 'hostile-ratio',
    label: 'slowest hostile 64 KiB paste vs a benign one',
    unit: '×',
    goal: `≤ ${TARGETS.hostileRatio}×`,
    better: 'lower',
    read: (r) => numberAt(r, 'throughput', 'hostile', 'ratio'),
  },
  {
    key: 'serve-ready-ms',
    label: '`serve` spawn → "ready" logged',
    unit: 'ms',
    goal: `< ${TARGETS.readyMs} ms`,
    better: 'lower',
    read: (r) => numberAt(r, 'slack', 'startup', 'medianReadyMs'),
  },
  {
    key: 'replicas-1',
    label: 'replicas: commands per second, 1 replica',
    unit: '/s',
    better: 'higher',
    read: replicaRate(1),
  },
  {
    key: 'replicas-3',
    label: 'replicas: commands per second, 3 replicas',
    unit: '/s',
    better: 'higher',
    read: replicaRate(3),
  },
];
