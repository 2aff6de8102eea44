import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server';
import { Keyring, openStore } from '../../src/store';
import { ADMIN, AGENT, CHANNEL, userMessage, waitFor } from '../slack/helpers/harness';
import { startSlackStandIn, type RecordedCall, type SlackStandIn } from '../slack/helpers/slack-standin';
import { runCli, startServe, type ServeProcess } from './helpers';

/**
 * `front-why serve` as a real process: SIGHUP and `front-why rules reload` reload the rules (a broken file keeps
 * the old ones serving); SIGTERM stops it gracefully (a check in flight still answers, new work is refused
 * politely, exit 0, the store closed with nothing lost).
 */

const RULES = path.join(__dirname, '../../rules');
const TEAPOT = '{"_error":{"status":418,"title":"Teapot","message":"short and stout"}}';
// The unknown rule's headline for an error with a status and no path, as the test's paste is.
const UNKNOWN_HEADLINE = `text: 'No rule explains this Front error yet ({{error.status}}, "{{error.message|no message}}"):`;
const PASTE =
  'Our integration gets this: {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';

const botToken = `xoxb-${randomBytes(8).toString('hex')}-ops`;
const secret = randomBytes(16).toString('hex');
const key = randomBytes(32).toString('base64');

let dir: string;
let slack: SlackStandIn;
let sandbox: Sandbox;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'front-why-ops-'));
  slack = await startSlackStandIn({ botToken });
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 100_000 } });
});

afterAll(async () => {
  await sandbox?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

function serveEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    FRONT_API_BASE_URL: sandbox.url,
    FRONT_WHY_DB: path.join(dir, `${name}.db`),
    FRONT_WHY_PID_FILE: path.join(dir, `${name}.pid`),
    FRONT_WHY_ENCRYPTION_KEY: key,
    FRONT_WHY_ADMINS: ADMIN,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

function text(call: RecordedCall): string {
  return JSON.stringify(call.args);
}

/** Runs a check as `/front-why TEXT` in `channel` and returns its threaded answer (the reply naming a cause). */
async function check(server: ServeProcess, paste: string, channel = CHANNEL): Promise<string> {
  const mark = slack.calls.length;
  const ack = await server.command(paste, { channel, responseUrl: slack.responseUrl() });
  expect(ack.status).toBe(200);
  const reply = await waitFor(
    () =>
      slack.calls
        .slice(mark)
        .find(
          (c) =>
            c.method === 'chat.postMessage' &&
            c.args.channel === channel &&
            c.args.thread_ts &&
            text(c).includes('*Cause:*'),
        ),
    'the threaded answer',
    15_000,
  );
  return text(reply);
}

describe('rules reload', () => {
  let server: ServeProcess;
  let rules: string;
  let env: Record<string, string>;
  let count: number;

  beforeAll(async () => {
    rules = path.join(dir, 'rules');
    cpSync(RULES, rules, { recursive: true });
    env = serveEnv('reload', { FRONT_WHY_RULES_DIR: rules });
    server = await startServe(env, secret);
    count = Number(server.logs.find((l) => l.msg === 'ready')?.rules);
    expect(count).toBeGreaterThan(10);
  });

  afterAll(async () => {
    await server?.kill();
  });

  function editRule(file: string, from: string, to: string): void {
    const target = path.join(rules, file);
    const before = readFileSync(target, 'utf8');
    expect(before).toContain(from);
    writeFileSync(target, before.replace(from, to));
  }

  function restoreRules(): void {
    cpSync(RULES, rules, { recursive: true });
  }

  afterEach(() => restoreRules());

  /** Sends SIGHUP and returns the log line saying how the reload went. */
  async function hup(): Promise<Record<string, unknown>> {
    const before = server.logs.length;
    server.child.kill('SIGHUP');
    return server.waitForLog(
      (l) =>
        server.logs.indexOf(l) >= before && (l.msg === 'rules reloaded' || l.msg.startsWith('rules reload failed')),
      'the reload to be logged',
    );
  }

  test('writes its pid file once ready', () => {
    expect(readFileSync(env.FRONT_WHY_PID_FILE as string, 'utf8')).toBe(`${server.pid}\n`);
  });

  test('SIGHUP after a rule file changed: the next check uses the new text', async () => {
    expect(await check(server, TEAPOT)).toContain('No rule explains this Front error yet');
    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'SIGHUP-MARKER: no rule explains this Front error yet:");
    expect(await hup()).toMatchObject({ msg: 'rules reloaded', trigger: 'SIGHUP', rules: count });
    expect(await check(server, TEAPOT)).toContain('SIGHUP-MARKER');
  });

  test('SIGHUP with a broken file: the error is logged with file:line:col, and the old rules keep serving', async () => {
    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'GOOD-SET-MARKER: no rule explains this Front error yet:");
    expect(await hup()).toMatchObject({ msg: 'rules reloaded' });
    editRule('unknown.yml', 'GOOD-SET-MARKER', 'BROKEN-SET-MARKER');
    editRule('rate-limited.yml', 'priority:', 'priorty:');
    const line = await hup();
    expect(line).toMatchObject({
      level: 50,
      msg: 'rules reload failed; the rules already loaded keep serving',
      trigger: 'SIGHUP',
      serving: count,
    });
    expect(line.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/rate-limited\.yml:\d+:\d+ rule=rate-limited: unknown key "priorty"/),
      ]),
    );
    // Still up, still answering with the set loaded before.
    const answer = await check(server, TEAPOT);
    expect(answer).toContain('GOOD-SET-MARKER');
    expect(answer).not.toContain('BROKEN-SET-MARKER');
  });

  test('`front-why rules reload` checks the rules, signals the server through the pid file, and reports what it loaded', async () => {
    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'CLI-MARKER: no rule explains this Front error yet:");
    const run = await runCli(['rules', 'reload'], {
      FRONT_WHY_RULES_DIR: rules,
      FRONT_WHY_PID_FILE: env.FRONT_WHY_PID_FILE as string,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`reloaded: the server (pid ${server.pid}) now serves ${count} rule files\n`);
    expect(run.code).toBe(0);
    expect(await check(server, TEAPOT)).toContain('CLI-MARKER');
  });

  test('`front-why rules reload` with a broken file: exit 1 with the errors, and the server is not signalled', async () => {
    // Its own starting point, whatever ran before: the server serves a set with a marker.
    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'SERVING-MARKER: no rule explains this Front error yet:");
    expect(await hup()).toMatchObject({ msg: 'rules reloaded' });
    editRule('unknown.yml', 'SERVING-MARKER', 'BROKEN-SET-MARKER');
    editRule('rate-limited.yml', 'priority:', 'priorty:');
    const before = server.logs.length;
    const run = await runCli(['rules', 'reload'], {
      FRONT_WHY_RULES_DIR: rules,
      FRONT_WHY_PID_FILE: env.FRONT_WHY_PID_FILE as string,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/rate-limited\.yml:\d+:\d+ rule=rate-limited: .*priorty/);
    expect(run.stderr).toContain('Nothing was sent to the server: it keeps serving the rules it has.');
    expect(run.stdout).toBe('');
    // Our own SIGHUP after the CLI exited: once its outcome is logged, a signal from the CLI would have been too.
    const ours = await hup();
    expect(ours).toMatchObject({
      msg: 'rules reload failed; the rules already loaded keep serving',
      trigger: 'SIGHUP',
    });
    expect(
      server.logs.slice(before).filter((l) => l.msg === 'rules reloaded' || l.msg.startsWith('rules reload failed')),
    ).toEqual([ours]);
    const answer = await check(server, TEAPOT);
    expect(answer).toContain('SERVING-MARKER');
    expect(answer).not.toContain('BROKEN-SET-MARKER');
  });

  test('`front-why rules reload` without a running server says so clearly', async () => {
    const missing = await runCli(['rules', 'reload'], {
      FRONT_WHY_RULES_DIR: rules,
      FRONT_WHY_PID_FILE: path.join(dir, 'nobody.pid'),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `front-why rules reload: no front-why server is running here: ${path.join(dir, 'nobody.pid')} does not exist`,
    );

    // A pid file left by a server that died: its pid is gone.
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.on('exit', resolve));
    const stale = path.join(dir, 'stale.pid');
    writeFileSync(stale, `${gone.pid}\n`);
    const run = await runCli(['rules', 'reload'], { FRONT_WHY_RULES_DIR: rules, FRONT_WHY_PID_FILE: stale });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`names pid ${gone.pid}, which has exited without removing it (a stale pid file)`);
  });

  (existsSync('/proc/self/cmdline') ? test : test.skip)(
    '`front-why rules reload` never signals a process that is not front-why (a reused pid)',
    async () => {
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
      try {
        const pidFile = path.join(dir, 'reused.pid');
        writeFileSync(pidFile, `${other.pid}\n`);
        const run = await runCli(['rules', 'reload'], { FRONT_WHY_RULES_DIR: rules, FRONT_WHY_PID_FILE: pidFile });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`pid ${other.pid} (from ${pidFile}) is not a front-why process`);
        expect(other.exitCode).toBeNull();
        expect(other.signalCode).toBeNull();
      } finally {
        other.kill('SIGKILL');
      }
    },
  );

  test('`/front-why reload` is refused for a non-admin and works for an admin', async () => {
    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'SLACK-MARKER: no rule explains this Front error yet:");
    const refusedUrl = slack.responseUrl();
    let mark = slack.calls.length;
    await server.command('reload', { user: AGENT, responseUrl: refusedUrl });
    const refusal = await waitFor(
      () => slack.calls.slice(mark).find((c) => c.method === 'response_url'),
      'the refusal',
    );
    expect(text(refusal)).toContain('Only front-why admins can reload the rules');
    expect(await check(server, TEAPOT)).not.toContain('SLACK-MARKER');

    mark = slack.calls.length;
    await server.command('reload', { user: ADMIN, responseUrl: slack.responseUrl() });
    const done = await waitFor(
      () => slack.calls.slice(mark).find((c) => c.method === 'response_url'),
      'the admin answer',
    );
    expect(text(done)).toContain(`Rules reloaded: *${count}* rule files loaded`);
    expect(await check(server, TEAPOT)).toContain('SLACK-MARKER');
  });

  test('SIGTERM removes the pid file', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(env.FRONT_WHY_PID_FILE as string)).toBe(false);
  });
});

describe('a wrong FRONT_WHY_ENCRYPTION_KEY', () => {
  test('serve refuses to start: exit 1, a message naming the fix, no key material printed', async () => {
    const env = serveEnv('wrongkey');
    const store = await openStore(env.FRONT_WHY_DB as string, Keyring.parse(key));
    await store.addTenant({ name: 'acme', token: sandbox.tokens.acme_private, addedBy: ADMIN });
    await store.close();
    const wrong = randomBytes(32);

    const run = await runCli(['serve'], { ...env, FRONT_WHY_ENCRYPTION_KEY: wrong.toString('base64') });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'front-why serve: FRONT_WHY_ENCRYPTION_KEY key k1 is not the key this database was written with (it knows key k1). Restore the original value of k1',
    );
    expect(run.stderr).not.toContain('"msg":"ready"');
    const printed = run.stdout + run.stderr;
    for (const secret of [
      key,
      wrong.toString('base64'),
      wrong.toString('hex'),
      Buffer.from(key, 'base64').toString('hex'),
      sandbox.tokens.acme_private,
    ]) {
      expect(printed).not.toContain(secret);
    }
    // Nothing was changed: the right key still opens the database and its token.
    const again = await openStore(env.FRONT_WHY_DB as string, Keyring.parse(key));
    try {
      expect(await again.getTenantToken('acme')).toBe(sandbox.tokens.acme_private);
    } finally {
      await again.close();
    }
  });
});

describe('graceful shutdown on SIGTERM', () => {
  test('a check in flight gets its threaded reply, new work is refused politely, exit 0, and the store is closed with nothing lost', async () => {
    const env = serveEnv('shutdown', { FRONT_API_TOKEN: sandbox.tokens.acme_private, FRONT_WHY_CHANNELS: CHANNEL });
    const server = await startServe(env, secret);
    try {
      sandbox.setFaults({ latencyMs: 600 });
      sandbox.resetStats();
      const mark = slack.calls.length;
      const ack = await server.command('cnv_yo1kg5q', { responseUrl: slack.responseUrl() });
      expect(ack.status).toBe(200);
      await waitFor(() => sandbox.stats().total > 0, 'the check to be asking Front');

      server.child.kill('SIGTERM');
      const stopping = await server.waitForLog(
        (l) => l.msg.startsWith('stopping: new requests are refused'),
        'the shutdown to begin',
      );
      expect(stopping.running).toBe(1);

      const refused = await server.command('cnv_yo1kg5t', { responseUrl: slack.responseUrl() });
      expect(refused.status).toBe(200);
      expect(JSON.parse(refused.body)).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringContaining('front-why is restarting'),
      });
      const event = await server.event(userMessage(PASTE), 'Ev0OPSDURINGSTOP');
      expect(event.status).toBe(503);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(503);

      // Generous: the grace period is 15 s and the check needs a few seconds.
      const exit = await Promise.race([
        server.exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
      ]);
      expect(exit).toEqual({ code: 0, signal: null });

      const answer = slack.calls
        .slice(mark)
        .find((c) => c.method === 'chat.postMessage' && c.args.thread_ts && text(c).includes('*Cause:*'));
      expect(answer).toBeDefined();
      expect(text(answer as RecordedCall)).toContain('teammate_api_access_disabled');
      // Posted after the shutdown began: it really was in flight when SIGTERM came.
      expect((answer as RecordedCall).at).toBeGreaterThanOrEqual(Number(stopping.time));
      const parents = slack.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
      expect(parents).toHaveLength(1);
      expect(server.logs.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['stopping', 'slack app stopped', 'stopped']),
      );
      expect(server.otherStderr).toEqual([]);

      // Closed cleanly: the pid file is gone, SQLite folded its WAL back into the database, and nothing was lost.
      expect(existsSync(env.FRONT_WHY_PID_FILE as string)).toBe(false);
      const wal = `${env.FRONT_WHY_DB}-wal`;
      expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
      const store = await openStore(env.FRONT_WHY_DB as string, Keyring.parse(key));
      try {
        const entries = await store.listActivity({ limit: 10 });
        expect(entries).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              action: 'diagnose',
              tenant: 'default',
              target: 'cnv_yo1kg5q',
              cause: 'teammate_api_access_disabled',
            }),
          ]),
        );
        // The event refused while stopping was not claimed: Slack's redelivery will be answered.
        expect(await store.claimEvent('event:Ev0OPSDURINGSTOP', 60)).toBe(true);
      } finally {
        await store.close();
      }
    } finally {
      sandbox.setFaults({ latencyMs: 0 });
      await server.kill();
    }
  }, 60_000);
});
