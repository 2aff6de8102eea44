import type { DiagnoseResult } from '../../api/handler';
import { fingerprintOf } from '../../api/fingerprint';
import { callAsPaste } from '../../api/paste';
import type { DiagnoseAnswer, DiagnoseRequest } from '../../api/schemas';
import { diagnoseParsed, type DiagnoseOutcome, type ParseResult } from '../../diagnosis';
import type { ApiKey } from '../../store';
import type { SlackDeps } from '../app/deps';
import { logFailure } from '../send/failure';
import { waitText } from './check-share';
import { countUnknownWordings } from './record-unknowns';
import { diagnoseWithinShare } from './run-diagnosis';
import { DEFAULT_TENANT_LABEL, type ChannelTenant } from './tenant-connections';

/** What a grouped alert needs of an answered call (api-alerts.ts). */
export interface AnsweredCall {
  key: ApiKey;
  tenant: string;
  answer: DiagnoseAnswer;
  outcome: Extract<DiagnoseOutcome, { ok: true }>;
  parsed: Extract<ParseResult, { ok: true }>;
}

/**
 * A call of POST /v1/diagnose, diagnosed as /front-why would diagnose the same paste for the tenant: live with its
 * stored token within the checks' share of its Front limit (so never the customer's reserve, nor more than people's
 * checks may spend), or from the call alone with `live` false. `onAnswer` hears every answer (grouped alerts).
 */
export async function diagnoseForApi(
  deps: SlackDeps,
  request: { key: ApiKey; body: DiagnoseRequest; live: boolean },
  onAnswer: (answered: AnsweredCall) => void,
): Promise<DiagnoseResult> {
  const { key, body, live } = request;
  const parsed = deps.parse('paste' in body ? body.paste : callAsPaste(body));
  if (!parsed.ok) {
    return parsed.reason === 'too_large'
      ? { ok: false, status: 413, code: 'payload_too_large', message: parsed.message }
      : { ok: false, status: 400, code: 'unreadable', message: parsed.message };
  }
  const tenant: Exclude<ChannelTenant, { kind: 'none' }> =
    body.tenant === DEFAULT_TENANT_LABEL && deps.config.FRONT_API_TOKEN
      ? { kind: 'default' }
      : { kind: 'bound', name: body.tenant };
  const missing = {
    ok: false,
    status: 404,
    code: 'not_found',
    message: `there is no tenant named "${body.tenant}"`,
  } as const;
  let outcome: DiagnoseOutcome;
  if (live) {
    const lease = await deps.tenants.lease(tenant);
    if (!lease) return missing;
    let checked;
    try {
      checked = await diagnoseWithinShare(deps, tenant, lease, parsed);
    } finally {
      lease.release();
    }
    if ('wait' in checked) {
      return {
        ok: false,
        status: 429,
        code: 'share_spent',
        message: waitText(checked.wait),
        retryAfterSeconds: Math.max(1, Math.ceil((checked.wait.retryAt - checked.wait.now) / 1000)),
      };
    }
    outcome = checked.outcome;
  } else {
    if (tenant.kind === 'bound' && !(await deps.store.getTenant(tenant.name))) return missing;
    outcome = await diagnoseParsed(parsed, { rules: deps.rules, clock: deps.clock });
  }
  deps.metrics.diagnosed(outcome);
  if (!outcome.ok) return { ok: false, status: 400, code: 'unreadable', message: outcome.message };
  if (outcome.unexplained && outcome.unexplained.length > 0) {
    await countUnknownWordings(deps, outcome.unexplained, body.tenant, new Date(deps.clock())).catch((err: unknown) =>
      logFailure(deps.logger, 'unknown wording write', err, { apiKey: key.name }),
    );
  }
  const answer: DiagnoseAnswer = {
    tenant: body.tenant,
    live: outcome.live,
    calls: outcome.calls,
    fingerprint: fingerprintOf(body.tenant, outcome.diagnoses[0]?.cause ?? 'none', parsed.errors[0]),
    diagnoses: outcome.diagnoses,
  };
  onAnswer({ key, tenant: body.tenant, answer, outcome, parsed });
  return { ok: true, answer };
}
