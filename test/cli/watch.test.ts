import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { watchCommand } from '../../src/commands/watch';
import type { CliIo } from '../../src/commands/io';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { isLoopback } from '../../src/sandbox/control';
import { BIN, runCli } from './helpers';

/**
 * `front-why watch` against the sandbox. In-process, the clock is the test's: a "sleep" moves it and counts, so the
 * backoff and the timeout are checked by what was waited, not by waiting. The built CLI is run too, with the
 * sandbox's control flipping the preference from another process, as an operator would.
 */

const BRUNO = 'bruno.keller@acme.example';
const DMITRI = 'dmitri.ivanov@acme.example';
const MARCO = 'marco.rossi@globex.example';
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 10_000 } });
});

afterAll(async () => {
  await sandbox.close();
});

afterEach(() => {
  sandbox.setApiAccess(BRUNO, false);
  sandbox.setApiAccess(DMITRI, false);
  sandbox.setApiAccess(MARCO, false);
});

function captured(env: Record<string, string>): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    stdin: new PassThrough(),
    env: { FRONT_API_BASE_URL: sandbox.url, FRONT_API_TOKEN: sandbox.tokens.acme_private, ...env },
  };
  return { io, out: () => out, err: () => err };
}

function fakeClock(onSleep: (n: number) => void = () => undefined) {
  let now = Date.parse('2026-03-02T09:00:00.000Z');
  const slept: number[] = [];
  return {
    slept,
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
        onSleep(slept.length);
      },
    },
  };
}

test('exits 0 once the preference is turned on, after the backoff, saying what changed', async () => {
  const c = captured({});
  const time = fakeClock((n) => {
    if (n === 2) sandbox.setApiAccess(BRUNO, true);
  });
  expect(await watchCommand(['cnv_yo1kg5q'], c.io, time.clock)).toBe(0);
  expect(time.slept).toEqual([60_000, 120_000]);
  expect(c.out()).toBe(
    'Bruno Keller\'s "Allow access to my individual resources via the API" is now on; cnv_yo1kg5q reads fine with FRONT_API_TOKEN.\n',
  );
  expect(c.err().split('\n').filter(Boolean)).toHaveLength(2);
  expect(c.err()).toContain('[+0 s] cnv_yo1kg5q still fails (teammate_api_access_disabled: ');
  expect(c.err()).toContain('next check in 2 min');
  expect(c.err()).not.toContain(sandbox.tokens.acme_private);
});

test('exits 1 on timeout, the last check falling on the deadline', async () => {
  const c = captured({ FRONT_WHY_WATCH_INTERVAL_MS: '30000' });
  const time = fakeClock();
  expect(await watchCommand(['cnv_yo1kg5q', '--timeout', '3m'], c.io, time.clock)).toBe(1);
  expect(time.slept).toEqual([30_000, 60_000, 90_000]);
  expect(c.out()).toBe('');
  expect(c.err()).toMatch(/\[\+3 min\] still failing \(teammate_api_access_disabled: .*\); gave up after 3 min\.\n$/);
});

test('a Front error no rule explains is counted in the store once, as `diagnose` counts it, not at every re-check', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-watch-unknowns-'));
  try {
    const c = captured({ FRONT_WHY_DB: path.join(dir, 'front-why.db'), FRONT_WHY_WATCH_INTERVAL_MS: '30000' });
    const paste = JSON.stringify({ _error: { status: 409, title: 'Conflict', message: 'Import 17 is locked' } });
    expect(await watchCommand([paste, '--timeout', '3m'], c.io, fakeClock().clock)).toBe(1);
    expect(c.err()).toContain('still fails (unknown: ');
    const listed = await runCli(['unknowns', '--json'], { env: { FRONT_WHY_DB: path.join(dir, 'front-why.db') } });
    const { unknowns } = JSON.parse(listed.stdout) as {
      unknowns: { template: string; status: number; count: number; tenants: string[] }[];
    };
    expect(unknowns.map((w) => [w.template, w.status, w.count, w.tenants])).toEqual([
      ['Import <n> is locked', 409, 1, ['default']],
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses a timeout it cannot read, and a missing target', async () => {
  const bad = await runCli(['watch', 'cnv_yo1kg5q', '--timeout', 'soon'], {
    env: { FRONT_API_BASE_URL: sandbox.url, FRONT_API_TOKEN: sandbox.tokens.acme_private },
  });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--timeout takes a duration such as 90s, 10m, 2h or 1d (got "soon")');
  const none = await runCli(['watch'], { env: { FRONT_API_BASE_URL: sandbox.url } });
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('what to watch is missing');
});

test('an input with nothing to check (a typo such as `msg_`) is refused at once, before any request', async () => {
  for (const input of ['msg_', 'see the ticket']) {
    const c = captured({});
    const time = fakeClock();
    const before = sandbox.stats().total;
    await expect(watchCommand([input], c.io, time.clock)).rejects.toThrow(
      /^Nothing to watch: no Front error and no Front ID to check \(a conversation cnv_…, message msg_…/,
    );
    expect(time.slept).toEqual([]);
    expect(sandbox.stats().total).toBe(before);
  }
  const built = await runCli(['watch', 'msg_', '--timeout', '2s'], {
    env: { FRONT_API_BASE_URL: sandbox.url, FRONT_API_TOKEN: sandbox.tokens.acme_private },
  });
  expect([built.code, built.stdout]).toEqual([2, '']);
  expect(built.stderr).toContain('front-why watch: Nothing to watch:');
  expect(built.stderr).not.toContain('still fails');
});

test("a pasted 401 while the token here works is not watched: the fix is to the integration's token, which a re-check never sees", async () => {
  const c = captured({});
  const time = fakeClock();
  const paste =
    'GET /conversations/cnv_yo1kg5s 401 {"_error":{"status":401,"title":"Unauthorized","message":"Invalid token"}}';
  // Without this, the conversation reading fine with the token here was taken for "fixed" at once.
  await expect(watchCommand([paste], c.io, time.clock)).rejects.toThrow(/^No watch for this one: /);
  expect(c.out()).toBe('');
  expect(time.slept).toEqual([]);
});

test('a bare ID of another kind is watched like a conversation: a tag reads fine once its owner allows access', async () => {
  const c = captured({ FRONT_API_TOKEN: sandbox.tokens.globex_private });
  const time = fakeClock((n) => {
    if (n === 1) sandbox.setApiAccess(MARCO, true);
  });
  expect(await watchCommand(['tag_3b0c1'], c.io, time.clock)).toBe(0);
  expect(time.slept).toEqual([60_000]);
  expect(c.err()).toContain('[+0 s] tag_3b0c1 still fails (teammate_api_access_disabled: ');
  expect(c.out()).toContain('tag_3b0c1 reads fine with FRONT_API_TOKEN.');
});

test('the built CLI waits while failing and exits 0 once `front-why sandbox set-access` turns the preference on', async () => {
  const env = {
    PATH: process.env.PATH ?? '',
    FRONT_API_BASE_URL: sandbox.url,
    FRONT_API_TOKEN: sandbox.tokens.acme_private,
    FRONT_WHY_WATCH_INTERVAL_MS: '1000',
  };
  const child = spawn(process.execPath, [BIN, 'watch', 'cnv_yo1kg5q', '--timeout', '10m'], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // The first finding is the signal that it is watching.
  await new Promise<void>((resolve) =>
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('still fails')) resolve();
    }),
  );
  const flipped = await runCli(['sandbox', 'set-access', BRUNO, 'on', '--url', sandbox.url]);
  expect(flipped).toMatchObject({ code: 0, stderr: '' });
  expect(flipped.stdout).toBe(
    'Bruno Keller (tea_6r55b, bruno.keller@acme.example): "Allow access to my individual resources via the API" is now on\n',
  );
  expect(await exited).toBe(0);
  expect(stdout).toContain('cnv_yo1kg5q reads fine');
});

test('the sandbox control refuses what it cannot do, naming the fix', async () => {
  const unknown = await runCli(['sandbox', 'set-access', 'nobody@acme.example', 'on', '--url', sandbox.url]);
  expect(unknown).toMatchObject({ code: 1 });
  expect(unknown.stderr).toContain('no sandbox teammate with ID or email nobody@acme.example');
  const usage = await runCli(['sandbox', 'set-access', BRUNO, 'maybe']);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('give a teammate (ID or email) and on or off');
  const listed = (await (await fetch(`${sandbox.url}/_sandbox/teammates`)).json()) as {
    teammates: { email: string; apiAccessToIndividualResources: boolean }[];
  };
  expect(listed.teammates.find((t) => t.email === DMITRI)?.apiAccessToIndividualResources).toBe(false);
});

test('the sandbox control answers only the machine itself', () => {
  expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.8.0.3'].map(isLoopback)).toEqual([true, true, true, true]);
  expect(['10.0.0.4', '::ffff:192.168.1.2', '2001:db8::1', undefined].map(isLoopback)).toEqual([
    false,
    false,
    false,
    false,
  ]);
});
