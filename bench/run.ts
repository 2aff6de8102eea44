import os from 'node:os';
import { loadRulesOrThrow } from '../src/rules';
import { benchCliStart, formatCliStart } from './cli-start';
import { currentCommit, formatComparison, runCompare } from './compare';
import { benchDiagnoses, formatDiagnosisFigures } from './diagnosis';
import { benchFrontRequests, formatFrontRequests } from './front-requests';
import { formatMarkdown, markdownHeader, markdownTargets } from './markdown';
import {
  evaluateTargets,
  formatBurst,
  formatEndToEnd,
  formatTargets,
  throughputTargets,
  type BenchResult,
  type Machine,
} from './report';
import { benchReplicas, formatReplicas, type ReplicaFigures } from './replicas';
import { buildCli } from './serve-process';
import { benchSlack } from './slack';
import { benchRulesLoad, benchThroughput, rulesDir, type RulesLoadFigures, type ThroughputFigures } from './throughput';

const USAGE =
  'usage: npm run -s bench -- [--json | --markdown] [--latency MS] [--burst N] [--replica-burst N] [--only throughput|replicas] [--skip replicas] [--compare GIT_REF [--rounds N]]';
/**
 * Sections that can be run alone (`--only`): the in-process one that needs neither the sandbox nor a server, and
 * the replicas on PostgreSQL (which the whole run includes unless `--skip replicas`).
 */
const SECTIONS = ['throughput', 'replicas'] as const;
/** Options of this run that are not handed on to the benches `--compare` runs. */
const COMPARE_OWN = new Map([
  ['--compare', 1],
  ['--rounds', 1],
  ['--json', 0],
  ['--markdown', 0],
]);
const DEFAULT_ROUNDS = 3;

/**
 * `npm run bench`: every figure and its goal in one run, against the sandbox and the Slack stand-in on loopback.
 * Prints figures next to their goals; asserts nothing (timings on shared machines are noisy).
 */
async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const markdown = argv.includes('--markdown');
  if (json && markdown) throw new Error(`--json and --markdown exclude each other\n${USAGE}`);
  const latencyMs = numberArg(argv, '--latency', 40);
  const burst = numberArg(argv, '--burst', 200);
  const replicaBurst = numberArg(argv, '--replica-burst', 120);
  const only = sectionArg(argv, '--only');
  const skipReplicas = sectionArg(argv, '--skip') === 'replicas';
  const machine = readMachine();
  // On stderr, so `--json` leaves stdout to the one object.
  const progress = (step: string) => process.stderr.write(`bench: ${step}…\n`);
  const command = ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');

  const ref = stringArg(argv, '--compare');
  if (ref !== undefined) {
    const comparison = await runCompare({
      ref,
      rounds: numberArg(argv, '--rounds', DEFAULT_ROUNDS),
      passOn: passedOn(argv),
      progress: (line) => process.stderr.write(`bench: ${line}\n`),
    });
    const result = { command, machine, date: new Date().toISOString(), ...comparison };
    process.stdout.write(
      json
        ? `${JSON.stringify(result, null, 2)}\n`
        : markdown
          ? `${[markdownHeader(command, machine, result.date, comparison.change.commit), '', formatComparison(comparison, true)].join('\n')}\n`
          : `${[header(command, machine), '', formatComparison(comparison, false)].join('\n')}\n`,
    );
    return;
  }

  if (only === 'throughput') {
    progress('paste parsing and rule matching');
    const throughput = await benchThroughput(loadRulesOrThrow(rulesDir()));
    const rulesLoad = benchRulesLoad();
    const result = { command, machine, throughput, rulesLoad, targets: throughputTargets(throughput) };
    process.stdout.write(
      json
        ? `${JSON.stringify(result, null, 2)}\n`
        : markdown
          ? `${[markdownHeader(command, machine, new Date().toISOString(), currentCommit()), '', markdownTargets(result.targets)].join('\n')}\n`
          : `${[header(command, machine), '', formatThroughput(throughput, rulesLoad), '', `Goals (${machine.cpus} cores)`, '', formatTargets(result.targets)].join('\n')}\n`,
    );
    return;
  }
  const replicaRun = () => {
    progress(`${replicaBurst} commands over 1, then 3 serve replicas on PostgreSQL`);
    return benchReplicas({
      latencyMs,
      commands: replicaBurst,
      url: process.env.FRONT_WHY_BENCH_POSTGRES_URL || undefined,
      progress,
    });
  };
  if (only === 'replicas') {
    const replicas = await replicaRun();
    process.stdout.write(
      json
        ? `${JSON.stringify({ command, machine, latencyMs, replicas }, null, 2)}\n`
        : `${[header(command, machine), '', formatReplicaSection(replicas, latencyMs)].join('\n')}\n`,
    );
    return;
  }

  const started = new Date().toISOString();
  progress('building the CLI (dist/) the child processes run');
  buildCli();
  progress('diagnoses in-process');
  const diagnoses = await benchDiagnoses(latencyMs);
  progress('Front requests of `diagnose` for the seed case, cold and after an audit');
  const frontRequests = await benchFrontRequests();
  progress('`front-why explain` against `node -e 0`');
  const cliStart = benchCliStart();
  progress('paste parsing and rule matching');
  const rules = loadRulesOrThrow(rulesDir());
  const throughput = await benchThroughput(rules);
  const rulesLoad = benchRulesLoad();
  progress('Slack app: start-up (against a bare Bolt app), end to end, burst');
  const slack = await benchSlack({
    latencyMs,
    burst,
    depthByScenario: new Map(diagnoses.map((d) => [d.scenario, d.depth])),
  });

  const replicas = skipReplicas ? undefined : await replicaRun();

  const partial = {
    machine,
    latencyMs,
    diagnoses,
    frontRequests,
    cliStart,
    throughput,
    rulesLoad,
    slack,
    ...(replicas ? { replicas } : {}),
  };
  const result: BenchResult = { command, ...partial, targets: evaluateTargets(partial) };
  process.stdout.write(
    json
      ? `${JSON.stringify(result, null, 2)}\n`
      : markdown
        ? `${formatMarkdown(result, started, currentCommit())}\n`
        : `${formatText(result)}\n`,
  );
}

function readMachine(): Machine {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    loadAverage: Number((os.loadavg()[0] ?? 0).toFixed(2)),
  };
}

/** The options to hand on to the compared benches: all but this run's own. */
function passedOn(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const own = COMPARE_OWN.get(arg);
    if (own === undefined) out.push(arg);
    else i += own;
  }
  return out;
}

function formatText(r: BenchResult): string {
  const { machine: m, slack, throughput: t, rulesLoad } = r;
  const startup = slack.startup;
  return [
    header(r.command, m),
    `Front sandbox and Slack stand-in on loopback; ${r.latencyMs} ms injected into every Front answer.`,
    '',
    `1. Diagnoses in-process (diagnose() with a tenant connection), cold (empty tenant cache) and warm (the same again)`,
    '',
    formatDiagnosisFigures(r.diagnoses, r.latencyMs),
    '',
    formatFrontRequests(r.frontRequests),
    '',
    formatCliStart(r.cliStart),
    '',
    '2. Slack end to end: `front-why serve` in its own process; signed command sent → threaded reply posted (at the',
    '   Slack stand-in), each scenario cold in a channel of its own tenant, after one warm-up run per scenario',
    '',
    formatEndToEnd(slack.endToEnd, r.latencyMs),
    '',
    `3. Burst: ${slack.burst.commands} signed /front-why commands at once over ${slack.burst.channels} channels bound to 2 tenants; the sandbox`,
    "   enforces each plan's own per-minute limit (acme: Starter, 50/min) in a fresh minute window",
    '',
    formatBurst(slack.burst),
    '',
    formatThroughput(t, rulesLoad),
    '',
    '5. Start-up: `node bin/front-why.js serve` (HTTP mode, PORT=0, full rule set, SQLite store) until it logs "ready"',
    '',
    `ready: median ${startup.medianReadyMs} ms over ${startup.runs} runs (${startup.readyMs.join(', ')}); /healthz answered at ${startup.medianHealthMs} ms (${startup.healthMs.join(', ')})`,
    `a bare Bolt app (one listener, same environment), spawn → first HTTP answer: median ${startup.medianBareBoltMs} ms (${startup.bareBoltMs.join(', ')}), run before each of serve's; serve takes ${startup.healthVsBareBolt}×`,
    `resident memory at ready: ${startup.rssAtReadyMb} MB (JS heap live: ${startup.heapAtReadyMb} MB); after the burst: ${slack.burst.rssAfterMb} MB (heap live: ${slack.burst.heapLiveMb} MB)`,
    '',
    ...(r.replicas ? [formatReplicaSection(r.replicas, r.latencyMs), ''] : []),
    `Goals (${m.cpus} cores)`,
    '',
    formatTargets(r.targets),
  ].join('\n');
}

function header(command: string, m: Machine): string {
  return [
    `front-why benchmark: ${command}`,
    `node ${m.node}, ${m.platform}, ${m.cpus} × ${m.cpuModel}; load average ${m.loadAverage} at start`,
  ].join('\n');
}

function formatThroughput(t: ThroughputFigures, rulesLoad: RulesLoadFigures): string {
  return [
    '4. Paste parsing and rule matching, offline, one core',
    '',
    `corpus: ${t.pastes.toLocaleString('en-US')} pastes (generated, plus every rule example and sandbox scenario), median ${t.medianChars} characters;`,
    `        ${Math.round(t.withErrorShare * 100)}% hold a Front error, ${Math.round(t.diagnosedShare * 100)}% get at least one diagnosis`,
    `parsePaste alone:                          ${t.parsePerSec.toLocaleString('en-US')} pastes/s`,
    `parsePaste + matchRules (diagnose offline): ${t.parseAndMatchPerSec.toLocaleString('en-US')} pastes/s`,
    `hostile 64 KiB pastes (${t.hostile.pastes} kinds, median of 9 parses each): slowest ${t.hostile.worst} ${t.hostile.worstMs} ms;`,
    `        benign 64 KiB (corpus pastes one after another) ${t.hostile.benignMs} ms; ratio ${t.hostile.ratio}×`,
    `loadRulesOrThrow (${rulesLoad.rules} rules): ${rulesLoad.coldMs} ms in a fresh process, ${rulesLoad.warmMs} ms warm`,
  ].join('\n');
}

function formatReplicaSection(r: ReplicaFigures, latencyMs: number): string {
  return [
    `6. Replicas: ${r.commands} signed commands at once, spread round-robin over 1, then 3 \`serve\` processes (HTTP mode) on one`,
    `   PostgreSQL database${r.ok ? ` (${r.database})` : ''}; the burst's tenants and channels, ${latencyMs} ms injected into every Front answer,`,
    "   each run cold (new processes) in a fresh minute of the plans' own limits",
    '',
    formatReplicas(r),
  ].join('\n');
}

function stringArg(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} takes a value\n${USAGE}`);
  return value;
}

function sectionArg(argv: string[], flag: '--only' | '--skip'): (typeof SECTIONS)[number] | undefined {
  const at = argv.indexOf(flag);
  if (at < 0) return undefined;
  const allowed: readonly string[] = flag === '--only' ? SECTIONS : ['replicas'];
  const section = SECTIONS.find((s) => s === argv[at + 1] && allowed.includes(s));
  if (section === undefined) throw new Error(`${flag} takes one of: ${allowed.join(', ')}\n${USAGE}`);
  return section;
}

function numberArg(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number\n${USAGE}`);
  return value;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
