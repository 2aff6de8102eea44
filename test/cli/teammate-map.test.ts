import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SANDBOX_SCENARIOS, startSandbox, type Sandbox } from '../../src/sandbox';
import { Keyring, openStore } from '../../src/store';
import { runCli } from './helpers';

/**
 * `front-why audit --tenant` then `front-why diagnose --tenant`, each a process of its own on one SQLite store: the
 * audit's teammate map outlives it, and the diagnosis reads it instead of sweeping.
 */
const seed = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!;

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 10_000 } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-cli-map-'));
  const key = crypto.randomBytes(32).toString('base64');
  env = {
    FRONT_API_BASE_URL: sandbox.url,
    FRONT_WHY_DB: path.join(dir, 'front-why.db'),
    FRONT_WHY_ENCRYPTION_KEY: key,
  };
  const store = await openStore(env.FRONT_WHY_DB!, Keyring.parse(key));
  await store.addTenant({ name: 'acme', token: sandbox.tokens[seed.tokenName] });
  await store.close();
});

afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function diagnoseCounted(extraEnv: Record<string, string> = {}) {
  sandbox.resetStats();
  const result = await runCli(['diagnose', '--tenant', 'acme', seed.input], { env: { ...env, ...extraEnv } });
  return { result, requests: sandbox.stats().byToken[seed.tokenName] ?? 0 };
}

test("after an audit the diagnosis checks only the map's candidates and says how old the map is", async () => {
  const audit = await runCli(['audit', '--tenant', 'acme'], { env });
  expect(audit.code).toBe(0);

  const { result, requests } = await diagnoseCounted();
  expect(result.stdout).toContain(
    'one of Bruno Keller <bruno.keller@acme.example>, Dmitri Ivanov <dmitri.ivanov@acme.example> (the teammates with it off as of the audit just now, each still off in a live check just now)',
  );
  // The conversation and the two candidates: not its inboxes, no GET /me, no teammate list, nobody else.
  expect(requests).toBe(3);

  // --json carries the same: how old the map is and the live checks that confirmed it.
  const json = await runCli(['diagnose', '--tenant', 'acme', '--json', seed.input], { env });
  const [first] = (JSON.parse(json.stdout) as { diagnoses: { owner?: Record<string, unknown> }[] }).diagnoses;
  expect(first?.owner).toMatchObject({
    how: 'candidates',
    asOf: expect.stringMatching(/^the audit /),
    confirmedBy: ['GET /teammates/tea_6r55b/private_inboxes: 403', 'GET /teammates/tea_6r55d/private_inboxes: 403'],
  });

  // FRONT_WHY_TEAMMATES_TTL=0 trusts no map: the company is swept as before.
  const cold = await diagnoseCounted({ FRONT_WHY_TEAMMATES_TTL: '0' });
  expect(cold.result.stdout).toContain('(all 5 teammates checked)');
  expect(cold.requests).toBe(7);
});
