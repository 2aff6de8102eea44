import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { SANDBOX_SCENARIOS } from '../src/sandbox';
import { BIN } from './serve-process';
import { median, round } from './stats';

/** Runs of each command; the medians are compared. */
const RUNS = 9;

export interface CliStartFigures {
  runs: number;
  /** `node bin/front-why.js explain <the seed paste>`, spawn → exit, every run. */
  explainMs: number[];
  /** `node -e 0`, spawn → exit, every run. */
  nodeMs: number[];
  medianExplainMs: number;
  medianNodeMs: number;
  /** medianExplainMs / medianNodeMs. */
  ratio: number;
}

/**
 * `front-why explain` as a whole process (start Node, load the CLI and the rules, parse, match, print, exit)
 * against Node doing nothing, alternating so both see the same machine. Run from a folder with no store, so
 * explain records nothing.
 */
export function benchCliStart(): CliStartFigures {
  const paste = SANDBOX_SCENARIOS[0]?.input ?? '403 Forbidden';
  const timed = (args: string[]) => {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    const ms = performance.now() - started;
    // explain exits 0 with a cause and 1 without one; anything else is a failure to measure.
    if (result.status === null || result.status > 1)
      throw new Error(`node ${args.join(' ').slice(0, 80)} exited ${result.status}: ${result.stderr.slice(-1_000)}`);
    return ms;
  };
  timed([BIN, 'explain', paste]); // the first run reads every file from disk
  const explain: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    node.push(timed(['-e', '0']));
    explain.push(timed([BIN, 'explain', paste]));
  }
  return {
    runs: RUNS,
    explainMs: explain.map((ms) => round(ms)),
    nodeMs: node.map((ms) => round(ms)),
    medianExplainMs: round(median(explain)),
    medianNodeMs: round(median(node)),
    ratio: round(median(explain) / median(node), 2),
  };
}

export function formatCliStart(c: CliStartFigures): string {
  return [
    `\`front-why explain <the seed paste>\` as a whole process (spawn → exit), against \`node -e 0\`, alternating, ${c.runs} runs each:`,
    `explain median ${c.medianExplainMs} ms (${c.explainMs.join(', ')}); node -e 0 median ${c.medianNodeMs} ms (${c.nodeMs.join(', ')}); ${c.ratio}×`,
  ].join('\n');
}
