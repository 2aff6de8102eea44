import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  NO_FAULTS,
  PLAN_RATE_LIMITS,
  SANDBOX_SCENARIOS,
  startSandbox,
  type Sandbox,
  type SandboxScenario,
  type TokenName,
} from '../src/sandbox';
import { TOKEN_DEFS } from '../src/sandbox/tokens';
import { Keyring, openStore } from '../src/store';
import { BIN, ROOT } from './serve-process';

/**
 * What one diagnosis costs the customer in Front requests, counted at the sandbox: the CLI's `diagnose` in a process
 * of its own, with a stored tenant (SQLite), as an agent runs it. Cold (nothing known about the tenant), then right
 * after an `audit` of that tenant in the same store; and, when the sandbox has one, for a company too big to sweep.
 */

/** The seed case: the community report the project started from. */
export const SEED_SCENARIO = 'original_report';
/** A company at least this big cannot be swept within a tenth of any plan's per-minute limit. */
export const BIG_COMPANY_TEAMMATES = 200;

export interface DiagnosisRequests {
  /** Requests the sandbox received with the tenant's token during the command. */
  requests: number;
  /** Of which per-teammate checks (`/teammates/{id}/…`): the preference sweep or its confirmations. */
  teammateChecks: number;
  /** Every request as sent ("GET /me"), counted. */
  byRequest: Record<string, number>;
  /** The first diagnosis's cause. */
  cause: string | undefined;
  /** How the answer names the owner: a teammate, candidates, or nothing. */
  owner: OwnerShown;
  /** The company's plan limit per minute, and the share of it this diagnosis took. */
  limitPerMinute: number;
  sharePercent: number;
}

/** how is "none" when the answer does not speak of an owner at all. */
export type OwnerShown =
  | { named: true; how: string; name: string }
  | { named: false; how: string; candidates?: number; checked?: number; total?: number };

export interface BigCompanyFigures {
  measurable: boolean;
  /** Why not, when not measurable. */
  reason?: string;
  company?: string;
  teammates?: number;
  scenario?: string;
  firstAnswer?: DiagnosisRequests;
}

export interface FrontRequestFigures {
  scenario: string;
  cold: DiagnosisRequests;
  /** Requests the audit itself took (every teammate's preference). */
  auditRequests: number;
  afterAudit: DiagnosisRequests;
  bigCompany: BigCompanyFigures;
}

export async function benchFrontRequests(): Promise<FrontRequestFigures> {
  const sandbox = await startSandbox({ port: 0 });
  const dir = mkdtempSync(path.join(tmpdir(), 'front-why-bench-requests-'));
  try {
    const seed = scenarioNamed(SEED_SCENARIO);
    const cli = await cliWithTenants(sandbox, dir, [{ name: 'seed', token: seed.tokenName }]);
    const cold = await diagnoseCounted(sandbox, cli, seed, 'seed');
    const audit = await counted(sandbox, seed.tokenName, () => cli(['audit', '--tenant', 'seed', '--json']));
    const afterAudit = await diagnoseCounted(sandbox, cli, seed, 'seed');
    return {
      scenario: seed.name,
      cold,
      auditRequests: audit.requests,
      afterAudit,
      bigCompany: await benchBigCompany(sandbox, dir),
    };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchBigCompany(sandbox: Sandbox, dir: string): Promise<BigCompanyFigures> {
  const big = Object.entries(sandbox.companies).find(([, c]) => c.teammates.length >= BIG_COMPANY_TEAMMATES);
  if (!big)
    return {
      measurable: false,
      reason: `the sandbox has no ${BIG_COMPANY_TEAMMATES}-teammate company`,
    };
  const [company, seed] = big;
  const tokens = new Set<string>(TOKEN_DEFS.filter((t) => t.company === company).map((t) => t.name));
  const scenario = SANDBOX_SCENARIOS.find((s) => tokens.has(s.tokenName));
  if (!scenario)
    return {
      measurable: false,
      reason: `the sandbox's ${seed.teammates.length}-teammate company (${company}) has no scenario to diagnose`,
      company,
      teammates: seed.teammates.length,
    };
  const cli = await cliWithTenants(sandbox, dir, [{ name: 'big', token: scenario.tokenName }]);
  return {
    measurable: true,
    company,
    teammates: seed.teammates.length,
    scenario: scenario.name,
    firstAnswer: await diagnoseCounted(sandbox, cli, scenario, 'big'),
  };
}

type Cli = (args: string[]) => Promise<string>;

/** A SQLite store of its own with `tenants`, and a runner of `bin/front-why.js` against it and the sandbox. */
async function cliWithTenants(sandbox: Sandbox, dir: string, tenants: { name: string; token: TokenName }[]) {
  const key = randomBytes(32).toString('base64');
  const db = path.join(mkdtempSync(path.join(dir, 'store-')), 'front-why.db');
  const store = await openStore(db, Keyring.parse(key));
  try {
    for (const t of tenants) await store.addTenant({ name: t.name, token: sandbox.tokens[t.token], addedBy: 'bench' });
  } finally {
    await store.close();
  }
  const env = {
    PATH: process.env.PATH ?? '',
    FRONT_API_BASE_URL: sandbox.url,
    FRONT_WHY_DB: db,
    FRONT_WHY_ENCRYPTION_KEY: key,
  };
  const cli: Cli = (args) => runCli(args, env);
  return cli;
}

function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      // diagnose and audit exit 1 for a finding; 2 and above is a usage or set-up error.
      if (code !== null && code <= 1) resolve(out);
      else reject(new Error(`front-why ${args[0]} exited ${code}:\n${err.slice(-2_000)}`));
    });
  });
}

/** Runs `work` in a fresh minute of the plans' own limits and counts what the sandbox received with `token`. */
async function counted<T>(sandbox: Sandbox, token: TokenName, work: () => Promise<T>) {
  sandbox.setFaults({ ...NO_FAULTS });
  sandbox.resetRateLimits();
  sandbox.resetStats();
  const result = await work();
  const stats = sandbox.stats();
  return { result, requests: stats.byToken[token] ?? 0, byRequest: stats.byRequest };
}

async function diagnoseCounted(
  sandbox: Sandbox,
  cli: Cli,
  scenario: SandboxScenario,
  tenant: string,
): Promise<DiagnosisRequests> {
  const { result, requests, byRequest } = await counted(sandbox, scenario.tokenName, () =>
    cli(['diagnose', scenario.input, '--tenant', tenant, '--json']),
  );
  const first = (JSON.parse(result) as { diagnoses?: AnswerDiagnosis[] }).diagnoses?.[0];
  const company = TOKEN_DEFS.find((t) => t.name === scenario.tokenName)?.company;
  const plan = company ? sandbox.companies[company].plan : undefined;
  const limitPerMinute = plan ? PLAN_RATE_LIMITS[plan] : Number.NaN;
  return {
    requests,
    teammateChecks: Object.entries(byRequest)
      .filter(([request]) => /^\S+ \/teammates\/[^/?]+\//.test(request))
      .reduce((sum, [, n]) => sum + n, 0),
    byRequest,
    cause: first?.cause,
    owner: ownerShown(first?.owner),
    limitPerMinute,
    sharePercent: Math.round((requests / limitPerMinute) * 1000) / 10,
  };
}

interface AnswerDiagnosis {
  cause?: string;
  owner?: { how?: string; name?: string; candidates?: string[]; checked?: number; total?: number } | null;
}

function ownerShown(owner: AnswerDiagnosis['owner']): OwnerShown {
  if (!owner?.how) return { named: false, how: 'none' };
  if (owner.name) return { named: true, how: owner.how, name: owner.name };
  return {
    named: false,
    how: owner.how,
    candidates: owner.candidates?.length,
    checked: owner.checked,
    total: owner.total,
  };
}

function scenarioNamed(name: string): SandboxScenario {
  const scenario = SANDBOX_SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`the sandbox has no scenario ${name}`);
  return scenario;
}

/**
 * The owner is named as far as Front can tell when the answer names them, or, with several teammates off, names every
 * one of them from a company whose every teammate is known: a teammate with the preference off has every private
 * resource refused, so nothing a token can read tells which of them owns the conversation.
 */
export function namedAsFarAsFrontTells(owner: OwnerShown): boolean {
  return owner.named || owner.how === 'candidates';
}
export const OWNER_NAMED_OR_ALL_OFF = 'with several teammates off, all of them, each confirmed live';

/**
 * "named (inbox-owner)", "one of the 2 with it off, all named, 5 of 5 checked live", "not named yet: 2 of 5 checked (1 found
 * with it off so far), the rest left to the background sweep (Slack) or an audit", "not named".
 */
export function describeOwner(owner: OwnerShown): string {
  if (owner.named) return `named (${owner.how})`;
  if (owner.how === 'none') return 'not named';
  if (owner.how === 'unfinished')
    return `not named yet: ${owner.checked ?? 0} of ${owner.total ?? '?'} checked${
      owner.candidates ? ` (${owner.candidates} found with it off so far)` : ''
    }, the rest left to the background sweep (Slack) or an audit`;
  const checked = owner.checked !== undefined ? `, ${owner.checked} of ${owner.total} checked live` : '';
  return owner.candidates !== undefined
    ? `one of the ${owner.candidates} with it off, all named${checked}`
    : `not named (${owner.how}${checked})`;
}

export function formatFrontRequests(f: FrontRequestFigures): string {
  const line = (what: string, d: DiagnosisRequests) =>
    `${what}: ${d.requests} requests (${d.teammateChecks} teammate checks), ${d.sharePercent}% of ${d.limitPerMinute}/min; cause ${d.cause ?? '-'}; owner ${describeOwner(d.owner)}`;
  const big = f.bigCompany;
  return [
    `Front requests of \`front-why diagnose\` (a process of its own, stored tenant, SQLite) for ${f.scenario}, counted at the sandbox:`,
    line('cold', f.cold),
    `\`front-why audit\` of the tenant: ${f.auditRequests} requests`,
    line('right after the audit', f.afterAudit),
    big.firstAnswer
      ? line(`${big.teammates}-teammate company (${big.scenario}), first answer`, big.firstAnswer)
      : `${BIG_COMPANY_TEAMMATES}-teammate company: not measurable yet: ${big.reason}`,
  ].join('\n');
}
