import { loadConfig, ruleCacheDir } from '../config';
import { diagnose, diagnosesToText, type DiagnoseOutcome } from '../diagnosis';
import { connectTenant } from '../diagnosis/live';
import { loadRulesOrThrow, type Rule } from '../rules';
import { NO_FAULTS, SANDBOX_SCENARIOS, startSandbox, type SandboxScenario } from '../sandbox';
import { ownerStillSought } from '../slack/checks/owner-sweeps';
import { watchable } from '../slack/checks/run-diagnosis';
import { renderOutcome } from '../slack/render/blocks';
import { messageAsText } from '../slack/render/as-text';
import { parseCommandArgs, UsageError, writeJson, type CliIo } from './io';
import { usageOf } from './help';
import { requestCount, startProgress, type Progress } from './progress';

export const DEMO_USAGE = usageOf('demo');

/**
 * `front-why demo` (`npm run demo`): starts the local sandbox and diagnoses each of its scenarios the way the
 * bot would, printing the reply an agent would read. Needs no Slack or Front account.
 */
export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, DEMO_USAGE, {
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    only: { type: 'string' },
    slack: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${DEMO_USAGE}`);
  const config = loadConfig(io.env);
  const rules = loadRulesOrThrow(config.FRONT_WHY_RULES_DIR, { cacheDir: ruleCacheDir(io.env) });
  const scenarios = SANDBOX_SCENARIOS.filter((s) => !values.only || s.name === values.only);
  if (scenarios.length === 0)
    throw new UsageError(
      `no scenario named "${values.only}"; known: ${SANDBOX_SCENARIOS.map((s) => s.name).join(', ')}`,
    );

  const sandbox = await startSandbox({ port: 0 });
  const results: { scenario: string; expected: string; got: string[]; calls: number; ok: boolean }[] = [];
  // With --json nothing reaches the terminal until the end, so one line follows the whole run; otherwise each
  // scenario's reply is printed as it comes, and the line follows one scenario at a time.
  const whole: Progress | undefined = values.json ? startProgress(io.stderr) : undefined;
  try {
    for (const [index, scenario] of scenarios.entries()) {
      sandbox.setFaults({ ...NO_FAULTS, ...scenario.faults });
      sandbox.resetRateLimits();
      const requests = requestCount();
      const connection = connectTenant(sandbox.tokens[scenario.tokenName], {
        baseUrl: sandbox.url,
        requestTimeoutMs: 1_500,
        timeoutMs: 4_000,
        maxCalls: config.FRONT_WHY_MAX_CALLS,
        onFrontAttempt: requests.onFrontAttempt,
      });
      const progress = whole ?? startProgress(io.stderr);
      progress.show(
        () => `diagnosing scenario ${index + 1} of ${scenarios.length} (${scenario.name}): ${requests.text()}…`,
      );
      try {
        const outcome = await diagnose(scenario.input, { rules, live: connection.live }).finally(() => {
          if (!whole) progress.end();
        });
        const causes = outcome.ok ? outcome.diagnoses.map((d) => d.cause) : [];
        const ok = causes[0] === scenario.expectedCause;
        const calls = outcome.ok ? outcome.calls : 0;
        results.push({ scenario: scenario.name, expected: scenario.expectedCause, got: causes, calls, ok });
        if (!values.json) {
          io.stdout.write(`━━ ${scenario.name} ━━ ${scenario.description}\n`);
          io.stdout.write(`Agent: /front-why ${oneLine(scenario.input)}\n`);
          io.stdout.write(`(customer token ${connection.maskedToken}, ${calls} request(s) to Front)\n\n`);
          const reply = values.slack
            ? slackReply(outcome, scenario, rules)
            : !outcome.ok
              ? outcome.message
              : outcome.diagnoses.length > 0
                ? diagnosesToText(outcome.diagnoses, { verbose: values.verbose === true })
                : 'No cause found.';
          io.stdout.write(
            `${reply}\n\n${ok ? '✓' : '✗'} expected ${scenario.expectedCause}, got ${causes[0] ?? 'nothing'}\n\n`,
          );
        }
      } finally {
        await connection.close();
      }
    }
  } finally {
    whole?.end();
    await sandbox.close();
  }
  const failed = results.filter((r) => !r.ok).length;
  if (values.json) writeJson(io, { scenarios: results });
  else io.stdout.write(`${results.length - failed} of ${results.length} scenarios diagnosed as expected.\n`);
  return failed === 0 ? 0 : 1;
}

/**
 * The first reply as the agent reads it in Slack, rendered from the same blocks the bot posts (buttons as
 * `[Label]`). The sandbox's tokens are named after their company (`acme_private`), which stands in for the tenant,
 * as if bound to the channel: teammates left unchecked are promised in the thread, as the bot's background sweep does.
 */
function slackReply(outcome: DiagnoseOutcome, scenario: SandboxScenario, rules: readonly Rule[]): string {
  const tenant = scenario.tokenName.split('_')[0] ?? scenario.tokenName;
  const sought = ownerStillSought(outcome);
  const view = {
    tenant,
    buttonValue: scenario.input,
    ...(watchable(outcome, rules) ? { watchable: true } : {}),
    ...(sought ? { ownerFollowUp: sought.left } : {}),
  };
  return renderOutcome(outcome, view).map(messageAsText).join('\n\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}…` : flat;
}
