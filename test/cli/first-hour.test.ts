import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { BIN, runCli } from './helpers';

/** The terminal as a new operator meets it: typos, a paste typed in, a forgotten value, a first look at the log. */

let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 10_000 } });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-first-hour-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a mistyped command', () => {
  test.each([
    ['explian', 'explain'],
    ['diagnsoe', 'diagnose'],
    ['stat', 'stats'],
    ['tenant', 'tenants'],
  ])('`%s` is answered "did you mean `%s`?", exit 2', async (typed, meant) => {
    const result = await runCli([typed]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`front-why: unknown command "${typed}"; did you mean \`${meant}\`?`);
    expect((await runCli(['help', typed])).stderr.split('\n')[0]).toBe(
      `front-why: no command "${typed}"; did you mean \`${meant}\`?`,
    );
  });

  test('a word close to no command gets no guess', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('front-why: unknown command "frobnicate"');
  });
});

describe('a bad option reads the same for every command, exit 2', () => {
  const pointer = (topic: string) => `Run \`front-why ${topic} --help\` for usage and examples.`;
  test.each([
    [['diagnose', '--tenant'], 'diagnose', '--tenant takes a value, e.g. --tenant NAME'],
    [['diagnose', '--tenant', '--json', 'cnv_1'], 'diagnose', '--tenant takes a value, e.g. --tenant NAME'],
    [['sandbox', '--port'], 'sandbox', '--port takes a value, e.g. --port <n>'],
    [['sandbox', '--port', 'abc'], 'sandbox', '--port takes a whole number from 0 to 65535, not "abc"'],
    [['explain', '--json=yes', 'x'], 'explain', '--json takes no value; give it alone'],
    [['activity', '--since'], 'activity', '--since takes a value'],
  ])('%j', async (args, topic, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^front-why ${topic}: ${escape(message)}`));
    expect(lines.at(-1)).toBe(pointer(topic));
    expect(result.stderr).not.toMatch(/Option '|argument missing/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const hasScript = fs.existsSync('/usr/bin/script') || fs.existsSync('/bin/script');

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), so its stdin is a real TTY. `type` is sent once the
 * CLI has printed `waitFor`, then Ctrl-D, as someone at the keyboard would. The terminal echoes what is typed.
 */
function runInTerminal(args: string[], waitFor: string, type: string): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let typed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!typed && out.includes(waitFor)) {
        typed = true;
        child.stdin.write(type);
        // Ctrl-D on a line of its own ends the input; the terminal's line discipline turns it into end-of-file.
        child.stdin.write('\x04');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: out.replaceAll('\r\n', '\n') }));
  });
}

(hasScript ? describe : describe.skip)('explain in a terminal with no argument', () => {
  test('says to paste and press Ctrl-D, reads a multi-line paste, then answers', async () => {
    const paste =
      '{"_error":{"status":403,"title":"Forbidden",\n"message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}\n';
    const result = await runInTerminal(['explain'], 'Ctrl-D', paste);
    expect(result.out).toContain('Paste the error, then press Ctrl-D on a line of its own to finish');
    expect(result.out).toMatch(/^1\. Possible cause: The teammate who owns cnv_yo1kg5q/m);
    expect(result.code).toBe(0);
  });
});

describe('an over-long paste', () => {
  test.each([
    [100 * 1024, 'That paste is 100 KiB, over the 64 KiB limit'],
    [2 * 1024 * 1024, 'That paste is 2.0 MiB, over the 64 KiB limit'],
  ])('of %d bytes is told its real size', async (bytes, message) => {
    const result = await runCli(['explain'], { stdin: 'x'.repeat(bytes) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });
});

describe('tenants add with a name the store would refuse', () => {
  test.each([
    ['Acme', 'tenant name "Acme" is not valid: use 1–40 lowercase letters, digits or dashes'],
    ['acme corp', 'tenant name "acme corp" is not valid'],
    ['default', 'tenant name "default" is reserved'],
  ])('"%s" is refused before Front is asked about the token, exit 2', async (name, message) => {
    const env = {
      FRONT_API_BASE_URL: sandbox.url,
      FRONT_WHY_DB: path.join(dir, 'front-why.db'),
      FRONT_WHY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    };
    sandbox.resetStats();
    const result = await runCli(['tenants', 'add', name], { env, stdin: `${sandbox.tokens.globex_private}\n` });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/Token|Not stored/);
    expect(sandbox.stats().total).toBe(0);
  });
});

describe('activity and stats', () => {
  test('read the log without FRONT_WHY_ENCRYPTION_KEY: it holds no token', async () => {
    const db = path.join(dir, 'front-why.db');
    const keyed = {
      FRONT_API_BASE_URL: sandbox.url,
      FRONT_WHY_DB: db,
      FRONT_WHY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    };
    expect((await runCli(['tenants', 'add', 'acme'], { env: keyed, stdin: sandbox.tokens.globex_private })).code).toBe(
      0,
    );
    expect((await runCli(['diagnose', '--tenant', 'acme', 'cnv_yo1kg5q'], { env: keyed })).code).toBe(0);

    const keyless = { FRONT_WHY_DB: db };
    const activity = await runCli(['activity'], { env: keyless });
    expect(activity).toMatchObject({ code: 0, stderr: '' });
    expect(activity.stdout).toMatch(/tenant\.add\s+tenant=acme/);
    expect(activity.stdout).toMatch(/diagnose\s+tenant=acme target=cnv_yo1kg5q/);
    const stats = await runCli(['stats', '--json', '--tenant', 'acme'], { env: keyless });
    expect(stats).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(stats.stdout) as { diagnoses: { total: number } }).diagnoses.total).toBe(1);
  });

  test.each([['activity'], ['stats'], ['unknowns']])(
    '%s run where there is no database says so and where it looked, and creates none',
    async (command) => {
      const result = await runCli([command], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        `there is no database at ./data/front-why.db (the default FRONT_WHY_DB, looked for as ${path.join(fs.realpathSync(dir), 'data', 'front-why.db')})`,
      );
      expect(fs.readdirSync(dir)).toEqual([]);

      const named = path.join(dir, 'elsewhere.db');
      const set = await runCli([command], { cwd: dir, env: { FRONT_WHY_DB: named } });
      expect(set.code).toBe(1);
      expect(set.stderr).toContain(`there is no database at ${named} (FRONT_WHY_DB, looked for as ${named})`);
      expect(fs.readdirSync(dir)).toEqual([]);
    },
  );
});

describe('serve, before it connects anywhere', () => {
  const bare = { PORT: '0', FRONT_WHY_METRICS_PORT: '0' };

  test('lists every configuration problem at once: the variables, the Slack settings and the key', async () => {
    const result = await runCli(['serve'], { cwd: dir, env: { ...bare, FRONT_WHY_WATCH_DAYS: '0' } });
    expect(result.code).toBe(1);
    const problems = result.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems.map((p) => /^ {2}- (\S+)/.exec(p)?.[1])).toEqual([
      'FRONT_WHY_WATCH_DAYS',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'FRONT_WHY_ENCRYPTION_KEY',
    ]);
    // Our own fix text reaches the operator whole: "Basic Information" is a page of the Slack app, not a credential.
    expect(result.stderr).toContain('copy the "Signing Secret" from your Slack app\'s Basic Information page');
    expect(result.stderr).not.toContain('[redacted');
  });

  test.each([
    [{ SLACK_BOT_TOKEN: 'nonsense', SLACK_SIGNING_SECRET: 's' }, ['SLACK_BOT_TOKEN does not start with xoxb-']],
    [
      { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_APP_TOKEN: 'nonsense' },
      ['SLACK_APP_TOKEN does not start with xapp-, so it is not an app-level token.'],
    ],
    [
      { SLACK_BOT_TOKEN: 'xapp-1-A0-123-abcdef', SLACK_APP_TOKEN: 'xoxb-1-abcdef' },
      [
        'SLACK_BOT_TOKEN does not start with xoxb-, so it is not a bot token. It holds an app-level token (xapp-…), which belongs in SLACK_APP_TOKEN.',
        'SLACK_APP_TOKEN does not start with xapp-, so it is not an app-level token. It holds the bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN.',
      ],
    ],
  ])('a Slack token of the wrong kind is named, its value not shown: %j', async (slack, messages) => {
    const key = crypto.randomBytes(32).toString('base64');
    const result = await runCli(['serve'], { cwd: dir, env: { ...bare, ...slack, FRONT_WHY_ENCRYPTION_KEY: key } });
    expect(result.code).toBe(1);
    for (const message of messages) expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('nonsense');
    expect(result.stderr).not.toContain('abcdef');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('when Slack cannot be reached, the message names Slack, where it was asked and why', async () => {
    const closed = await freePort();
    const result = await runCli(['serve'], {
      cwd: dir,
      env: {
        ...bare,
        SLACK_BOT_TOKEN: 'xoxb-1-abcdefgh',
        SLACK_SIGNING_SECRET: 's',
        SLACK_API_URL: `http://127.0.0.1:${closed}/api/`,
        FRONT_WHY_DB: path.join(dir, 'front-why.db'),
        FRONT_WHY_PID_FILE: path.join(dir, 'front-why.pid'),
        FRONT_WHY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
        LOG_LEVEL: 'error',
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `front-why: could not reach Slack at http://127.0.0.1:${closed}/api/ to check SLACK_BOT_TOKEN (auth.test: fetch failed: ECONNREFUSED)`,
    );
    expect(result.stderr).toContain('Check that this host can reach Slack');
  });
});

/** A port nothing listens on: one the system just handed out and took back. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
