import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { serveCommand } from '../../src/commands/serve';
import type { CliIo } from '../../src/commands/io';
import { ConfigError } from '../../src/config';
import { RuleSetError } from '../../src/rules';
import { startSandbox } from '../../src/sandbox';
import { Keyring, openStore } from '../../src/store';
import { newConnectionError, waitFor } from './helpers/harness';
import { parseExposition, valueOf } from './helpers/prometheus';
import { startSlackStandIn, TEAM_ID, type SlackStandIn } from './helpers/slack-standin';

/** `front-why serve` in-process: config, store, rules, app, "ready", and a clean stop on SIGTERM. */

let dir: string;
let slack: SlackStandIn;
const botToken = 'xoxb-serve-test-token';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'front-why-serve-'));
  slack = await startSlackStandIn({ botToken });
});

afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stdin: new PassThrough(),
    env,
  };
}

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: 'serve-test-secret',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    FRONT_WHY_METRICS_PORT: '0',
    FRONT_WHY_DB: path.join(dir, `serve-${randomBytes(4).toString('hex')}.db`),
    FRONT_WHY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    FRONT_WHY_PID_FILE: path.join(dir, `serve-${randomBytes(4).toString('hex')}.pid`),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

test('starts, logs "ready" with the bound port, serves /healthz, and stops cleanly on SIGTERM', async () => {
  const cli = io(env());
  const running = serveCommand([], cli);
  const ready = await waitFor(
    () =>
      cli.err
        .map((line) => JSON.parse(line) as { msg: string; port?: number; metricsPort?: number; rules?: number })
        .find((l) => l.msg === 'ready'),
    '"ready"',
  );
  expect(ready.port).toBeGreaterThan(0);
  expect((await fetch(`http://127.0.0.1:${ready.port}/healthz`)).status).toBe(200);
  // The metrics of the rule set it serves, and of its process, on the metrics port only.
  expect((await fetch(`http://127.0.0.1:${ready.port}/metrics`)).status).toBe(404);
  expect(ready.metricsPort).toBeGreaterThan(0);
  const metrics = parseExposition(await (await fetch(`http://127.0.0.1:${ready.metricsPort}/metrics`)).text());
  expect(valueOf(metrics, 'front_why_rules_loaded')).toBe(ready.rules);
  expect(valueOf(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  process.emit('SIGTERM');
  await expect(running).resolves.toBe(0);
  expect(cli.err.join('')).toContain('"msg":"stopped"');
  // Nothing listens any more (not merely an error answer).
  expect(await newConnectionError(`http://127.0.0.1:${ready.port}`)).toBe('ECONNREFUSED');
  expect(await newConnectionError(`http://127.0.0.1:${ready.metricsPort}`)).toBe('ECONNREFUSED');
  expect(cli.err.join('')).not.toContain(botToken);
});

test('runs the audits that are due once started: a scheduled tenant gets its baseline in its bound channel', async () => {
  const sandbox = await startSandbox({ port: 0 });
  try {
    const settings = env({ FRONT_API_BASE_URL: sandbox.url });
    const store = await openStore(settings.FRONT_WHY_DB as string, Keyring.fromEnv(settings));
    await store.addTenant({ name: 'acme', token: sandbox.tokens.acme_private });
    await store.bindChannel({ teamId: TEAM_ID, channelId: 'C0SCHEDULED', tenant: 'acme', boundBy: 'U0ADMIN' });
    await store.setAuditSchedule({ tenant: 'acme', cadence: 'weekly', setBy: 'U0ADMIN', nextRunAt: new Date() });
    await store.close();
    const cli = io(settings);
    const running = serveCommand([], cli);
    const posted = await waitFor(
      () => slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0SCHEDULED'),
      'the baseline post',
    );
    expect(JSON.stringify(posted.args.blocks)).toContain('baseline recorded');
    process.emit('SIGTERM');
    await expect(running).resolves.toBe(0);
    const reopened = await openStore(settings.FRONT_WHY_DB as string, Keyring.fromEnv(settings));
    try {
      expect(await reopened.getAuditResult('acme')).toMatchObject({ tokenWorks: true, complete: true });
      expect((await reopened.getAuditSchedule('acme'))?.leaseHolder).toBeNull();
    } finally {
      await reopened.close();
    }
  } finally {
    await sandbox.close();
  }
});

test('refuses to start on a broken rule file, naming it', async () => {
  const rules = path.join(dir, 'broken-rules');
  mkdirSync(rules);
  writeFileSync(path.join(rules, 'broken.yml'), 'id: broken\ncause: [unclosed\n');
  const before = slack.calls.length;
  await expect(serveCommand([], io(env({ FRONT_WHY_RULES_DIR: rules })))).rejects.toThrow(RuleSetError);
  await expect(serveCommand([], io(env({ FRONT_WHY_RULES_DIR: rules })))).rejects.toThrow(/broken\.yml/);
  // Stopped before reaching Slack at all.
  expect(slack.calls.length).toBe(before);
});

test('refuses to start without the Slack settings it needs, naming the variable and the fix', async () => {
  const promise = serveCommand([], io(env({ SLACK_SIGNING_SECRET: '' })));
  await expect(promise).rejects.toThrow(ConfigError);
  await expect(serveCommand([], io(env({ SLACK_SIGNING_SECRET: '' })))).rejects.toThrow(
    /SLACK_SIGNING_SECRET is not set: copy the "Signing Secret"/,
  );
});

test('a missing encryption key is a clear error, not a silent plaintext store', async () => {
  const cli = io(env({ FRONT_WHY_ENCRYPTION_KEY: '' }));
  await expect(serveCommand([], cli)).rejects.toThrow(ConfigError);
  await expect(serveCommand([], cli)).rejects.toThrow(/FRONT_WHY_ENCRYPTION_KEY is not set/);
});

test('refuses to start when the metrics port is taken, naming the variable', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const busy = (taken.address() as AddressInfo).port;
  try {
    const cli = io(env({ FRONT_WHY_METRICS_PORT: String(busy) }));
    await expect(serveCommand([], cli)).rejects.toThrow(
      `FRONT_WHY_METRICS_PORT ${busy} on FRONT_WHY_METRICS_HOST 127.0.0.1 cannot be used (EADDRINUSE)`,
    );
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
