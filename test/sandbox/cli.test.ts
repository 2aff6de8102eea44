import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { usageOf } from '../../src/commands/help';
import { sandboxCommand } from '../../src/commands/sandbox';
import { runSandbox, SANDBOX_SCENARIOS, startSandbox, TOKEN_NAMES, type Sandbox } from '../../src/sandbox';
import { BIN, runCli } from '../cli/helpers';
import { get } from './helpers';

function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => buf };
}

const LOCAL = { host: '127.0.0.1', latencyMs: 0 };

async function until<T>(found: () => T | undefined): Promise<T> {
  for (;;) {
    const value = found();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function freePort(): Promise<number> {
  const probe = await startSandbox({ port: 0 });
  const port = Number(new URL(probe.url).port);
  await probe.close();
  return port;
}

describe('runSandbox', () => {
  it('prints the base URL, companies, every token with what it is, and the scenarios; stops on abort', async () => {
    const out = sink();
    const controller = new AbortController();
    const sigintBefore = process.listenerCount('SIGINT');
    let ready: Sandbox | undefined;
    const done = runSandbox({ ...LOCAL, port: 0 }, out.stream, {
      signal: controller.signal,
      onReady: (s) => {
        ready = s;
      },
    });
    const sandbox = await until(() => ready);
    const text = out.text();
    expect(text).toContain(`Front sandbox listening on ${sandbox.url}`);
    expect(text).toMatch(/Acme Support \(cmp_a3c1\), Starter plan, 50 requests\/minute/);
    expect(text).toMatch(/off: Bruno Keller \(tea_6r55b\), Dmitri Ivanov \(tea_6r55d\)/);
    for (const name of TOKEN_NAMES) {
      expect(text).toContain(`  ${name}: `);
      expect(text).toContain(sandbox.tokens[name]);
    }
    for (const s of SANDBOX_SCENARIOS) expect(text).toContain(`${s.name}: ${s.tokenName} → ${s.expectedCause}`);
    expect(process.listenerCount('SIGINT')).toBe(sigintBefore + 1);

    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
    controller.abort();
    await expect(done).resolves.toBe(0);
    expect(out.text()).toContain('Front sandbox stopped.');
    expect(process.listenerCount('SIGINT')).toBe(sigintBefore);
    await expect(get(sandbox, '/me', { token: 'acme_private' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a taken port is reported with a fix, exit 1', async () => {
    const busy = await startSandbox({ port: 0 });
    try {
      const err = sink();
      const port = Number(new URL(busy.url).port);
      await expect(runSandbox({ ...LOCAL, port }, sink().stream, { err: err.stream })).resolves.toBe(1);
      expect(err.text()).toContain(`could not listen on 127.0.0.1:${port}`);
      expect(err.text()).toContain('pass --port <another>');
    } finally {
      await busy.close();
    }
  });
});

describe('front-why sandbox', () => {
  it('--port=N, --host and --latency are honoured', async () => {
    const port = await freePort();
    const out = sink();
    const io = { stdout: out.stream, stderr: sink().stream, stdin: process.stdin, env: {} };
    const controller = new AbortController();
    let ready: Sandbox | undefined;
    const done = sandboxCommand([`--port=${port}`, '--host', '127.0.0.1', '--latency', '60'], io, {
      signal: controller.signal,
      onReady: (s) => (ready = s),
    });
    const sandbox = await until(() => ready);
    expect(sandbox.url).toBe(`http://127.0.0.1:${port}`);
    expect(sandbox.faults().latencyMs).toBe(60);
    controller.abort();
    await expect(done).resolves.toBe(0);
  });

  it('runs as a process until Ctrl+C, then exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'sandbox', '--port', String(port)], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await until(() => (stdout.includes('Press Ctrl+C to stop.') ? true : undefined));
      expect(stdout).toContain(`Front sandbox listening on http://127.0.0.1:${port}`);
      const res = await fetch(`http://127.0.0.1:${port}/_sandbox/teammates`);
      expect(res.status).toBe(200);
      child.kill('SIGINT');
      await expect(exited).resolves.toBe(0);
      expect(stdout).toContain('Front sandbox stopped.');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  const usage = 'usage: front-why sandbox [--port <n>] [--host <address>] [--latency <ms>]';
  const pointer = 'Run `front-why sandbox --help` for usage and examples.';
  it.each([
    [['--port', 'abc'], '--port takes a whole number from 0 to 65535, not "abc"'],
    [['--port', '70000'], '--port takes a whole number from 0 to 65535, not "70000"'],
    [['--port='], '--port takes a whole number from 0 to 65535, not ""'],
    [['--latency=-5'], '--latency takes a whole number, 0 or more, not "-5"'],
    [['--latency', '1.5'], '--latency takes a whole number, 0 or more, not "1.5"'],
    [['--host='], '--host takes an address, e.g. --host 127.0.0.1'],
    [['--port'], `--port takes a value, e.g. --port <n>\n${usage}`],
    [['--verbose'], `unknown option "--verbose"\n${usage}`],
    [['4010'], `unexpected argument "4010"\n${usage}`],
  ])('%j: exit 2 with the message every command gives, nothing started', async (args, message) => {
    const result = await runCli(['sandbox', ...args]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `front-why sandbox: ${message}\n${pointer}\n` });
  });

  it.each([
    ['--bogus', ['demo', '--bogus']],
    ['--port', ['demo', '--only']],
  ])('%s reads as the same mistake does for any other command', async (option, other) => {
    const sandbox = await runCli(['sandbox', option]);
    const demo = await runCli(other);
    const asSandbox = demo.stderr
      .replace(usageOf('demo'), usageOf('sandbox'))
      .replace(`${other[1]} takes a value, e.g. ${other[1]} NAME`, `${option} takes a value, e.g. ${option} <n>`)
      .replaceAll('front-why demo', 'front-why sandbox');
    expect(sandbox).toEqual({ ...demo, stderr: asSandbox });
  });
});
