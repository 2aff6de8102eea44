import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { runCli, type RunResult } from './helpers';

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 10_000 } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-cli-'));
  env = {
    FRONT_API_BASE_URL: sandbox.url,
    FRONT_WHY_DB: path.join(dir, 'front-why.db'),
    FRONT_WHY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
  };
});

afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function expectNoToken(result: RunResult, token: string): void {
  expect(result.stdout).not.toContain(token);
  expect(result.stderr).not.toContain(token);
}

describe('front-why diagnose', () => {
  test("with FRONT_API_TOKEN: the original report's case names the teammate", async () => {
    const token = sandbox.tokens.acme_private;
    const result = await runCli(['diagnose', '--json', 'cnv_yo1kg5q'], { env: { ...env, FRONT_API_TOKEN: token } });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      diagnoses: { cause: string; headline: string; evidence: { check: string; ms?: number }[] }[];
    };
    expect(report.diagnoses[0]?.cause).toBe('teammate_api_access_disabled');
    expect(JSON.stringify(report.diagnoses[0])).toContain('Bruno Keller');
    expect(
      report.diagnoses[0]?.evidence.some(
        (e) => e.check.includes('/conversations/cnv_yo1kg5q') && typeof e.ms === 'number',
      ),
    ).toBe(true);
    expectNoToken(result, token);
  });

  test('--json carries the owner and how the checks found them: by elimination, or the candidates', async () => {
    const token = sandbox.tokens.acme_private;
    const run = async (): Promise<{ headline: string; owner?: unknown }> => {
      const result = await runCli(['diagnose', '--json', 'cnv_yo1kg5q'], { env: { ...env, FRONT_API_TOKEN: token } });
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout) as { diagnoses: { headline: string; owner?: unknown }[] }).diagnoses[0]!;
    };

    const two = await run();
    expect(two.owner).toEqual({
      how: 'candidates',
      candidates: ['Bruno Keller <bruno.keller@acme.example>', 'Dmitri Ivanov <dmitri.ivanov@acme.example>'],
      checked: 5,
      total: 5,
    });

    sandbox.setApiAccess('tea_6r55d', true);
    try {
      const one = await run();
      expect(one.owner).toEqual({
        how: 'elimination',
        name: 'Bruno Keller <bruno.keller@acme.example>',
        checked: 5,
        total: 5,
      });
      expect(one.headline).toMatch(/^Bruno Keller <bruno\.keller@acme\.example> has "Allow access/);
    } finally {
      sandbox.setApiAccess('tea_6r55d', false);
    }
  });

  test('the text shows the cause, who and the steps; --verbose adds the live checks that decided', async () => {
    const envWithToken = { ...env, FRONT_API_TOKEN: sandbox.tokens.acme_private };
    const paste = `GET /conversations/cnv_yo1kg5q 403 {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}`;
    const short = await runCli(['diagnose', paste], { env: envWithToken });
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(/^1\. Cause: .*Bruno Keller/);
    expect(short.stdout).toMatch(/^ {3}Customer's admin:\n {5}1\. .*Company settings → Teammates/m);
    expect(short.stdout).not.toContain('What decided it');
    expect(short.stdout).not.toContain('Why:');

    const full = await runCli(['diagnose', '--verbose', paste], { env: envWithToken });
    expect(full.code).toBe(0);
    expect(full.stdout.startsWith(short.stdout.split('\n')[0]!)).toBe(true);
    expect(full.stdout).toContain('   Why:\n');
    expect(full.stdout).toMatch(/^ {3}What decided it \(live checks\):\n {5}[✓✗?] /m);
    expect(full.stdout).toMatch(/^ {5}✗ GET \/conversations\/cnv_yo1kg5q: 403 .* \(\d+ ms\)$/m);
    expect(full.stdout).toMatch(/^ {5}✗ private inboxes of tea_6r55b: 403 /m);
    // What was pasted is not listed as if it had been checked (and failed).
    expect(full.stdout).not.toContain('error.status');
    expect(full.stdout).not.toContain('error.message');
    expectNoToken(full, sandbox.tokens.acme_private);
  });

  test('--json says which live check overruled the paste, and the text says so under "Ranked first"', async () => {
    const envWithToken = { ...env, FRONT_API_TOKEN: sandbox.tokens.acme_private };
    const run = async (paste: string) => {
      const result = await runCli(['diagnose', '--json', paste], { env: envWithToken });
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout) as { diagnoses: { cause: string; overruledBy?: string }[] }).diagnoses;
    };
    const invalid = await run(
      'GET /conversations/cnv_yo1kg5s 401 {"_error":{"status":401,"title":"Unauthorized","message":"Invalid token"}}',
    );
    expect(invalid[0]).toMatchObject({ cause: 'token_invalid', overruledBy: 'me' });
    const otherCompany = await run(
      `GET /conversations/cnv_zq3ab10 403 {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_zq3ab10\\""}}`,
    );
    expect(otherCompany).toEqual([expect.objectContaining({ cause: 'company_mismatch', overruledBy: 'conversation' })]);
    // A paste the checks agree with names no overruling check.
    const agreed = await run(
      `GET /conversations/cnv_yo1kg5q 403 {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}`,
    );
    expect(agreed[0]?.cause).toBe('teammate_api_access_disabled');
    expect(agreed.every((d) => d.overruledBy === undefined)).toBe(true);

    const text = await runCli(
      ['diagnose', 'GET /conversations/cnv_yo1kg5s 401 {"_error":{"status":401,"message":"Invalid token"}}'],
      { env: envWithToken },
    );
    expect(text.stdout).toMatch(
      /^ {3}Ranked first: The live check \(GET \/me: .*\) answered otherwise than the paste claims/m,
    );
  });

  test('when this host cannot reach Front, the answer says so and does not blame Front', async () => {
    await sandbox.setReachable(false);
    try {
      const result = await runCli(['diagnose', '--json', 'cnv_yo1kg5s'], {
        env: { ...env, FRONT_API_TOKEN: sandbox.tokens.acme_private },
      });
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as { diagnoses: { cause: string }[] };
      expect(report.diagnoses.map((d) => d.cause)).toEqual(['bot_cannot_reach_front']);
    } finally {
      await sandbox.setReachable(true);
    }
  });

  test('without any token it says how to give one', async () => {
    const result = await runCli(['diagnose', 'cnv_yo1kg5q'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--tenant NAME|FRONT_API_TOKEN/);
  });
});

describe('front-why tenants and --tenant', () => {
  test('a token added through stdin is checked, stored encrypted, listed masked and used by --tenant', async () => {
    const token = sandbox.tokens.globex_private;
    const add = await runCli(['tenants', 'add', 'globex'], { env, stdin: `${token}\n` });
    expect(add.code).toBe(0);
    expect(add.stderr).toMatch(/valid — company "Globex"/);
    expectNoToken(add, token);

    const raw = fs.readFileSync(env.FRONT_WHY_DB!);
    expect(raw.includes(Buffer.from(token))).toBe(false);

    const list = await runCli(['tenants', 'list'], { env });
    expect(list.stdout).toMatch(/^globex\tGlobex\ttoken eyJ\S*…\S{4}\t/m);
    expectNoToken(list, token);

    const diagnosis = await runCli(['diagnose', '--tenant', 'globex', '--json', 'cnv_zq3ab11'], { env });
    expect(diagnosis.code).toBe(0);
    expect(JSON.parse(diagnosis.stdout).diagnoses[0].cause).toBe('teammate_api_access_disabled');
    expect(diagnosis.stdout).toContain('Marco Rossi');

    const audit = await runCli(['audit', '--tenant', 'globex'], { env });
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/is OFF for 2:\n {2}- Marco Rossi <marco\.rossi@globex\.example>\n {2}- Lena Fischer/);
    expectNoToken(audit, token);

    const log = await runCli(['activity', '--tenant', 'globex'], { env });
    expect(log.stdout).toMatch(/tenant\.add/);
    expect(log.stdout).toMatch(/ diagnose {2}tenant=globex target=cnv_zq3ab11 cause=teammate_api_access_disabled/);
    expect(log.stdout).toMatch(/ audit {2}tenant=globex 2 teammate\(s\) with the preference off/);
    expectNoToken(log, token);
  });

  test('a revoked token is refused and not stored', async () => {
    const add = await runCli(['tenants', 'add', 'revoked'], { env, stdin: sandbox.tokens.acme_revoked });
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/refused by Front \(401/);
    const list = await runCli(['tenants', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout).tenants.map((t: { name: string }) => t.name)).not.toContain('revoked');
  });

  test('a very short token is refused and kept out of the output without mangling the words around it', async () => {
    const add = await runCli(['tenants', 'add', 'short'], { env, stdin: 'tok\n' });
    expect(add.code).toBe(1);
    expect(add.stderr).toContain('Not stored. Fix the token, or pass --force to store it unchecked.');
    expect(add.stderr).not.toMatch(/\btok\b/);
  });

  test('without an encryption key the store refuses to open, naming the variable', async () => {
    const result = await runCli(['tenants', 'list'], { env: { ...env, FRONT_WHY_ENCRYPTION_KEY: '' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/FRONT_WHY_ENCRYPTION_KEY/);
  });
});

describe('front-why audit', () => {
  test('lists exactly the teammates whose preference is off', async () => {
    const token = sandbox.tokens.acme_private;
    const result = await runCli(['audit', '--json'], { env: { ...env, FRONT_API_TOKEN: token } });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      token: { valid: boolean; companyName: string };
      teammates: { preferenceOff: { label: string }[]; total: number };
    };
    expect(report.token).toMatchObject({ valid: true, companyName: 'Acme Support' });
    expect(report.teammates.preferenceOff.map((t) => t.label).sort()).toEqual([
      'Bruno Keller <bruno.keller@acme.example>',
      'Dmitri Ivanov <dmitri.ivanov@acme.example>',
    ]);
    expectNoToken(result, token);
  });

  test('a revoked token: invalid, no teammate sweep', async () => {
    const result = await runCli(['audit'], { env: { ...env, FRONT_API_TOKEN: sandbox.tokens.acme_revoked } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/refused by Front \(401/);
  });
});
