import path from 'node:path';
import { diagnose, type DiagnoseOutcome, type Diagnosis } from '../../src/diagnosis';
import type { TenantConnection } from '../../src/diagnosis/live';
import { loadRulesOrThrow } from '../../src/rules';
import { NO_FAULTS, PLAN_RATE_LIMITS, SANDBOX_SCENARIOS, type Sandbox, type TokenName } from '../../src/sandbox';
import { okOutcome, useLiveSandbox } from './helpers';

const rules = loadRulesOrThrow(path.join(__dirname, '../../rules'));
const originalReport = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!;
const notAllowed = (id: string): string =>
  `{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"${id}\\""}}`;

let sandbox: Sandbox;
const { connect } = useLiveSandbox((s) => {
  sandbox = s;
});

function live(tokenName: TokenName, maxCalls = 12): TenantConnection['live'] {
  return connect(tokenName, { maxCalls }).live;
}

/**
 * Acme on the Professional plan (100 requests a minute, in Front's headers): one diagnosis may send 10, enough to check
 * all 5 teammates after the 3 requests before them. On Starter it may send 5, and checks 2 (test/diagnosis/teammate-map).
 */
function onProfessional(): void {
  sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: PLAN_RATE_LIMITS.Professional });
}

function diagnosesOf(outcome: DiagnoseOutcome): Diagnosis[] {
  return okOutcome(outcome).diagnoses;
}

describe('the owner of a refused private conversation', () => {
  test('with one teammate off and everyone checked, the headline names them: the owner by elimination', async () => {
    // Dmitri turns his preference on: Bruno Keller is the only teammate left with it off.
    sandbox.setApiAccess('tea_6r55d', true);
    onProfessional();
    try {
      const [first] = diagnosesOf(
        await diagnose(originalReport.input, { rules, live: live(originalReport.tokenName) }),
      );
      expect(first?.cause).toBe('teammate_api_access_disabled');
      expect(first?.headline).toMatch(/^Bruno Keller <bruno\.keller@acme\.example> has "Allow access/);
      expect(first?.headline).toContain('the only one of 5 teammates with it off');
      expect(first?.owner).toEqual({
        how: 'elimination',
        name: 'Bruno Keller <bruno.keller@acme.example>',
        checked: 5,
        total: 5,
      });
      expect(first?.steps.agent.join('\n')).toContain('Who: Bruno Keller');
    } finally {
      sandbox.setApiAccess('tea_6r55d', false);
    }
  });

  test('with two teammates off, both are named as candidates', async () => {
    onProfessional();
    const [first] = diagnosesOf(await diagnose(originalReport.input, { rules, live: live(originalReport.tokenName) }));
    expect(first?.headline).toContain(
      'turned off: one of Bruno Keller <bruno.keller@acme.example>, Dmitri Ivanov <dmitri.ivanov@acme.example> (all 5 teammates checked)',
    );
    expect(first?.owner).toEqual({
      how: 'candidates',
      candidates: ['Bruno Keller <bruno.keller@acme.example>', 'Dmitri Ivanov <dmitri.ivanov@acme.example>'],
      checked: 5,
      total: 5,
    });
  });

  test('a sweep cut short says how many of how many it checked, and names no owner', async () => {
    sandbox.setApiAccess('tea_6r55d', true);
    onProfessional();
    try {
      // Six requests, fewer than the share: one to decide, the list, then private listings until the budget runs out.
      const [first] = diagnosesOf(
        await diagnose(originalReport.input, { rules, live: live(originalReport.tokenName, 6) }),
      );
      // The rest of the company may hold the owner: not named, and what was found so far kept.
      expect(first?.owner?.how).toBe('unfinished');
      expect(first?.owner?.candidates).toEqual(['Bruno Keller <bruno.keller@acme.example>']);
      expect(first?.owner?.total).toBe(5);
      expect(first?.owner?.checked).toBeLessThan(5);
      expect(first?.headline).toMatch(/^The teammate who owns cnv_yo1kg5q has .*; checked \d of 5 teammates\)$/);
    } finally {
      sandbox.setApiAccess('tea_6r55d', false);
    }
  });
});

describe('the possible causes are ranked by what the checks showed', () => {
  test('a complete sweep that read no one: the missing private scope first, the preference less sure', async () => {
    onProfessional();
    // A token without a scopes claim and without the private namespace: its claims cannot decide.
    const diagnoses = diagnosesOf(
      await diagnose(`GET /conversations/cnv_yo1kg5q 403 ${notAllowed('cnv_yo1kg5q')}`, {
        rules,
        live: live('acme_new_style_shared'),
      }),
    );
    expect(diagnoses.map((d) => d.cause).slice(0, 2)).toEqual([
      'token_missing_private_scope',
      'teammate_api_access_disabled',
    ]);
    expect(diagnoses[0]?.rankedBy).toMatch(/Not one of the 5 teammates' private resources could be read/);
    expect(diagnoses[0]?.confidence).toBe('medium');
    expect(diagnoses[1]?.confidence).toBe('low');
    expect(diagnoses[1]?.rankedBy).toBeUndefined();
  });

  test('a sweep cut short whose refusals all say "not allowed to read the teammate": the missing scope first', async () => {
    const diagnoses = diagnosesOf(
      await diagnose(`GET /conversations/cnv_yo1kg5q 403 ${notAllowed('cnv_yo1kg5q')}`, {
        rules,
        live: live('acme_new_style_shared', 7),
      }),
    );
    expect(diagnoses[0]?.cause).toBe('token_missing_private_scope');
    expect(diagnoses[0]?.rankedBy).toMatch(/with "not allowed to read the teammate", not its wording/);
  });

  test("Front's preference-off wording on the conversation: the preference first, the scope less sure", async () => {
    const paste =
      'GET /conversations/cnv_yo1kg5q -> 403 {"_error":{"status":403,"title":"Forbidden","message":"You do not have access to the resources of this teammate"}}';
    const diagnoses = diagnosesOf(await diagnose(paste, { rules }));
    expect(diagnoses.map((d) => d.cause).slice(0, 2)).toEqual([
      'teammate_api_access_disabled',
      'token_missing_private_scope',
    ]);
    expect(diagnoses[0]?.rankedBy).toMatch(/You do not have access to the resources of this teammate/);
    expect(diagnoses[1]?.confidence).toBe('low');
  });

  test('the "not allowed to read" wording alone tips nothing: static priority, both as sure, no ranking line', async () => {
    const diagnoses = diagnosesOf(await diagnose(originalReport.input, { rules }));
    expect(diagnoses.map((d) => d.cause).slice(0, 2)).toEqual([
      'teammate_api_access_disabled',
      'token_missing_private_scope',
    ]);
    expect(diagnoses.map((d) => d.confidence).slice(0, 2)).toEqual(['medium', 'medium']);
    expect(diagnoses.some((d) => d.rankedBy !== undefined)).toBe(false);
  });

  test('a paste that says it comes from an OAuth connection ranks the OAuth causes first', async () => {
    const paste = `Our OAuth app gets this when it opens a conversation:\nGET /conversations/cnv_yo1kg5q\n403 ${notAllowed('cnv_yo1kg5q')}`;
    const diagnoses = diagnosesOf(await diagnose(paste, { rules }));
    expect(diagnoses[0]?.cause).toBe('oauth_token_private_resources');
    expect(diagnoses[0]?.status).toBe('possible');
    expect(diagnoses[0]?.rankedBy).toMatch(/OAuth connection/);
    expect(diagnoses.map((d) => d.cause)).toContain('teammate_api_access_disabled');
  });

  test('the same OAuth paste, live with a company API token: the claims decide, the OAuth cause is gone', async () => {
    const paste = `Our OAuth app gets this:\n403 ${notAllowed('cnv_yo1kg5q')}`;
    const diagnoses = diagnosesOf(await diagnose(paste, { rules, live: live('acme_private') }));
    expect(diagnoses.map((d) => d.cause)).toEqual(['teammate_api_access_disabled']);
  });
});
