import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NO_FAULTS, startSandbox, type Sandbox } from '../../src/sandbox';
import { startProgress, type InterruptHandling, type ProgressTimers } from '../../src/commands/progress';
import { guardOutput } from '../../src/commands/output';
import { BIN, runCli } from './helpers';

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

/** Every answer from this sandbox takes longer than the second a check may stay silent. */
const SLOW = { ...NO_FAULTS, rateLimitPerMinute: 10_000, latencyMs: 1_200 };
const FAST = { ...NO_FAULTS, rateLimitPerMinute: 10_000 };
const PROGRESS_LINE = /requests? to Front so far|Front's first answer/;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, faults: FAST });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-progress-'));
  env = {
    FRONT_API_BASE_URL: sandbox.url,
    FRONT_API_TOKEN: sandbox.tokens.acme_private,
    FRONT_WHY_DB: path.join(dir, 'front-why.db'),
    FRONT_WHY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
  };
});

afterEach(() => sandbox.setFaults(FAST));

afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a check that takes a while says what it is waiting for', () => {
  test('diagnose: a slow check prints progress lines on stderr and the same answer on stdout; a fast one prints none', async () => {
    const fast = await runCli(['diagnose', 'cnv_yo1kg5q'], { env });
    expect(fast.code).toBe(0);
    expect(fast.stderr).not.toMatch(PROGRESS_LINE);

    sandbox.setFaults(SLOW);
    const slow = await runCli(['diagnose', 'cnv_yo1kg5q'], { env });
    expect(slow.code).toBe(0);
    expect(slow.stdout).toBe(fast.stdout);
    const progress = slow.stderr.split('\n').filter((line) => PROGRESS_LINE.test(line));
    expect(progress.length).toBeGreaterThan(0);
    // Not a terminal: plain lines a log can keep, each saying what is checked and with which token.
    for (const line of progress) {
      expect(line).toMatch(/^checking cnv_yo1kg5q with FRONT_API_TOKEN: .*…$/);
      expect(line).not.toContain('\r');
    }
    // The progress comes before the summary of the check, never after it.
    expect(slow.stderr.indexOf(progress[0]!)).toBeLessThan(slow.stderr.indexOf('Checked live with'));
    expect(slow.stderr).not.toContain(sandbox.tokens.acme_private);
  });

  test('diagnose --json: stdout is the JSON object alone while progress goes to stderr', async () => {
    sandbox.setFaults(SLOW);
    const slow = await runCli(['diagnose', '--json', 'cnv_yo1kg5q'], { env });
    expect(slow.code).toBe(0);
    expect(slow.stderr).toMatch(PROGRESS_LINE);
    expect(slow.stdout).not.toMatch(PROGRESS_LINE);
    const report = JSON.parse(slow.stdout) as { diagnoses: { cause: string }[] };
    expect(report.diagnoses[0]?.cause).toBe('teammate_api_access_disabled');
  });

  test('tenants add: a slow token check says which token it is checking', async () => {
    sandbox.setFaults(SLOW);
    const result = await runCli(['tenants', 'add', 'acme'], { env, stdin: `${sandbox.tokens.acme_private}\n` });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/checking token eyJh…\w+ with Front: (waiting for Front's first answer|1 request)/);
    expect(result.stdout).toMatch(/^Added tenant "acme"/);
  });

  test('audit: a slow audit names its step', async () => {
    // Each step lasts two seconds, so an update (once a second) falls inside the teammates' step whatever the load.
    sandbox.setFaults({ ...SLOW, latencyMs: 2_000 });
    const result = await runCli(['audit'], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/auditing FRONT_API_TOKEN: reading the teammates' preferences \(\d of 5\)/);
    expect(result.stdout).not.toMatch(PROGRESS_LINE);
  });

  test('watch: each slow re-check says what it checks, before the finding it prints', async () => {
    sandbox.setFaults(SLOW);
    const result = await runCli(['watch', '--timeout', '1s', 'cnv_yo1kg5q'], { env });
    expect(result.code).toBe(1);
    const waiting = result.stderr.search(/checking cnv_yo1kg5q with FRONT_API_TOKEN: /);
    expect(waiting).toBeGreaterThanOrEqual(0);
    expect(waiting).toBeLessThan(result.stderr.indexOf('still failing'));
    expect(result.stdout).toBe('');
  });

  test('Ctrl-C while Front does not answer ends the progress and exits 130', async () => {
    sandbox.setFaults({ ...FAST, hang: true });
    const child = spawn(process.execPath, [BIN, 'diagnose', 'cnv_yo1kg5q'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    // Interrupted once it has said what it waits for, the way an agent at the terminal would.
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (PROGRESS_LINE.test(stderr)) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 130, signal: null });
    expect(stderr).toMatch(/front-why: interrupted \(checking cnv_yo1kg5q with FRONT_API_TOKEN: /);
    expect(stdout).toBe('');
  });
});

/** Timers moved by hand: each tick runs what is due, so the test says "a second passed" instead of waiting one. */
function handTimers(): ProgressTimers & { tick(): void } {
  let due: (() => void) | undefined;
  return {
    setTimeout: (run) => {
      due = run;
      return run;
    },
    clearTimeout: (handle) => {
      if (due === handle) due = undefined;
    },
    tick: () => {
      const run = due;
      due = undefined;
      run?.();
    },
  };
}

function terminal(columns = 80) {
  const writes: string[] = [];
  const screen = { write: (text: string) => writes.push(text), isTTY: true, columns };
  // Through the CLI's output guard, as every command writes.
  const io = guardOutput(
    { stdout: screen, stderr: screen, stdin: process.stdin, env: {} },
    { known: ['tok_secret_value'], redact: true },
  );
  return { writes, stderr: io.stderr };
}

const noInterrupts: InterruptHandling = { on: () => undefined, off: () => undefined, exit: () => undefined };

describe('the progress line on a terminal', () => {
  test('is redrawn in place as it changes and wiped before the answer, leaving no trace on the screen', () => {
    const { writes, stderr } = terminal();
    const timers = handTimers();
    let done = 3;
    const progress = startProgress(stderr, { timers, interrupts: noInterrupts });
    progress.show(() => `reading the teammates (${done} of 40)…`);
    expect(writes).toEqual([]);
    timers.tick();
    done = 12;
    timers.tick();
    timers.tick();
    progress.end();
    timers.tick();
    // What a terminal shows after these writes: carriage returns go back to the start of the line.
    let line = '';
    for (const text of writes.join('').split(/(?=\r)/)) {
      const body = text.replace(/^\r/, '');
      line = body + line.slice(body.length);
    }
    expect(line.trim()).toBe('');
    expect(writes.filter((w) => w.includes('teammates'))).toEqual([
      '\rreading the teammates (3 of 40)…',
      '\rreading the teammates (12 of 40)…',
    ]);
  });

  test('is cut to the width of the terminal, so that it never wraps onto a line it cannot redraw', () => {
    const { writes, stderr } = terminal(30);
    const timers = handTimers();
    const progress = startProgress(stderr, { timers, interrupts: noInterrupts });
    progress.show(() => 'checking cnv_yo1kg5q, cnv_2, cnv_3 with tenant "acme": 3 requests to Front so far…');
    timers.tick();
    progress.end();
    expect(writes[0]!.length).toBeLessThanOrEqual(30);
  });

  test('Ctrl-C wipes the line, says what was interrupted and exits 130', () => {
    const { writes, stderr } = terminal();
    const timers = handTimers();
    let interrupt: (() => void) | undefined;
    const exits: number[] = [];
    const progress = startProgress(stderr, {
      timers,
      interrupts: { on: (h) => (interrupt = h), off: () => (interrupt = undefined), exit: (code) => exits.push(code) },
    });
    progress.show(() => 'checking token tok_secret_value with Front: 2 requests to Front so far…');
    timers.tick();
    interrupt!();
    expect(exits).toEqual([130]);
    expect(writes.at(-2)).toBe('\r');
    expect(writes.at(-1)).toMatch(/^front-why: interrupted \(checking token \[redacted token\] with Front/);
    expect(writes.join('')).not.toContain('tok_secret_value');
    expect(interrupt).toBeUndefined();
  });
});
