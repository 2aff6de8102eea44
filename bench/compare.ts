import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { FIGURES, type FigureSpec } from './figures';
import { ROOT } from './serve-process';
import { median, round, table } from './stats';

/**
 * `npm run bench -- --compare <git ref>`: the ref checked out in a temporary git worktree, both trees built, and
 * both benches run alternately in one run (ref, this tree, ref, this tree …), each with `--json`, so the machine's
 * load weighs on both alike. The worktree is removed afterwards, also on failure or Ctrl-C.
 */

export interface CompareOptions {
  ref: string;
  rounds: number;
  /** Options handed on to both benches (`--skip replicas`, `--only throughput` …). */
  passOn: string[];
  progress: (line: string) => void;
}

export interface Side {
  name: string;
  /** The tree's commit, short. */
  commit: string;
  /** Each round's `--json` output. */
  runs: unknown[];
}

export interface FigureComparison {
  key: string;
  label: string;
  unit: string;
  goal?: string;
  better: FigureSpec['better'];
  base?: Spread;
  change?: Spread;
  /** change median / base median. */
  ratio?: number;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
  values: number[];
}

export interface Comparison {
  ref: string;
  base: { commit: string };
  change: { commit: string };
  rounds: number;
  passOn: string[];
  figures: FigureComparison[];
}

interface Tree {
  root: string;
  /** The bench's entry point, relative to the root (`dist-bench/bench/run.js`). */
  entry: string;
}

export async function runCompare(options: CompareOptions): Promise<Comparison> {
  const { ref, progress } = options;
  const sha = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!sha) throw new Error(`--compare: "${ref}" names no commit of this repository`);
  const dir = mkdtempSync(path.join(tmpdir(), 'front-why-compare-'));
  const worktree = path.join(dir, 'tree');
  let running: ChildProcess | undefined;
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    // Each child leads a process group of its own (npx → tsc, the bench → serve …): end all of it.
    if (running?.pid !== undefined && running.exitCode === null && running.signalCode === null)
      try {
        process.kill(-running.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    spawnSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', worktree], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
    spawnSync('git', ['-C', ROOT, 'worktree', 'prune'], { stdio: 'ignore' });
  };
  const interrupted = (signal: NodeJS.Signals) => {
    progress(`${signal}: removing the temporary worktree of ${ref}`);
    remove();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const track = (child: ChildProcess) => {
    running = child;
    return child;
  };

  try {
    progress(`checking out ${ref} (${sha.slice(0, 9)}) in a temporary worktree`);
    const added = spawnSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', worktree, sha], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`git worktree add failed: ${added.stderr}`);
    await installDependencies(worktree, ref, progress, track);
    const base = benchOf(worktree, ref);
    const change = benchOf(ROOT, 'this tree');
    for (const [name, tree] of [
      [ref, base],
      ['this tree', change],
    ] as const) {
      progress(`building ${name}`);
      for (const args of buildCommands(tree.root)) await run('npx', args, tree.root, progress, track);
    }

    const sides: Side[] = [
      { name: ref, commit: sha.slice(0, 9), runs: [] },
      { name: 'this tree', commit: currentCommit(), runs: [] },
    ];
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const [side, tree] of [
        [sides[0] as Side, base],
        [sides[1] as Side, change],
      ] as const) {
        progress(`round ${round} of ${options.rounds}: ${side.name}`);
        const out = await run(
          process.execPath,
          [tree.entry, '--json', ...options.passOn],
          tree.root,
          (line) => progress(`  [${side.name}] ${line}`),
          track,
        );
        side.runs.push(parseJson(out, side.name));
      }
    }
    const [baseSide, changeSide] = sides as [Side, Side];
    return {
      ref,
      base: { commit: baseSide.commit },
      change: { commit: changeSide.commit },
      rounds: options.rounds,
      passOn: options.passOn,
      figures: compareFigures(baseSide.runs, changeSide.runs, FIGURES),
    };
  } finally {
    remove();
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
}

/** Per figure, each side's spread over the rounds; a figure neither side measured is left out. */
export function compareFigures(baseRuns: unknown[], changeRuns: unknown[], specs: readonly FigureSpec[]) {
  const spread = (runs: unknown[], spec: FigureSpec): Spread | undefined => {
    const values = runs.map((r) => spec.read(r)).filter((v): v is number => v !== undefined);
    if (values.length === 0) return undefined;
    return { min: Math.min(...values), median: median(values), max: Math.max(...values), values };
  };
  return specs.flatMap((spec): FigureComparison[] => {
    const base = spread(baseRuns, spec);
    const change = spread(changeRuns, spec);
    if (!base && !change) return [];
    const ratio = base && change && base.median !== 0 ? round(change.median / base.median, 2) : undefined;
    return [
      {
        key: spec.key,
        label: spec.label,
        unit: spec.unit,
        goal: spec.goal,
        better: spec.better,
        base,
        change,
        ratio,
      },
    ];
  });
}

export function formatComparison(c: Comparison, markdown: boolean): string {
  const show = (s: Spread | undefined, unit: string, missing: string) => {
    if (!s) return missing;
    const n = (v: number) => number(v);
    const spread = s.min === s.max ? n(s.median) : `${n(s.min)} / ${n(s.median)} / ${n(s.max)}`;
    return !unit ? spread : unit === '×' || unit === '%' ? `${spread}${unit}` : `${spread} ${unit}`;
  };
  const header = ['figure', 'goal', `${c.ref} (${c.base.commit})`, `this tree (${c.change.commit})`, 'this / ref'];
  const rows = c.figures.map((f) => [
    f.label,
    f.goal ?? '',
    show(f.base, f.unit, `not measured at ${c.ref}`),
    show(f.change, f.unit, 'not measured'),
    f.ratio === undefined ? '-' : `${f.ratio}${direction(f)}`,
  ]);
  const note = `${c.rounds} round(s), alternating ${c.ref} and this tree${c.passOn.length > 0 ? `, each run with ${c.passOn.join(' ')}` : ''}; min / median / max over the rounds where they differ; the ratio is of the medians.`;
  if (markdown)
    return [
      note,
      '',
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`),
    ].join('\n');
  return [note, '', table(header, rows)].join('\n');
}

/** " (better)" / " (worse)" when the medians differ, by the figure's own direction. */
function direction(f: FigureComparison): string {
  if (f.ratio === undefined || f.ratio === 1 || f.better === 'neither') return '';
  const lower = f.ratio < 1;
  return (f.better === 'lower') === lower ? ' (better)' : ' (worse)';
}

function number(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : String(round(v, 2));
}

/** The ref's dependencies: this tree's node_modules when the lock files match, else `npm ci` in the worktree. */
async function installDependencies(
  worktree: string,
  ref: string,
  progress: (line: string) => void,
  track: (child: ChildProcess) => ChildProcess,
): Promise<void> {
  const lock = (root: string) =>
    existsSync(path.join(root, 'package-lock.json')) ? readFileSync(path.join(root, 'package-lock.json'), 'utf8') : '';
  if (lock(worktree) === lock(ROOT) && existsSync(path.join(ROOT, 'node_modules'))) {
    symlinkSync(realpathSync(path.join(ROOT, 'node_modules')), path.join(worktree, 'node_modules'), 'dir');
    return;
  }
  progress(`${ref}'s package-lock.json differs from this tree's: running npm ci in the temporary worktree`);
  await run('npm', ['ci', '--no-audit', '--no-fund'], worktree, progress, track);
}

/** How the tree builds and runs its bench, from its own package.json: `tsc -p …` steps, then `node <entry>`. */
function benchOf(root: string, name: string): Tree {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.bench;
  const entry = script ? /\bnode\s+(\S+\.js)/.exec(script)?.[1] : undefined;
  if (!script || !entry)
    throw new Error(`${name} has no bench to run (package.json has no "bench" script running node)`);
  return { root, entry };
}

/**
 * The tree's build: its CLI (tsconfig.build.json, which the bench's child processes run) and the bench's own
 * project, as named in its bench script (tsconfig.bench.json in every version that has one).
 */
function buildCommands(root: string): string[][] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const projects = [...(pkg.scripts?.bench ?? '').matchAll(/\btsc\s+-p\s+(\S+)/g)].map((m) => m[1] as string);
  const all = [...(existsSync(path.join(root, 'tsconfig.build.json')) ? ['tsconfig.build.json'] : []), ...projects];
  return [...new Set(all)].map((project) => ['tsc', '-p', project]);
}

/** Runs a command, its stderr passed to `log` line by line; resolves with its stdout, rejects on a non-zero exit. */
function run(
  command: string,
  args: string[],
  cwd: string,
  log: (line: string) => void,
  track: (child: ChildProcess) => ChildProcess,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    let out = '';
    const tail: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    if (child.stderr)
      createInterface({ input: child.stderr }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        log(line);
      });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} (in ${cwd}) exited ${code ?? signal}:\n${tail.join('\n')}${out ? `\n${out.slice(-2_000)}` : ''}`,
          ),
        );
    });
  });
}

function parseJson(out: string, name: string): unknown {
  try {
    return JSON.parse(out) as unknown;
  } catch {
    throw new Error(`the bench of ${name} did not print one JSON object:\n${out.slice(0, 2_000)}`);
  }
}

function git(args: string[]): string | undefined {
  const result = spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** This tree's commit, short, with "+ changes" when the work tree differs from it. */
export function currentCommit(): string {
  const commit = git(['rev-parse', '--short=9', 'HEAD']) ?? 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no']);
  return dirty ? `${commit} + changes` : commit;
}
