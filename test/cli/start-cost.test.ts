import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { BIN, runCli } from './helpers';
import { startSlackStandIn } from '../slack/helpers/slack-standin';

const ORIGINAL =
  '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';

/** What `serve` and the live commands need, and `explain` (the paste alone, no network, no store) does not. */
const NOT_FOR_EXPLAIN = ['@slack', 'undici', 'pg', 'better-sqlite3', 'prom-client', 'pino'];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'front-why-start-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes the module cache's files to `list` as the process exits (a `--require` preload). */
function recorder(list: string): string {
  const preload = path.join(dir, `record-${path.basename(list, '.json')}.js`);
  fs.writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  return preload;
}

/** The packages a recorded module list holds files of, scoped ones by their full name (`@slack/bolt`). */
function packagesIn(list: string): string[] {
  const files = JSON.parse(fs.readFileSync(list, 'utf8')) as string[];
  const packages = new Set(
    files.flatMap((file) => {
      const match = /node_modules[\\/]((?:@[^\\/]+[\\/][^\\/]+)|[^\\/@]+)/.exec(file);
      return match ? [match[1]!.replace(/\\/g, '/')] : [];
    }),
  );
  return [...packages].sort();
}

/** The packages a real run of the binary loaded, read from the module cache as the process exits. */
async function packagesLoadedBy(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; packages: string[] }> {
  const list = path.join(dir, `loaded-${args[0]}.json`);
  const preload = path.join(dir, 'record-loaded.js');
  fs.writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  const result = await runCli(args, { env: { ...env, NODE_OPTIONS: `--require ${preload}` }, cwd: dir });
  const files = JSON.parse(fs.readFileSync(list, 'utf8')) as string[];
  const packages = new Set(
    files.flatMap((file) => {
      const match = /node_modules[\\/]((?:@[^\\/]+)|[^\\/@]+)/.exec(file);
      return match ? [match[1]!] : [];
    }),
  );
  return { code: result.code, stdout: result.stdout, packages: [...packages].sort() };
}

test('`explain` answers without loading Slack, the HTTP client, the database drivers, metrics or the logger', async () => {
  const run = await packagesLoadedBy(['explain', ORIGINAL], { XDG_CACHE_HOME: path.join(dir, 'cache-1') });
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^1\. Possible cause: The teammate who owns cnv_yo1kg5q/);
  // The first run checks the rule files (YAML, the rule format's schemas).
  expect(run.packages).toEqual(expect.arrayContaining(['js-yaml', 'zod']));
  expect(run.packages.filter((name) => NOT_FOR_EXPLAIN.includes(name))).toEqual([]);
});

test('from the second run on, `explain` loads no package at all: the checked rule set is kept', async () => {
  const env = { XDG_CACHE_HOME: path.join(dir, 'cache-2') };
  const first = await packagesLoadedBy(['explain', ORIGINAL], env);
  const second = await packagesLoadedBy(['explain', ORIGINAL], env);
  expect(second.code).toBe(0);
  expect(second.stdout).toBe(first.stdout);
  expect(second.packages).toEqual([]);
});

test('a broken rule file in the operator folder is reported by `explain` even after a good run kept the set', async () => {
  const env = { XDG_CACHE_HOME: path.join(dir, 'cache-3'), FRONT_WHY_RULES_DIR: path.join(dir, 'operator-rules') };
  fs.mkdirSync(env.FRONT_WHY_RULES_DIR);
  fs.copyFileSync(
    path.join(__dirname, '../../rules/resource-not-found.yml'),
    path.join(env.FRONT_WHY_RULES_DIR, 'resource-not-found.yml'),
  );
  expect((await runCli(['explain', ORIGINAL], { env, cwd: dir })).code).toBe(0);
  fs.writeFileSync(path.join(env.FRONT_WHY_RULES_DIR, 'broken.yml'), 'id: broken\ncause: not_a_cause\n');
  fs.appendFileSync(path.join(env.FRONT_WHY_RULES_DIR, 'resource-not-found.yml'), 'priorty: 3\n');
  const broken = await runCli(['explain', ORIGINAL], { env, cwd: dir });
  expect(broken.code).toBe(1);
  expect(broken.stderr).toMatch(/operator-rules\/broken\.yml:\d+:\d+ rule=broken: /);
  expect(broken.stderr).toMatch(/operator-rules\/resource-not-found\.yml:\d+:\d+ rule=resource-not-found: .*priorty/);
  expect(broken.stdout).toBe('');
});

test('a command on a SQLite store opens it without loading the PostgreSQL client', async () => {
  // `unknowns` reads an existing database only (it says where it looked when there is none): give it an empty one.
  const db = path.join(dir, 'front-why.db');
  new Database(db).close();
  const run = await packagesLoadedBy(['unknowns'], { FRONT_WHY_DB: db });
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('No Front error wording without a rule.');
  expect(run.packages).toContain('better-sqlite3');
  expect(run.packages).not.toContain('pg');
});

test('`serve` starts without the Express receiver, the rule loader, the YAML parser, zod or prom-client once its rule set is kept', async () => {
  const botToken = 'xoxb-start-cost';
  const slack = await startSlackStandIn({ botToken });
  const env = {
    PATH: process.env.PATH ?? '',
    XDG_CACHE_HOME: path.join(dir, 'cache-serve'),
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: 'start-cost-secret',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    FRONT_WHY_METRICS_PORT: '0',
    FRONT_WHY_DB: path.join(dir, 'serve.db'),
    FRONT_WHY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    FRONT_WHY_PID_FILE: path.join(dir, 'serve.pid'),
    LOG_LEVEL: 'info',
  };
  /** Starts serve, waits for "ready" and a /healthz answer, stops it with SIGTERM; the packages it had loaded. */
  const start = async (run: number): Promise<string[]> => {
    const list = path.join(dir, `serve-${run}.json`);
    const child = spawn(process.execPath, ['--require', recorder(list), BIN, 'serve'], {
      env,
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'ready') resolve(entry.port as number);
      });
      void exited.then(() => reject(new Error('serve exited before it was ready')));
    });
    // Answered once serve awaits its stop signal: a SIGTERM sent earlier could end it before its handler is set.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    await exited;
    return packagesIn(list);
  };
  try {
    // The first start checks the rule files.
    expect(await start(1)).toContain('js-yaml');
    const kept = await start(2);
    expect(kept).toEqual(expect.arrayContaining(['@slack/bolt', '@slack/web-api', 'better-sqlite3']));
    // zod checks API requests and builds the OpenAPI document, prom-client serves /metrics: both wait for their
    // first use (the store checks its arguments without zod).
    expect(kept.filter((name) => ['express', 'js-yaml', 'pg', 'zod', 'prom-client'].includes(name))).toEqual([]);
  } finally {
    await slack.close();
  }
});
