import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { STATUSES } from '../../src/api/openapi';
import { startHarness, type Harness } from '../slack/helpers/harness';
import { createKey } from './helpers';

/** The README's "Send failures from your integration" examples, run as written against the running app. */

const README = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
const SECTION = README.slice(
  README.indexOf('## Send failures from your integration'),
  README.indexOf('\n## ', README.indexOf('## Send failures from your integration') + 3),
);
const block = (lang: string): string => {
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(SECTION);
  if (!match?.[1]) throw new Error(`no ${lang} block in the section`);
  return match[1];
};

let h: Harness;
let env: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.store.addTenant({ name: 'acme', token: h.sandbox.tokens.acme_private, addedBy: 'test' });
  env = { FRONT_WHY_URL: h.url, FRONT_WHY_API_KEY: await createKey(h.env, ['readme', '--tenant', 'acme']) };
});

afterAll(async () => {
  await h?.close();
});

test('the curl example gets the seed case diagnosed', async () => {
  const curl = block('sh').slice(block('sh').indexOf('curl '));
  const { stdout } = await promisify(execFile)('bash', ['-c', curl], { env: { ...process.env, ...env } });
  const answer = JSON.parse(stdout) as { fingerprint: string; diagnoses: { cause: string }[] };
  expect(answer.diagnoses[0]?.cause).toBe('teammate_api_access_disabled');
  expect(answer.fingerprint).toMatch(/^f[0-9a-f]{16}$/);
});

test('the Node (undici) example gets the seed case diagnosed', async () => {
  const printed = await new Promise<unknown[]>((resolve, reject) => {
    const run = new Function('require', 'process', 'console', block('js')) as (...args: unknown[]) => void;
    const fakeConsole = { log: (...args: unknown[]) => resolve(args), error: reject };
    process.once('unhandledRejection', reject);
    run(require, { env }, fakeConsole);
  });
  expect(printed[0]).toMatch(/^f[0-9a-f]{16}$/);
  expect(String(printed[1])).toContain('Bruno Keller');
});

test('the status table says what the OpenAPI document says, status by status', () => {
  const rows = [...SECTION.matchAll(/^\| `(\d{3})` \| (.*) \|$/gm)].map((m) => [m[1], m[2]]);
  expect(Object.fromEntries(rows)).toEqual(STATUSES);
});
