import path from 'node:path';
import { diagnose } from '../../src/diagnosis';
import { loadRulesOrThrow } from '../../src/rules';
import { PLAN_RATE_LIMITS, SANDBOX_SCENARIOS, type Sandbox } from '../../src/sandbox';
import { seedCompanies } from '../../src/sandbox/seed';
import { useLiveSandbox } from './helpers';

/**
 * One diagnosis never sends more than 10% of the company's per-minute limit, whatever the scenario: the reads that
 * decide the cause, the owner's, the teammate list and the teammate checks, every request counted at the sandbox.
 * Each scenario cold, on a connection of its own, with its company's own plan limit in Front's headers.
 */
let sandbox: Sandbox;
const { connect } = useLiveSandbox((s) => (sandbox = s));
const rules = loadRulesOrThrow(path.join(__dirname, '../../rules'));
const companies = seedCompanies();

// A scenario that sets its own rate limit is about that limit (a 429), not about the plan's.
const onTheirPlan = SANDBOX_SCENARIOS.filter((s) => s.faults?.rateLimitPerMinute === undefined);

test.each(onTheirPlan.map((s) => [s.name, s] as const))('%s stays within 10%% of its plan', async (_name, scenario) => {
  sandbox.setFaults({ ...sandbox.faults(), ...scenario.faults });
  const company = companies[sandbox.tokenInfo[scenario.tokenName].company];
  const share = Math.floor(PLAN_RATE_LIMITS[company.plan] / 10);
  const outcome = await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live });
  expect(outcome.ok).toBe(true);
  expect(sandbox.stats().total).toBeLessThanOrEqual(share);
});
