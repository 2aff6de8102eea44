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

  test('prints the first screen by default: the likeliest cause and its steps, other causes in one line', async () => {
    const result = await runCli(['explain', ORIGINAL]);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^1\. Possible cause: The teammate who owns cnv_yo1kg5q has "Allow access/);
    expect(out).toMatch(/^ {3}Support agent:\n {5}1\. /m);
    expect(out).toMatch(/^ {3}Customer's admin:\n {5}1\. .*Company settings/m);
    expect(out).toMatch(/^Also found:\n {3}2\. Possible cause: .*\[token_missing_private_scope\]$/m);
    expect(out).toContain('(--verbose adds why, the checks that decided and links)');
    // The second cause's steps, the reasoning and the links wait for --verbose.
    expect(out.match(/Support agent:/g)).toHaveLength(1);
    for (const hidden of ['Why:', 'What would decide it:', 'Links:', 'https://help.front.com', 'error.status'])
      expect(out).not.toContain(hidden);
  });

  test('--verbose prints every cause in full: steps, what would decide it, why and links', async () => {
    const result = await runCli(['explain', '--verbose', ORIGINAL]);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^1\. Possible cause: /m);
    expect(out).toMatch(/^2\. Possible cause: /m);
    expect(out.match(/Support agent:/g)).toHaveLength(2);
    expect(out).toMatch(
      /^ {3}\[teammate_api_access_disabled · rule teammate-api-access-disabled · confidence medium · cnv_yo1kg5q\]$/m,
    );
    expect(out).toContain('   What would decide it:\n     - ');
    expect(out).toContain('   Why:\n     ');
    expect(out).toContain('   Links:\n     - Front help');
    // The paste is not echoed back as evidence; offline there are no live checks to list.
    expect(out).not.toContain('error.status');
    expect(out).not.toContain('What decided it');
    expect((await runCli(['explain', '-v', ORIGINAL])).stdout).toBe(out);
  });

  test.each(['msg_1q15qmtq', 'tag_3b0c1', 'rsp_16yc', 'https://app.frontapp.com/open/msg_1q15qmtq'])(
    'a bare %s is a target to check live, said as for a bare conversation ID',
    async (input) => {
      const id = /[a-z]{3}_[0-9a-z]+$/.exec(input)?.[0] ?? '';
      const result = await runCli(['explain', input]);
      const conversation = await runCli(['explain', 'cnv_yo1kg5q']);
      expect([result.code, result.stdout]).toEqual([0, conversation.stdout.replace('cnv_yo1kg5q', id)]);
      expect(result.stdout).toContain(`To check ${id} live, run \`front-why diagnose\``);
    },
  );

  test('an input with no error and no ID says there is nothing to diagnose, naming more than conversations', async () => {
    const result = await runCli(['explain', 'msg_']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/nothing to diagnose/);
    expect(result.stdout).toMatch(/msg_…/);
    expect(result.stdout).not.toMatch(/conversation ID found/);
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

  test('a refused paste is told its real size, not the part that was read', async () => {
    const result = await runCli(['explain'], { stdin: 'x'.repeat(2 * 1024 * 1024) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('That paste is 2.0 MiB, over the 64 KiB limit');
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

  test('lint lists every error of every file at once: rule files, tests and fixtures, over the built-in rules', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-rules-'));
    // A new cause that forgets to say whether the customer can fix it.
    fs.writeFileSync(
      path.join(dir, 'acme-proxy-blocked.yml'),
      "id: acme-proxy-blocked\npriority: 90\nconfidence: high\nwhen: { fact: error.status, equals: 403 }\nheadline: 'Blocked'\nwhy: w\nsteps: { agent: [a] }\n",
    );
    fs.writeFileSync(path.join(dir, 'acme-proxy-blocked.test.yml'), '- pasted: conversation-403\n');
    // A built-in rule replaced by a copy whose test names a fact set that does not exist.
    fs.copyFileSync(
      path.join(__dirname, '../../rules/conversation-merged.yml'),
      path.join(dir, 'conversation-merged.yml'),
    );
    fs.writeFileSync(
      path.join(dir, 'conversation-merged.test.yml'),
      '- pasted: conversation-403\n  with: [no-such-set]\n  expect: none\n',
    );
    // A test file for no rule at all.
    fs.writeFileSync(path.join(dir, 'acme-gone.test.yml'), '- pasted: conversation-403\n');
    const result = await runCli(['rules', 'lint'], { env: { FRONT_WHY_RULES_DIR: dir } });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      `${dir}/acme-proxy-blocked.yml:1:1 rule=acme-proxy-blocked: missing required key "customer_can_fix": true when the customer can fix the cause on their side (the answer then offers "Watch until fixed"), false otherwise`,
      expect.stringMatching(new RegExp(`^${dir}/acme-gone\\.test\\.yml:1:1: no rule "acme-gone" for these tests`)),
      expect.stringMatching(
        new RegExp(
          `^${dir}/conversation-merged\\.test\\.yml:2:\\d+ rule=conversation-merged: no shared fact set "no-such-set"`,
        ),
      ),
      expect.stringMatching(/^3 error\(s\) in rules \+ /),
    ]);
  });

  test('facts lists every fact path', async () => {
    const result = await runCli(['rules', 'facts']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/owner\.private_access/);
    expect(result.stdout).toMatch(/error\.status/);
  });
});
