import { frontPaths, parseFrontId, type FrontResult, type TokenInfo } from '../front';
import {
  answeredStatus,
  frontErrorMessage,
  preferenceFindings,
  readPrivateAccess,
  readTeammates,
  type PrivateAccess,
  type RecordedGet,
  type TeammateSummary,
} from '../probes';
import type { FrontGateway, TeammateMemory } from '../probes';
import { isRecord } from '../is-record';

export interface AuditReport {
  token: {
    /** true: Front accepted it; false: Front refused it (401); undefined: could not tell. */
    valid: boolean | undefined;
    status?: number;
    message?: string;
    companyName?: string;
    kind: TokenInfo['kind'];
    /** undefined: the token carries no scopes claim (permissions are kept by Front). */
    scopes?: string[];
    privateScope?: boolean;
    workspaceIds: string[];
  };
  teammates?: {
    total: number;
    /** "Allow access to my individual resources via the API" is off. */
    preferenceOff: TeammateSummary[];
    allowed: TeammateSummary[];
    /** Another 403: the token itself cannot read private resources. */
    forbidden: TeammateSummary[];
    notChecked: TeammateSummary[];
    /** Listed by Front with an ID that is not a teammate ID: not asked about (so also in `notChecked`); `note` says why. */
    skipped?: (TeammateSummary & { note: string })[];
  };
  /** Why the sweep stopped early, when it did. */
  incomplete?: string;
  calls: number;
}

export interface AuditOptions {
  gateway: FrontGateway;
  token: TokenInfo;
  deadline: number;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** The tenant's teammate map, which every audit brings up to date. */
  teammates?: TeammateMemory;
}

/** The admin's view: is the token good, and whose "individual resources via the API" preference is off. */
export async function runAudit({
  gateway,
  token,
  deadline,
  concurrency = 3,
  onProgress,
  teammates: memory,
}: AuditOptions): Promise<AuditReport> {
  let calls = 0;
  const get: RecordedGet = async (path) => {
    const { result, shared } = await gateway.get(path, { deadline, fresh: true });
    if (!shared) calls += 1;
    return result;
  };

  const me = await get(frontPaths.me(), 'GET /me');
  const report: AuditReport = {
    token: {
      ...meVerdict(me),
      kind: token.kind,
      ...(token.scopes ? { scopes: token.scopes } : {}),
      ...(token.privateScope !== undefined ? { privateScope: token.privateScope } : {}),
      workspaceIds: token.workspaceIds,
    },
    calls: 0,
  };
  if (report.token.valid !== true) {
    report.incomplete =
      report.token.valid === false ? 'Front refused the token' : `could not reach Front (${describe(me)})`;
    report.calls = calls;
    return report;
  }

  const teammates = await readTeammates(get);
  if (!teammates) {
    report.incomplete = 'could not list the teammates (the token may lack teammates:read)';
    report.calls = calls;
    return report;
  }

  // An ID no request path may carry is one teammate the audit cannot ask about, not a reason to stop.
  const skipped: (TeammateSummary & { note: string })[] = [];
  const checkable = teammates.filter((t) => {
    const id = parseFrontId(t.id, 'tea');
    if (!id.ok)
      skipped.push({
        ...t,
        note: `Front listed an ID that is not a teammate ID, so nothing was asked about it: ${id.message}`,
      });
    return id.ok;
  });

  const outcomes = new Map<string, PrivateAccess>();
  let next = 0;
  let stopped: string | undefined;
  const worker = async () => {
    while (next < checkable.length && !stopped) {
      const teammate = checkable[next++];
      if (!teammate) break;
      const access = await readPrivateAccess(get, teammate.id);
      if (access === 'unknown')
        stopped ??=
          'Front stopped answering or the rate-limit reserve was reached; run the audit again later for the rest';
      else outcomes.set(teammate.id, access);
      onProgress?.(outcomes.size, checkable.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));

  const pick = (access: PrivateAccess) => teammates.filter((t) => outcomes.get(t.id) === access);
  report.teammates = {
    total: teammates.length,
    preferenceOff: pick('denied'),
    allowed: pick('allowed'),
    forbidden: pick('forbidden'),
    notChecked: teammates.filter((t) => !outcomes.has(t.id)),
    ...(skipped.length > 0 ? { skipped } : {}),
  };
  if (stopped) report.incomplete = stopped;
  report.calls = calls;
  const found = preferenceFindings(
    checkable.flatMap((teammate) => {
      const access = outcomes.get(teammate.id);
      return access ? [{ teammate, access }] : [];
    }),
  );
  // The map can name an owner by elimination only when it knows every teammate's preference.
  memory?.learnt(found, found.length === teammates.length);
  return report;
}

function meVerdict(result: FrontResult): Pick<AuditReport['token'], 'valid' | 'status' | 'message' | 'companyName'> {
  const status = answeredStatus(result);
  const message = frontErrorMessage(result);
  const companyName =
    result.kind === 'response' && isRecord(result.body) && typeof result.body.name === 'string'
      ? result.body.name
      : undefined;
  const valid = status === 200 ? true : status === 401 ? false : undefined;
  return {
    valid,
    ...(status !== undefined ? { status } : {}),
    ...(message ? { message } : {}),
    ...(companyName ? { companyName } : {}),
  };
}

function describe(result: FrontResult): string {
  return result.kind === 'unreachable' ? result.message : `HTTP ${result.status}`;
}
