import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers';

const ORIGINAL =
  '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';

/** What `serve` and the live commands need, and `explain` (the paste alone, no network, no store) does not. */
const NOT_FOR_EXPLAIN = ['@slack', 'undici', 'pg', 'better-sqlite3', 'prom-client', 'pino'];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'front-why-start-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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
