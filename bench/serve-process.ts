import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root (this file runs from dist-bench/bench/). */
export const ROOT = path.join(__dirname, '../..');
export const BIN = path.join(ROOT, 'bin/front-why.js');

/** Whether this process has brought dist/ up to date already. */
let built = false;

/**
 * `bin/front-why.js` runs dist/, which `npm run bench` does not build: bring it up to date with src/ first
 * (incremental, as the test suite's global setup does), so the child runs the code the rest of the bench measured.
 */
export function buildCli(): void {
  if (built) return;
  const result = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(
      `npm run build failed, so bin/front-why.js would run stale code:\n${result.stdout}${result.stderr}`,
    );
  built = true;
}

export interface ServeProcess {
  pid: number;
  port: number;
  url: string;
  /** Where GET /metrics answers (FRONT_WHY_METRICS_PORT, on loopback). */
  metricsUrl: string;
  /** From spawn to the "ready" log line. */
  readyMs: number;
  /** From spawn to the first 200 from /healthz (asked once "ready" named the port, PORT=0). */
  healthMs: number;
  /** The process's resident set size now, in bytes. */
  rssBytes(): number;
  /** Memory after a full garbage collection (needs HEAP_PROBE_ARGS at spawn). */
  heapAfterGc(timeoutMs?: number): Promise<HeapFigures>;
  /** What /healthz says is still running. */
  inflight(): Promise<number>;
  /** The last log lines, for error messages. */
  recentLogs(): string[];
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

const KEEP_LOG_LINES = 50;

export interface HeapFigures {
  /** Bytes, as process.memoryUsage() reports them inside the process. */
  rss: number;
  heapUsedBefore: number;
  heapUsed: number;
  heapTotal: number;
  rssAfterGc: number;
}

/** Node options that let `heapAfterGc()` ask the process for its memory after a full collection. */
export const HEAP_PROBE_ARGS = ['--expose-gc', '--require', path.join(__dirname, 'heap-probe.js')];

/** `node bin/front-why.js serve` with `env` (added to this process's PATH only), timed until it is ready. */
export async function startServe(
  env: Record<string, string>,
  timeoutMs = 15_000,
  nodeArgs: string[] = [],
): Promise<ServeProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: string[] = [];
  const heapWaiters: ((figures: HeapFigures) => void)[] = [];
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );

  const ready = new Promise<{ port: number; metricsPort: number; at: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`front-why serve was not ready within ${timeoutMs} ms:\n${logs.join('\n')}`)),
      timeoutMs,
    );
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      logs.push(line);
      if (logs.length > KEEP_LOG_LINES) logs.shift();
      const entry = parseLogLine(line);
      if (entry?.msg === 'bench heap')
        heapWaiters.splice(0).forEach((resolve) => resolve(entry as unknown as HeapFigures));
      if (entry?.msg === 'ready' && typeof entry.port === 'number') {
        clearTimeout(timer);
        resolve({ port: entry.port, metricsPort: Number(entry.metricsPort), at: performance.now() });
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(
        new Error(
          `front-why serve exited (${exited?.code ?? exited?.signal}) before it was ready:\n${logs.join('\n')}`,
        ),
      );
    });
  });

  let port: number;
  let metricsPort: number;
  let readyAt: number;
  try {
    ({ port, metricsPort, at: readyAt } = await ready);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;
  const health = await fetch(`${url}/healthz`);
  await health.text();
  const healthAt = performance.now();
  if (health.status !== 200) throw new Error(`/healthz answered ${health.status} after "ready"`);

  const pid = child.pid as number;
  return {
    pid,
    port,
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    readyMs: readyAt - started,
    healthMs: healthAt - started,
    rssBytes: () => residentBytes(pid),
    heapAfterGc: (heapTimeoutMs = 5_000) =>
      new Promise<HeapFigures>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('serve did not report its heap (started without HEAP_PROBE_ARGS?)')),
          heapTimeoutMs,
        );
        heapWaiters.push((figures) => {
          clearTimeout(timer);
          resolve(figures);
        });
        child.kill('SIGUSR2');
      }),
    async inflight() {
      const res = await fetch(`${url}/healthz`);
      const body = (await res.json()) as { inflight?: number };
      return body.inflight ?? 0;
    },
    recentLogs: () => [...logs],
    async stop(stopTimeoutMs = 20_000) {
      if (exited) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), stopTimeoutMs);
      });
      if ((await Promise.race([exit, late])) === 'late') {
        child.kill('SIGKILL');
        await exit;
      }
      clearTimeout(timer);
    },
  };
}

function parseLogLine(line: string): { msg?: string; port?: number; metricsPort?: number } | undefined {
  try {
    return JSON.parse(line) as { msg?: string; port?: number; metricsPort?: number };
  } catch {
    return undefined;
  }
}

/** VmRSS from /proc (Linux), else `ps` (macOS). */
function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  const kb = Number(ps.stdout.trim());
  if (ps.status !== 0 || !Number.isFinite(kb)) throw new Error(`could not read the resident memory of process ${pid}`);
  return kb * 1024;
}

/**
 * The bare Bolt app (bare-bolt.js) with `env`, timed from spawn until it listens and until it first answers an HTTP
 * request (404: it has no route but Slack's), then stopped. The yardstick for `serve`'s start-up.
 */
export async function timeBareBolt(env: Record<string, string>, timeoutMs = 15_000): Promise<{ answerMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-bolt.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const logs: string[] = [];
      const timer = setTimeout(
        () => reject(new Error(`the bare Bolt app did not listen within ${timeoutMs} ms:\n${logs.join('\n')}`)),
        timeoutMs,
      );
      createInterface({ input: child.stderr }).on('line', (line) => {
        logs.push(line);
        const entry = parseLogLine(line);
        if (entry?.msg === 'ready' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the bare Bolt app exited before it listened:\n${logs.join('\n')}`));
      });
    });
    const res = await fetch(`http://127.0.0.1:${port}/`);
    await res.text();
    return { answerMs: performance.now() - started };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}
