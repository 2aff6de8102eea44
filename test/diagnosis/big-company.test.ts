import path from 'node:path';
import { diagnose } from '../../src/diagnosis';
import { diagnosesToText } from '../../src/diagnosis/text';
import { loadRulesOrThrow } from '../../src/rules';
import { BIG_COMPANY_SIZE, PLAN_RATE_LIMITS } from '../../src/sandbox/seed';
import type { Sandbox } from '../../src/sandbox';
import { okOutcome, useLiveSandbox } from './helpers';

/**
 * The 200-teammate company on Starter (50 requests a minute) over real HTTP: one diagnosis of the conversation in
 * Peter Gibbons's private inbox, his preference off, the other 199 on. Requests are counted at the sandbox.
 */
const rules = loadRulesOrThrow(path.join(__dirname, '../../rules'));
let sandbox: Sandbox;
const live = useLiveSandbox((s) => (sandbox = s));

const teammateChecks = (byPath: Record<string, number>) =>
  Object.entries(byPath)
    .filter(([p]) => /^\/teammates\/[^/]+\/private_inboxes$/.test(p))
    .reduce((sum, [, n]) => sum + n, 0);

test('answers at once within 10% of the Starter limit on teammates, and says the rest were not checked', async () => {
  const outcome = okOutcome(
    await diagnose('https://app.frontapp.com/open/cnv_9b0c001', { rules, live: live.connect('initech_private').live }),
  );
  const stats = sandbox.stats();
  const share = PLAN_RATE_LIMITS.Starter / 10;

  const [first] = outcome.diagnoses;
  expect(first?.cause).toBe('teammate_api_access_disabled');
  expect(first?.owner).toEqual({ how: 'unfinished', candidates: [], checked: share, total: BIG_COMPANY_SIZE });
  expect(teammateChecks(stats.byPath)).toBe(share);
  // The teammates are listed once; the rest decided the cause.
  expect(stats.byPath['/teammates']).toBe(1);
  expect(stats.total).toBe(outcome.calls);

  const text = diagnosesToText(outcome.diagnoses);
  expect(text).toContain(`Owner: not named yet (checked ${share} of ${BIG_COMPANY_SIZE} teammates)`);
  expect(text).toContain(
    `The other ${BIG_COMPANY_SIZE - share} teammates were not checked, to spare the company's rate limit: \`front-why audit --tenant NAME\` checks every teammate`,
  );
});
