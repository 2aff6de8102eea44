import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers';

const ORIGINAL =
  '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';

describe('front-why explain', () => {
  test('--json prints exactly one object with both possible causes, the likelier first', async () => {
    const result = await runCli(['explain', '--json', ORIGINAL]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      diagnoses: {
        cause: string;
        status: string;
        headline: string;
        steps: Record<string, string[]>;
        decidedBy: string[];
      }[];
    };
    const causes = report.diagnoses.map((d) => d.cause);
    expect(causes[0]).toBe('teammate_api_access_disabled');
    expect(causes).toContain('token_missing_private_scope');
    expect(report.diagnoses[0]?.status).toBe('possible');
    expect(report.diagnoses[0]?.decidedBy.length).toBeGreaterThan(0);
    expect(report.diagnoses[0]?.steps.admin?.join(' ')).toMatch(/Company settings/);
  });

  test('reads the paste from stdin and prints a readable reply', async () => {
    const result = await runCli(['explain'], {
      stdin: `requests.exceptions.HTTPError: 403 Client Error: Forbidden\n${ORIGINAL}\n`,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Possible cause/);
    expect(result.stdout).toMatch(/Allow access to my individual resources via the API/);
  });

  test('a successful response is not an error: empty list', async () => {
    const result = await runCli([
      'explain',
      '--json',
      '{"_links":{"self":"https://acme.api.frontapp.com/conversations/cnv_1"},"id":"cnv_1","subject":"Refund error","status":"archived"}',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ diagnoses: [] });
  });

  test('a paste over 64 KiB gets a one-line refusal, not a crash', async () => {
    const result = await runCli(['explain'], { stdin: 'x'.repeat(70 * 1024) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/64 KiB/);
  });

  test('bad usage exits non-zero with a one-line reason and the usage', async () => {
    const result = await runCli(['explain', '--bogus', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bogus/);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });
});

describe('front-why rules', () => {
  test('lint and test pass on the bundled rules', async () => {
    const lint = await runCli(['rules', 'lint']);
    expect(lint.stderr).toBe('');
    expect(lint.code).toBe(0);
    const examples = await runCli(['rules', 'test']);
    expect(examples.stderr).toBe('');
    expect(examples.stdout).toMatch(/\d+ passed, 0 failed/);
    expect(examples.code).toBe(0);
  });

  test('a broken rule file is reported as file:line:col rule=<id> and fails', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-rules-'));
    fs.copyFileSync(
      path.join(__dirname, '../../rules/resource-not-found.yml'),
      path.join(dir, 'resource-not-found.yml'),
    );
    fs.writeFileSync(path.join(dir, 'broken.yml'), 'id: broken\ncause: not_a_cause\n');
    const result = await runCli(['rules', 'lint'], { env: { FRONT_WHY_RULES_DIR: dir } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.yml:\d+:\d+ rule=broken: /);
    // explain refuses to run on a half-valid rule set rather than silently dropping the broken rule.
    const explain = await runCli(['explain', ORIGINAL], { env: { FRONT_WHY_RULES_DIR: dir } });
    expect(explain.code).toBe(1);
    expect(explain.stderr).toMatch(/broken\.yml/);
  });

  test('facts lists every fact path', async () => {
    const result = await runCli(['rules', 'facts']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/owner\.private_access/);
    expect(result.stdout).toMatch(/error\.status/);
  });
});
