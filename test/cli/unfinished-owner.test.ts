import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SANDBOX_SCENARIOS, startSandbox, type Sandbox } from '../../src/sandbox';
import { Keyring, openStore } from '../../src/store';
import { runCli } from './helpers';

/**
 * `front-why diagnose --tenant` for a company too big to check within one diagnosis's share (Initech, 200 teammates
 * on Starter): the first screen says the owner is not named yet and gives the command, for this tenant, that checks
 * everyone.
 */
const scenario = SANDBOX_SCENARIOS.find((s) => s.name === 'big_company_owner')!;

let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-cli-unfinished-'));
});

afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the answer names the audit command for the tenant checked, within the share of its limit', async () => {
  const key = crypto.randomBytes(32).toString('base64');
  const env = {
    FRONT_API_BASE_URL: sandbox.url,
    FRONT_WHY_DB: path.join(dir, 'front-why.db'),
    FRONT_WHY_ENCRYPTION_KEY: key,
  };
  const store = await openStore(env.FRONT_WHY_DB, Keyring.parse(key));
  await store.addTenant({ name: 'initech', token: sandbox.tokens[scenario.tokenName] });
  await store.close();

  sandbox.resetStats();
  const result = await runCli(['diagnose', '--tenant', 'initech', scenario.input], { env });
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('Owner: not named yet (checked 3 of 200 teammates)');
  expect(result.stdout).toContain('`front-why audit --tenant initech` checks every teammate');
  // 10% of Starter's 50 a minute.
  expect(sandbox.stats().byToken[scenario.tokenName]).toBe(5);
});
