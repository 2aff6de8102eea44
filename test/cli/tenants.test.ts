import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { runCli, type RunResult } from './helpers';

/** `tenants check`, `remove` and `rotate-key` as an operator runs them: the built CLI, a SQLite file, the sandbox. */

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
const oldKey = crypto.randomBytes(32).toString('base64');

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 10_000 } });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-tenants-'));
  env = {
    FRONT_API_BASE_URL: sandbox.url,
    FRONT_WHY_DB: path.join(dir, 'front-why.db'),
    FRONT_WHY_ENCRYPTION_KEY: oldKey,
  };
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const newKey = () => crypto.randomBytes(32).toString('base64');

async function add(name: string, token: string, extra: string[] = []): Promise<void> {
  const result = await runCli(['tenants', 'add', name, ...extra], { env, stdin: `${token}\n` });
  expect(result).toMatchObject({ code: 0 });
}

async function listed(
  withEnv: Record<string, string> = env,
): Promise<{ name: string; keyId: string; token: string | null; checkedAt: string | null }[]> {
  const result = await runCli(['tenants', 'list', '--json'], { env: withEnv });
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return (
    JSON.parse(result.stdout) as {
      tenants: { name: string; keyId: string; token: string | null; checkedAt: string | null }[];
    }
  ).tenants;
}

function expectNoSecret(result: RunResult, ...secrets: string[]): void {
  for (const secret of secrets) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

describe('tenants add', () => {
  test('refuses the name "default" (it names FRONT_API_TOKEN) before the token is read or checked', async () => {
    sandbox.resetStats();
    const result = await runCli(['tenants', 'add', 'default'], { env, stdin: `${sandbox.tokens.globex_private}\n` });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('tenant name "default" is reserved: it names FRONT_API_TOKEN');
    expectNoSecret(result, sandbox.tokens.globex_private);
    expect(sandbox.stats().total).toBe(0);
    expect(await listed()).toEqual([]);
  });
});

describe('tenants remove', () => {
  test('removes the tenant and says so; a second remove, or an unknown name, fails naming it', async () => {
    await add('acme', sandbox.tokens.acme_private);
    await add('globex', sandbox.tokens.globex_private);

    const removed = await runCli(['tenants', 'remove', 'acme'], { env });
    expect(removed).toMatchObject({ code: 0, stdout: 'Removed tenant "acme" and its channel bindings.\n' });
    expect((await listed()).map((t) => t.name)).toEqual(['globex']);

    const again = await runCli(['tenants', 'remove', 'acme'], { env });
    expect(again).toMatchObject({ code: 1, stderr: 'front-why: no tenant named "acme"\n' });

    const log = await runCli(['activity', '--tenant', 'acme'], { env });
    expect(log).toMatchObject({ code: 0, stderr: '' });
    expect(log.stdout).toMatch(/tenant\.remove/);
    // The old name keeps working for scripts, and says the new one where a script's output is not read.
    const old = await runCli(['audit-log', '--tenant', 'acme'], { env });
    expect(old).toEqual({
      code: 0,
      stdout: log.stdout,
      stderr: 'front-why: `audit-log` is now `activity`; the old name still works.\n',
    });
  });
});

describe('tenants check', () => {
  test('a working token: exit 0, the company named, the check recorded', async () => {
    await add('globex', sandbox.tokens.globex_private);
    const before = (await listed())[0]?.checkedAt;
    const result = await runCli(['tenants', 'check', 'globex'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^globex: token eyJ\S*…\S{4} valid — company "Globex"/);
    expectNoSecret(result, sandbox.tokens.globex_private);
    const after = (await listed())[0]?.checkedAt;
    expect(after).not.toBeNull();
    expect(Date.parse(after!)).toBeGreaterThanOrEqual(Date.parse(before!));
    expect((await runCli(['activity', '--tenant', 'globex'], { env })).stdout).toMatch(/tenant\.check/);
  });

  test('a token Front refuses: exit 1 and the reason', async () => {
    await add('revoked', sandbox.tokens.acme_revoked, ['--force']);
    const result = await runCli(['tenants', 'check', 'revoked'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^revoked: token \S+ refused by Front \(401/);
    expectNoSecret(result, sandbox.tokens.acme_revoked);
  });

  test('an unknown tenant: exit 1, naming it', async () => {
    const result = await runCli(['tenants', 'check', 'nobody'], { env });
    expect(result).toMatchObject({ code: 1, stderr: 'front-why: no tenant named "nobody"\n' });
  });
});

describe('tenants rotate-key', () => {
  test('re-encrypts every token under the new key: the new key alone opens them, the old one no longer does', async () => {
    await add('acme', sandbox.tokens.acme_private);
    await add('globex', sandbox.tokens.globex_private);
    const masked = (await listed()).map((t) => t.token);
    const key2 = newKey();

    const rotated = await runCli(['tenants', 'rotate-key'], {
      env: { ...env, FRONT_WHY_ENCRYPTION_KEY: `k2:${key2},k1:${oldKey}` },
    });
    expect(rotated).toMatchObject({ code: 0, stdout: 'Re-encrypted 2 of 2 token(s) under key "k2".\n' });
    expectNoSecret(rotated, oldKey, key2);

    const onlyNew = await listed({ ...env, FRONT_WHY_ENCRYPTION_KEY: `k2:${key2}` });
    expect(onlyNew.map((t) => [t.name, t.keyId])).toEqual([
      ['acme', 'k2'],
      ['globex', 'k2'],
    ]);
    expect(onlyNew.map((t) => t.token)).toEqual(masked);
    const check = await runCli(['tenants', 'check', 'globex'], {
      env: { ...env, FRONT_WHY_ENCRYPTION_KEY: `k2:${key2}` },
    });
    expect(check.code).toBe(0);

    const onlyOld = await runCli(['tenants', 'list'], { env });
    expect(onlyOld.code).not.toBe(0);
    expect(onlyOld.stderr).toMatch(
      /encrypted with key k2, which FRONT_WHY_ENCRYPTION_KEY does not list \(it lists k1\)/,
    );
    expectNoSecret(onlyOld, sandbox.tokens.acme_private, sandbox.tokens.globex_private, oldKey);
  });

  test('a read-only command run with a mistyped new key records nothing: the rotation with the right key then works', async () => {
    await add('acme', sandbox.tokens.acme_private);
    const key2 = newKey();
    const typo = `k2:${newKey()},k1:${oldKey}`;

    expect((await listed({ ...env, FRONT_WHY_ENCRYPTION_KEY: typo })).map((t) => t.name)).toEqual(['acme']);
    const log = await runCli(['activity'], { env: { ...env, FRONT_WHY_ENCRYPTION_KEY: typo } });
    expect(log.code).toBe(0);

    const rotated = await runCli(['tenants', 'rotate-key'], {
      env: { ...env, FRONT_WHY_ENCRYPTION_KEY: `k2:${key2},k1:${oldKey}` },
    });
    expect(rotated).toMatchObject({ code: 0, stderr: '', stdout: 'Re-encrypted 1 of 1 token(s) under key "k2".\n' });
    expect((await listed({ ...env, FRONT_WHY_ENCRYPTION_KEY: `k2:${key2}` })).map((t) => t.keyId)).toEqual(['k2']);
  });

  test('a mistyped key after the rotation is refused, naming the key ids and an unused id for a new key', async () => {
    await add('acme', sandbox.tokens.acme_private);
    const key2 = newKey();
    expect(
      (
        await runCli(['tenants', 'rotate-key'], {
          env: { ...env, FRONT_WHY_ENCRYPTION_KEY: `k2:${key2},k1:${oldKey}` },
        })
      ).code,
    ).toBe(0);
    const typo = newKey();
    const result = await runCli(['tenants', 'list'], { env: { ...env, FRONT_WHY_ENCRYPTION_KEY: `k2:${typo}` } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'FRONT_WHY_ENCRYPTION_KEY key k2 is not the key this database was written with (it knows key k1, k2)',
    );
    expect(result.stderr).toContain('`k3:…,k2:…`');
    expectNoSecret(result, typo, key2, oldKey);
  });
});
