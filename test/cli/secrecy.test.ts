import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeJwt } from '../front/helpers/jwt';
import { runCli, type RunResult } from './helpers';

// What the CLI prints is checked for the token whole, cut short, and for any 16 characters of its signature.
const TOKEN = makeJwt({
  iss: 'front',
  sub: 'planet_express',
  scopes: ['shared:*', 'private:*'],
  jti: 'CANARYCANARY0002',
});
const SIGNATURE = TOKEN.split('.')[2]!;

function expectNoSecret(result: RunResult, token: string): void {
  const signature = token.split('.')[2]!;
  for (const text of [result.stdout, result.stderr]) {
    expect(text).not.toContain(token.slice(0, -1));
    for (let i = 0; i + 16 <= signature.length; i += 8) expect(text).not.toContain(signature.slice(i, i + 16));
  }
}

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const ESC_OR_BEL = /[\u001b\u0007\u009b]/;

describe('a pasted token is never printed back, glued to other characters or not', () => {
  // Labels, not the values: a test report should not print the token either.
  const gluings: [string, string][] = [
    ['FRONT_TOKEN=<token>', `FRONT_TOKEN=${TOKEN}`],
    ['<token>.', `${TOKEN}.`],
    ['…/<token>', `hooks/${TOKEN}`],
    ['x=<token>;', `x=${TOKEN};`],
    ['"<token>"', `"${TOKEN}"`],
    ['Authorization:Bearer <token>', `Authorization:Bearer ${TOKEN}`],
  ];

  test.each(gluings)('explain and explain --json: %s', async (_label, glued) => {
    const pastes = [
      `401 Unauthorized: ${glued}`,
      `{"_error":{"status":401,"title":"Unauthorized","message":"token rejected: ${glued.replace(/"/g, '\\"')}"}}`,
    ];
    for (const paste of pastes) {
      // --verbose: the text with the why and the evidence, where a quoted paste shows.
      const text = await runCli(['explain', '--verbose', paste]);
      const json = await runCli(['explain', '--json', paste]);
      expect(text.code).toBe(0);
      expect(json.code).toBe(0);
      // The paste is quoted (so the test sees the path that used to leak), with the token cut out.
      const report = JSON.parse(json.stdout) as { diagnoses: { why: string; evidence: unknown[] }[] };
      expect(report.diagnoses.length).toBeGreaterThan(0);
      expect(JSON.stringify(report.diagnoses.map((d) => [d.why, d.evidence]))).toMatch(/Pasted: 401/);
      expect(text.stdout).toMatch(/Pasted: 401/);
      expectNoSecret(text, TOKEN);
      expectNoSecret(json, TOKEN);
    }
  });

  test('terminal control sequences in a paste reach neither stdout nor stderr raw', async () => {
    const paste =
      '{"_error":{"status":403,"title":"Forbi\\u001b]0;owned\\u0007dden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\" \\u001b[2J\\u009b31m"}}';
    for (const args of [
      ['explain', paste],
      ['explain', '--verbose', paste],
      ['explain', '--json', paste],
      ['diagnose', paste],
    ]) {
      const result = await runCli(args);
      expect(result.stdout + result.stderr).not.toMatch(ESC_OR_BEL);
    }
    const text = await runCli(['explain', '--verbose', paste]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/not allowed to read/);
  });
});

/**
 * A Front stand-in that echoes the token it was sent in a changed form, as a broken proxy or a hostile base URL
 * could: JSON-escaped (`\u0065yJ…`, which only the JSON parser turns back into the token), cut short by one
 * character, or only its signature.
 */
type Echo = (token: string) => string;
const ECHOES: [string, Echo][] = [
  ['JSON-escaped', (token) => `\\u0065${token.slice(1)}`],
  ['cut short by one character', (token) => token.slice(0, -1)],
  ['its signature alone', (token) => token.split('.')[2]!],
];

function startEchoingFront(echo: Echo): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    // Built by hand: JSON.stringify would not write the escape.
    const body = `{"_error":{"status":401,"title":"Unauthorized","message":"bad token ${echo(token)}"}}`;
    res.writeHead(401, { 'content-type': 'application/json' }).end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

describe.each(ECHOES)('a token Front echoes back %s is printed by no command', (_name, echo) => {
  let front: { url: string; close: () => Promise<void> };
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    front = await startEchoingFront(echo);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-secrecy-'));
    env = {
      FRONT_API_BASE_URL: front.url,
      FRONT_WHY_DB: path.join(dir, 'front-why.db'),
      FRONT_WHY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    };
  });
  afterAll(async () => {
    await front.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('diagnose --json (FRONT_API_TOKEN)', async () => {
    const result = await runCli(['diagnose', '--json', 'cnv_yo1kg5q'], { env: { ...env, FRONT_API_TOKEN: TOKEN } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bad token');
    expectNoSecret(result, TOKEN);
  });

  test('audit --json (FRONT_API_TOKEN)', async () => {
    const result = await runCli(['audit', '--json'], { env: { ...env, FRONT_API_TOKEN: TOKEN } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('bad token');
    expectNoSecret(result, TOKEN);
  });

  test('tenants add: the refusal on stderr', async () => {
    const result = await runCli(['tenants', 'add', 'planet'], { env, stdin: `${TOKEN}\n` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused by Front \(401 bad token /);
    expectNoSecret(result, TOKEN);
  });

  test('diagnose and audit with a stored tenant (added unchecked with --force)', async () => {
    const added = await runCli(['tenants', 'add', 'stored', '--force'], { env, stdin: `${TOKEN}\n` });
    expect(added.code).toBe(0);
    for (const args of [
      ['diagnose', '--tenant', 'stored', '--json', 'cnv_yo1kg5q'],
      ['diagnose', '--tenant', 'stored', '--verbose', 'cnv_yo1kg5q'],
      ['audit', '--tenant', 'stored'],
    ]) {
      const result = await runCli(args, { env });
      expect(result.stdout + result.stderr).toContain('bad token');
      expectNoSecret(result, TOKEN);
    }
    expectNoSecret(added, TOKEN);
  });
});

test('the signature the tests look for is long enough to mean something', () => {
  expect(SIGNATURE.length).toBeGreaterThanOrEqual(40);
});
