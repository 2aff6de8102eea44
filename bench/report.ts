import type { ScenarioFigures } from './diagnosis';
import type { ReplicaFigures } from './replicas';
import type { BurstFigures, EndToEndFigures, SlackFigures } from './slack';
import { table } from './stats';
import type { RulesLoadFigures, ThroughputFigures } from './throughput';

/** Targets for a 2-core machine (issue 6). Figures only: nothing here fails the run. */
export const TARGETS = {
  ackP99Ms: 100,
  e2eRatio: 1.25,
  coldCallsToDecide: 4,
  warmCalls: 1,
  rateLimitFailures: 0,
  pastesPerSec: 20_000,
  hostileRatio: 2,
  readyMs: 1_500,
  rssAfterBurstMb: 150,
} as const;

/** The scenario the call budgets are about (the original community report). */
export const BUDGET_SCENARIO = 'original_report';

export interface Machine {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  /** 1-minute load average when the run started: a busy machine makes every timing worse. */
  loadAverage: number;
}

export interface BenchResult {
  command: string;
  machine: Machine;
  latencyMs: number;
  diagnoses: ScenarioFigures[];
  throughput: ThroughputFigures;
  rulesLoad: RulesLoadFigures;
  slack: SlackFigures;
  /** Absent with `--skip replicas`. */
  replicas?: ReplicaFigures;
  targets: TargetRow[];
}

export interface TargetRow {
  figure: string;
  target: string;
  measured: string;
  met: boolean;
}

export function evaluateTargets(r: Omit<BenchResult, 'targets' | 'command'>): TargetRow[] {
  const budget = r.diagnoses.find((d) => d.scenario === BUDGET_SCENARIO);
  const e2eMisses = r.slack.endToEnd.filter((e) => !withinBound(e));
  const worst = [...r.slack.endToEnd].sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0];
  const { burst, startup } = r.slack;
  return [
    {
      figure: 'slash-command ack p99 during the burst',
      target: `< ${TARGETS.ackP99Ms} ms`,
      measured: `${burst.ackP99Ms} ms (median ${burst.ackMedianMs} ms)`,
      met: burst.ackP99Ms < TARGETS.ackP99Ms,
    },
    {
      figure: 'diagnosis time (Slack, end to end) vs critical-path bound',
      target: `≤ ${TARGETS.e2eRatio}× for every scenario`,
      measured: `${r.slack.endToEnd.length - e2eMisses.length} of ${r.slack.endToEnd.length} within; ${e2eMisses.length > 0 ? `over: ${listed(e2eMisses.map((e) => `${e.scenario} ${e.ratio}×`))}` : `worst ${worst?.scenario} ${worst?.ratio}×`}`,
      met: e2eMisses.length === 0,
    },
    {
      figure: `Front calls to decide, cold (${BUDGET_SCENARIO})`,
      target: `≤ ${TARGETS.coldCallsToDecide}`,
      measured: budget ? `${budget.coldCallsToDecide} (${budget.coldCalls} with naming the teammates)` : 'not measured',
      met: budget !== undefined && budget.coldCallsToDecide <= TARGETS.coldCallsToDecide,
    },
    {
      figure: `Front calls, warm (${BUDGET_SCENARIO})`,
      target: `≤ ${TARGETS.warmCalls}`,
      measured: budget ? String(budget.warmCalls) : 'not measured',
      met: budget !== undefined && budget.warmCalls <= TARGETS.warmCalls,
    },
    {
      figure: 'rate-limit failures passed on to agents in the burst',
      target: String(TARGETS.rateLimitFailures),
      measured: `${burst.rateLimitFailures} (429s answered by Front: ${burst.front429s})`,
      met: burst.rateLimitFailures <= TARGETS.rateLimitFailures,
    },
    ...throughputTargets(r.throughput),
    {
      figure: '`serve` start-up to ready',
      target: `< ${TARGETS.readyMs} ms`,
      measured: `${startup.medianReadyMs} ms (median of ${startup.runs}; max ${startup.maxReadyMs})`,
      met: startup.maxReadyMs < TARGETS.readyMs,
    },
    {
      figure: 'resident memory after the burst',
      target: `< ${TARGETS.rssAfterBurstMb} MB`,
      measured: `${burst.rssAfterMb} MB`,
      met: burst.rssAfterMb < TARGETS.rssAfterBurstMb,
    },
  ];
}

/** The rows `--only throughput` prints as well. */
export function throughputTargets(t: ThroughputFigures): TargetRow[] {
  return [
    {
      figure: 'paste parsing + rule matching (diagnose offline), one core',
      target: `≥ ${TARGETS.pastesPerSec.toLocaleString('en-US')} pastes/s`,
      measured: `${t.parseAndMatchPerSec.toLocaleString('en-US')} pastes/s (parsePaste alone: ${t.parsePerSec.toLocaleString('en-US')}/s)`,
      met: t.parseAndMatchPerSec >= TARGETS.pastesPerSec,
    },
    {
      figure: 'slowest hostile 64 KiB paste vs a benign 64 KiB paste, parsePaste',
      target: `≤ ${TARGETS.hostileRatio}×`,
      measured: `${t.hostile.ratio}× (${t.hostile.worst}: ${t.hostile.worstMs} ms; benign ${t.hostile.benignMs} ms)`,
      met: t.hostile.ratio <= TARGETS.hostileRatio,
    },
  ];
}

function listed(items: string[], max = 3): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function withinBound(e: EndToEndFigures): boolean {
  return e.ratio !== null && e.ratio <= TARGETS.e2eRatio;
}

export function formatEndToEnd(figures: EndToEndFigures[], latencyMs: number): string {
  const header = [
    'scenario',
    'cause',
    'calls',
    'ack ms',
    'parent ms',
    'reply ms',
    'bound ms (depth × latency)',
    'ratio',
    `≤ ${TARGETS.e2eRatio}×`,
  ];
  const rows = figures.map((f) => [
    f.scenario,
    f.cause === f.expected ? (f.cause ?? '-') : `${f.cause ?? '-'} (expected ${f.expected})`,
    f.calls === undefined ? '-' : String(f.calls),
    String(f.ackMs),
    String(f.parentMs),
    String(f.e2eMs),
    `${f.boundMs} (${f.depth} × ${latencyMs})`,
    f.ratio === null ? '-' : String(f.ratio),
    withinBound(f) ? 'met' : 'missed',
  ]);
  return table(header, rows);
}

export function formatBurst(b: BurstFigures): string {
  const statuses = Object.entries(b.ackStatuses)
    .map(([status, n]) => `${n} × HTTP ${status}`)
    .join(', ');
  const tenants = table(
    [
      'tenant',
      'plan (limit/min)',
      'commands',
      'distinct targets',
      'Front calls',
      'conversation reads',
      'causes replied',
    ],
    b.tenants.map((t) => [
      t.name,
      `${t.plan} (${t.limitPerMinute})`,
      String(t.commands),
      String(t.distinctTargets),
      String(t.frontCalls),
      String(t.conversationReads),
      Object.entries(t.causes)
        .map(([cause, n]) => `${cause} ×${n}`)
        .join(', '),
    ]),
  );
  return [
    `ack (HTTP response to each signed POST): median ${b.ackMedianMs} ms, p99 ${b.ackP99Ms} ms, max ${b.ackMaxMs} ms (${statuses})`,
    `answered: ${b.replies} of ${b.commands} in their thread, ${b.ephemeralNotices} privately (response_url); the last reply ${b.drainMs} ms after the first command`,
    '',
    tenants,
    '',
    `replies telling the agent about a rate limit, a 429 or a check not made: ${b.rateLimitFailures}; 429s answered by the sandbox: ${b.front429s}`,
    `resident memory of serve once the burst was done: ${b.rssAfterMb} MB; JS heap in use ${b.heapUsedMb} MB, of which ${b.heapLiveMb} MB`,
    '  still live after a full garbage collection (the rest is garbage V8 had not collected yet)',
  ].join('\n');
}

export function formatTargets(rows: TargetRow[]): string {
  return table(
    ['figure', 'target', 'measured', ''],
    rows.map((r) => [r.figure, r.target, r.measured, r.met ? 'met' : 'MISSED']),
  );
}
