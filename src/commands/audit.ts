import { loadConfig } from '../config';
import { runAudit } from '../diagnosis/audit';
import { auditToText } from '../diagnosis/audit-text';
import { parseCommandArgs, UsageError, writeJson, type CliIo } from './io';
import { recordProbeRun, openConnection } from './live-token';
import { usageOf } from './help';
import { requestCount, startProgress } from './progress';

export const AUDIT_USAGE = usageOf('audit');

/** Sweeping a large company takes a while at the customer's rate limit. */
const AUDIT_TIMEOUT_MS = 10 * 60_000;

/** `front-why audit`: the admin's view of a token and of every teammate's API access preference. */
export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, AUDIT_USAGE, {
    json: { type: 'boolean' },
    tenant: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${AUDIT_USAGE}`);
  const config = loadConfig(io.env);
  const requests = requestCount();
  const { connection, label, tenant } = await openConnection(config, io.env, { tenant: values.tenant }, io.secrets, {
    onFrontAttempt: requests.onFrontAttempt,
  });
  const progress = startProgress(io.stderr);
  progress.show(() => `auditing ${label}: reading the token and the teammates, ${requests.text()}…`);
  try {
    const report = await runAudit({
      gateway: connection.gateway,
      token: connection.live.token,
      deadline: Date.now() + AUDIT_TIMEOUT_MS,
      teammates: connection.teammates?.for('audit'),
      onProgress: (done, total) =>
        progress.show(
          () => `auditing ${label}: reading the teammates' preferences (${done} of ${total}), ${requests.text()}…`,
        ),
    }).finally(progress.end);
    const off = report.teammates?.preferenceOff.length;
    await recordProbeRun(config, io.env, {
      tenant,
      action: 'audit',
      detail: off === undefined ? report.incomplete : `${off} teammate(s) with the preference off`,
    });
    if (values.json)
      writeJson(io, {
        token: { masked: connection.maskedToken, ...report.token },
        teammates: report.teammates ?? null,
        incomplete: report.incomplete ?? null,
        calls: report.calls,
      });
    else io.stdout.write(`${auditToText(report, connection.maskedToken)}\n`);
    return report.token.valid === true ? 0 : 1;
  } finally {
    await connection.close();
  }
}
