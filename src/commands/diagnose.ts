import { loadConfig, ruleCacheDir } from '../config';
import { diagnose } from '../diagnosis';
import { loadRulesOrThrow } from '../rules';
import { printOutcome, textFrom } from './explain';
import { parseCommandArgs, type CliIo } from './io';
import { recordProbeRun, openConnection } from './live-token';
import { usageOf } from './help';
import { recordCliUnknowns } from './unknown-wordings';
import { checkingWhat, requestCount, startProgress } from './progress';

export const DIAGNOSE_USAGE = usageOf('diagnose');

/** `front-why diagnose`: the paste plus live checks with the customer's token. */
export async function diagnoseCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, DIAGNOSE_USAGE, {
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    tenant: { type: 'string' },
  });
  const config = loadConfig(io.env);
  const rules = loadRulesOrThrow(config.FRONT_WHY_RULES_DIR, { cacheDir: ruleCacheDir(io.env) });
  const text = await textFrom(positionals, io);
  const requests = requestCount();
  const { connection, label, tenant } = await openConnection(config, io.env, { tenant: values.tenant }, io.secrets, {
    onFrontAttempt: requests.onFrontAttempt,
  });
  const progress = startProgress(io.stderr);
  progress.show(() => `checking ${checkingWhat(text)} with ${label}: ${requests.text()}…`);
  try {
    const outcome = await diagnose(text, { rules, live: connection.live }).finally(progress.end);
    if (outcome.ok) {
      await recordProbeRun(config, io.env, {
        tenant,
        action: 'diagnose',
        target: outcome.targets.join(' ') || undefined,
        cause: outcome.diagnoses[0]?.cause,
      });
    }
    await recordCliUnknowns(config, io, outcome, tenant ?? 'default');
    if (!values.json && outcome.ok) {
      io.stderr.write(
        `Checked live with ${label} (${connection.maskedToken}) against ${config.FRONT_API_BASE_URL}: ${outcome.calls} request(s) to Front.\n\n`,
      );
    }
    return printOutcome(outcome, io, { json: values.json === true, verbose: values.verbose === true, tenant });
  } finally {
    await connection.close();
  }
}
