import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { BUILT_IN_RULES } from '../../src/config';
import { loadRulesOrThrow, ruleFilesText } from '../../src/rules';
import { runCli } from './helpers';

/**
 * Learning from what no rule knows, as an operator meets it: `explain` and `diagnose` count the wordings only the
 * `unknown` rule answered in the store (no encryption key needed), `unknowns` lists them, and `rules draft` turns
 * one into a rule that `rules lint` and `rules test` accept as drafted.
 */

const REPO_RULES = path.join(__dirname, '../../rules');
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1bmtub3ducy10ZXN0IiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLW9mLXRoZS10ZXN0LXRva2Vu';
const EMAIL = 'bo.kim@acme.example';

/** A Front error no rule explains; the conversation ID and the lock time vary from one paste to the next. */
const lockedPaste = (cnv: string, until: number, extra = '') =>
  JSON.stringify({
    _error: { status: 409, title: 'Conflict', message: `Conversation ${cnv} is locked until ${until}${extra}` },
  });

let dir: string;
let env: Record<string, string>;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-unknowns-'));
  // No FRONT_WHY_ENCRYPTION_KEY: the unknown wordings hold no secret, so nothing here may ask for it.
  env = { FRONT_WHY_DB: path.join(dir, 'front-why.db') };
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Listed {
  id: string;
  template: string;
  status: number | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  tenants: string[];
}

async function listed(args: string[] = []): Promise<Listed[]> {
  const result = await runCli(['unknowns', '--json', ...args], { env });
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return (JSON.parse(result.stdout) as { unknowns: Listed[] }).unknowns;
}

describe('front-why unknowns', () => {
  test('explain counts one wording for pastes that differ only in IDs and numbers, most frequent first', async () => {
    for (const [cnv, until] of [
      ['cnv_abc123', 1712345678],
      ['cnv_9zz1', 1700000000],
    ] as const) {
      const result = await runCli(['explain', lockedPaste(cnv, until)], { env });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain('No rule explains this Front error yet');
    }
    const other = JSON.stringify({ _error: { status: 418, title: 'Teapot', message: 'Short and stout' } });
    expect((await runCli(['explain', other], { env })).code).toBe(0);
    // A paste a rule explains is not an unknown wording.
    const known = JSON.stringify({ _error: { status: 400, message: 'Unexpected token } in JSON at position 57' } });
    expect((await runCli(['explain', known], { env })).code).toBe(0);

    const wordings = await listed();
    expect(wordings.map((w) => [w.template, w.status, w.count, w.tenants])).toEqual([
      ['Conversation <id> is locked until <n>', 409, 2, []],
      ['Short and stout', 418, 1, []],
    ]);
    expect(wordings[0]?.id).toMatch(/^u[0-9a-f]{12}$/);

    const text = await runCli(['unknowns', '--since', '7d'], { env });
    expect(text).toMatchObject({ code: 0, stderr: '' });
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID +COUNT +STATUS +LAST SEEN \(UTC\) +TENANTS +WORDING$/);
    expect(lines[1]).toMatch(new RegExp(`^${wordings[0]!.id} +2 +409 .* Conversation <id> is locked until <n>$`));
    expect(text.stdout).toContain('front-why rules draft ID');
    expect(await listed(['--since', '2999-01-01'])).toEqual([]);
  });

  test('a paste with a token and an email address leaves neither in the store nor in what unknowns prints', async () => {
    const paste = lockedPaste('cnv_abc123', 1712345678, ` for ${EMAIL} (Authorization: Bearer ${JWT})`);
    expect(await runCli(['explain', paste], { env })).toMatchObject({ code: 0 });
    const [wording] = await listed();
    expect(wording?.template).toMatch(
      /^Conversation <id> is locked until <n> for <email> \(Authorization: Bearer \[redacted/,
    );
    const text = await runCli(['unknowns'], { env });
    for (const output of [text.stdout, text.stderr, JSON.stringify(wording)]) {
      expect(output).not.toContain(EMAIL);
      expect(output).not.toContain(JWT.split('.')[2]);
      expect(output).not.toContain('acme.example');
    }
    const database = Buffer.concat(fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f))));
    expect(database.includes(JWT.split('.')[2]!)).toBe(false);
    expect(database.includes(EMAIL)).toBe(false);
    expect(database.includes('Conversation <id> is locked')).toBe(true);
  });

  test('explain leaves no database behind when no store is configured', async () => {
    const result = await runCli(['explain', lockedPaste('cnv_abc123', 1)], { env: {}, cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(fs.readdirSync(dir)).toEqual([]);
    // Nor does `unknowns`, which says where it looked instead of answering "none".
    const unknowns = await runCli(['unknowns', '--json'], { env: {}, cwd: dir });
    expect(unknowns).toMatchObject({ code: 1, stdout: '' });
    expect(unknowns.stderr).toContain('there is no database at ./data/front-why.db');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('bad usage exits 2 with the usage line', async () => {
    for (const args of [['--since', 'yesterday'], ['--limit', '0'], ['--bogus'], ['extra']]) {
      const result = await runCli(['unknowns', ...args], { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('front-why unknowns --help');
    }
  });
});

describe('front-why diagnose', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 10_000 } });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  test('records the wording with the tenant it ran for ("default" for FRONT_API_TOKEN)', async () => {
    const live = { ...env, FRONT_API_BASE_URL: sandbox.url, FRONT_API_TOKEN: sandbox.tokens.acme_private };
    const paste = JSON.stringify({ _error: { status: 409, title: 'Conflict', message: 'Import 77 is locked' } });
    const result = await runCli(['diagnose', '--json', paste], { env: live });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { diagnoses: { cause: string }[] }).diagnoses.map((d) => d.cause)).toContain(
      'unknown',
    );
    expect((await listed()).map((w) => [w.template, w.tenants])).toEqual([['Import <n> is locked', ['default']]]);
  });
});

describe('front-why rules draft', () => {
  let rulesDir: string;
  beforeEach(() => {
    // The operator's rules folder: a copy of the packaged rules.
    rulesDir = path.join(dir, 'rules');
    fs.cpSync(REPO_RULES, rulesDir, { recursive: true });
    env = { ...env, FRONT_WHY_RULES_DIR: rulesDir };
  });

  async function seenWording(): Promise<Listed> {
    expect((await runCli(['explain', lockedPaste('cnv_abc123', 1712345678)], { env })).code).toBe(0);
    return (await listed())[0]!;
  }

  test('drafts a rule and its test into the rules folder that pass rules lint and rules test as drafted', async () => {
    const wording = await seenWording();
    const result = await runCli(['rules', 'draft', wording.id, '--cause', 'conversation-merged'], { env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const draftDir = path.join(rulesDir, 'drafts', wording.id);
    expect(fs.readdirSync(draftDir).sort()).toEqual(['conversation-merged.test.yml', 'conversation-merged.yml']);
    const rule = fs.readFileSync(path.join(draftDir, 'conversation-merged.yml'), 'utf8');
    expect(rule).toContain(`front-why rules draft ${wording.id}`);
    expect(rule).toContain('{ fact: error.status, equals: 409 }');
    expect(result.stdout).toContain(`FRONT_WHY_RULES_DIR=${draftDir} front-why rules test`);

    // The drafts folder loads over the built-in rules: its conversation-merged.yml (and test) take the place of theirs.
    const draftEnv = { ...env, FRONT_WHY_RULES_DIR: draftDir };
    const builtIn = ruleFilesText(loadRulesOrThrow(BUILT_IN_RULES));
    const lint = await runCli(['rules', 'lint'], { env: draftEnv });
    expect(lint.code).toBe(0);
    expect(lint.stdout).toMatch(
      new RegExp(`^${builtIn} \\(one cause each\\) and their \\d+ tests OK in \\S+ \\+ ${draftDir}\n$`),
    );
    const tested = await runCli(['rules', 'test'], { env: draftEnv });
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(new RegExp(`^\\d+ passed, 0 failed \\(${builtIn}\\)\n$`));
    // The drafted condition matches the wording with other IDs and numbers, and nothing else.
    const explained = await runCli(['explain', '--json', lockedPaste('cnv_q1', 42)], { env: draftEnv });
    expect(JSON.parse(explained.stdout).diagnoses.map((d: { rule: string }) => d.rule)).toEqual([
      'conversation-merged',
    ]);
    // The rules in force are untouched: the drafts folder is not loaded.
    expect((await runCli(['rules', 'lint'], { env })).code).toBe(0);
    expect((await runCli(['explain', lockedPaste('cnv_q1', 42)], { env })).stdout).toContain('No rule explains');
  });

  test('picks the cause from the status, writes into --out, and never overwrites', async () => {
    const paste = JSON.stringify({
      _error: { status: 403, title: 'Forbidden', message: 'Seat 12 lacks the Reporting add-on' },
    });
    expect((await runCli(['explain', paste], { env })).code).toBe(0);
    const wording = (await listed())[0]!;
    const out = path.join(dir, 'drafted');
    expect((await runCli(['rules', 'draft', wording.id, '--out', out], { env })).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['token-missing-permission.test.yml', 'token-missing-permission.yml']);
    expect((await runCli(['rules', 'lint'], { env: { ...env, FRONT_WHY_RULES_DIR: out } })).code).toBe(0);
    const again = await runCli(['rules', 'draft', wording.id, '--out', out], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exist');
  });

  test('says what is wrong: no such wording (1), a bad id, a bad cause or a status with no usual cause (2)', async () => {
    const wording = await seenWording();
    expect(await runCli(['rules', 'draft', 'u000000000000'], { env })).toMatchObject({ code: 1 });
    for (const args of [
      [],
      ['cnv_abc'],
      [wording.id, '--cause', 'Bogus cause!'],
      [wording.id, 'extra'],
      [wording.id],
    ]) {
      const result = await runCli(['rules', 'draft', ...args], { env });
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain('front-why rules draft --help');
    }
  });
});
