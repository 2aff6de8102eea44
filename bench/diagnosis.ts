import path from 'node:path';
import { diagnose } from '../src/diagnosis';
import { connectTenant } from '../src/diagnosis/live';
import { loadRulesOrThrow } from '../src/rules';
import { NO_FAULTS, SANDBOX_SCENARIOS, startSandbox, type Sandbox } from '../src/sandbox';
import { table } from './stats';

export interface ScenarioFigures {
  scenario: string;
  cause: string | undefined;
  expected: string;
  coldCalls: number;
  coldCallsToDecide: number;
  warmCalls: number;
  coldMs: number;
  warmMs: number;
  depth: number;
  boundMs: number;
  ratio: number | null;
}

/**
 * Each sandbox scenario diagnosed cold (new tenant connection, empty cache) and warm (the same again), with a
 * fixed latency injected into every Front answer, next to the critical-path bound: the longest chain of
 * dependent requests times that latency.
 */
export async function benchDiagnoses(latencyMs: number): Promise<ScenarioFigures[]> {
  const rules = loadRulesOrThrow(path.join(__dirname, '../../rules'));
  const sandbox = await startSandbox({ port: 0 });
  const figures: ScenarioFigures[] = [];
  try {
    await warmUp(rules, sandbox);
    for (const scenario of SANDBOX_SCENARIOS) {
      // Scenarios that need the company's minute budget spent keep their own limit; the others get room.
      sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: 100_000, latencyMs, ...scenario.faults });
      sandbox.resetRateLimits();
      const connection = connectTenant(sandbox.tokens[scenario.tokenName], {
        baseUrl: sandbox.url,
        requestTimeoutMs: 5_000,
        timeoutMs: 10_000,
        maxCalls: 12,
      });
      try {
        const coldStart = performance.now();
        const cold = await diagnose(scenario.input, { rules, live: connection.live });
        const coldMs = performance.now() - coldStart;
        const warmStart = performance.now();
        const warm = await diagnose(scenario.input, { rules, live: connection.live });
        const warmMs = performance.now() - warmStart;
        if (!cold.ok || !warm.ok) throw new Error(`scenario ${scenario.name} was refused`);
        const boundMs = cold.depth * latencyMs;
        figures.push({
          scenario: scenario.name,
          cause: cold.diagnoses[0]?.cause,
          expected: scenario.expectedCause,
          coldCalls: cold.calls,
          coldCallsToDecide: cold.callsToDecide,
          warmCalls: warm.calls,
          coldMs: Math.round(coldMs),
          warmMs: Math.round(warmMs),
          depth: cold.depth,
          boundMs,
          ratio: boundMs > 0 ? Number((coldMs / boundMs).toFixed(2)) : null,
        });
      } finally {
        await connection.close();
      }
    }
  } finally {
    await sandbox.close();
  }
  return figures;
}

/**
 * The first diagnoses of a process pay for JIT compilation and opening sockets: run every scenario once,
 * each with its own connection (so the figures below still start with an empty tenant cache), and discard it.
 */
async function warmUp(rules: ReturnType<typeof loadRulesOrThrow>, sandbox: Sandbox): Promise<void> {
  for (const scenario of SANDBOX_SCENARIOS) {
    sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: 100_000, ...scenario.faults, outage: false });
    const connection = connectTenant(sandbox.tokens[scenario.tokenName], {
      baseUrl: sandbox.url,
      requestTimeoutMs: 5_000,
      timeoutMs: 10_000,
      maxCalls: 12,
    });
    try {
      await diagnose(scenario.input, { rules, live: connection.live });
    } finally {
      await connection.close();
    }
  }
}

export function formatDiagnosisFigures(figures: ScenarioFigures[], latencyMs: number): string {
  const header = [
    'scenario',
    'cause',
    'calls cold (to decide)',
    'calls warm',
    'cold ms',
    'bound ms (depth × latency)',
    'ratio',
    'warm ms',
  ];
  const rows = figures.map((f) => [
    f.scenario,
    f.cause === f.expected ? (f.cause ?? '-') : `${f.cause ?? '-'} (expected ${f.expected})`,
    `${f.coldCalls} (${f.coldCallsToDecide})`,
    String(f.warmCalls),
    String(f.coldMs),
    `${f.boundMs} (${f.depth} × ${latencyMs})`,
    f.ratio === null ? '-' : String(f.ratio),
    String(f.warmMs),
  ]);
  return table(header, rows);
}
