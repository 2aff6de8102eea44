import { SANDBOX_SCENARIOS } from '../../src/sandbox';
import { runCli } from './helpers';

/** `front-why demo` needs nothing but the package: it starts its own sandbox and diagnoses every scenario. */

test('diagnoses every sandbox scenario as expected, showing the reply an agent would read', async () => {
  const result = await runCli(['demo']);
  // Nothing on stderr but what a scenario taking over a second waits for (the outage's retries on a busy machine).
  const stderrLines = result.stderr.split('\n').filter((line) => line !== '');
  for (const line of stderrLines) expect(line).toMatch(/^diagnosing scenario \d+ of \d+ \(\w+\): .*…$/);
  expect(result.code).toBe(0);
  expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
    `${SANDBOX_SCENARIOS.length} of ${SANDBOX_SCENARIOS.length} scenarios diagnosed as expected.`,
  );
  for (const scenario of SANDBOX_SCENARIOS) expect(result.stdout).toContain(`━━ ${scenario.name} ━━`);
  expect(result.stdout.match(/^✓ expected (\w+), got \1$/gm)).toHaveLength(SANDBOX_SCENARIOS.length);
  expect(result.stdout).not.toMatch(/^✗ expected/m);
  expect(result.stdout).toContain('Bruno Keller');
});

test('--json --only runs one scenario and reports it', async () => {
  const result = await runCli(['demo', '--json', '--only', 'original_report']);
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as {
    scenarios: { scenario: string; expected: string; got: string[]; calls: number; ok: boolean }[];
  };
  expect(report.scenarios).toHaveLength(1);
  expect(report.scenarios[0]).toMatchObject({
    scenario: 'original_report',
    expected: 'teammate_api_access_disabled',
    ok: true,
  });
  expect(report.scenarios[0]?.got[0]).toBe('teammate_api_access_disabled');
  expect(report.scenarios[0]?.calls).toBeGreaterThan(0);
});

test('an unknown scenario is a usage error naming the known ones', async () => {
  const result = await runCli(['demo', '--only', 'nosuch']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('no scenario named "nosuch"; known: original_report,');
  expect(result.stdout).toBe('');
});
