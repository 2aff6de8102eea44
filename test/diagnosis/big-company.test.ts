import path from 'node:path';
import { diagnose } from '../../src/diagnosis';
import { ownerText } from '../../src/diagnosis/owner-sweep';
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

test('answers at once within 10% of the Starter limit, every request counted, and says the rest were not checked', async () => {
  const outcome = okOutcome(
    await diagnose('https://app.frontapp.com/open/cnv_9b0c001', { rules, live: live.connect('initech_private').live }),
  );
  const stats = sandbox.stats();
  const share = PLAN_RATE_LIMITS.Starter / 10;

  // The whole first answer, not only the teammate checks, is within the share.
  expect(stats.total).toBe(outcome.calls);
  expect(outcome.calls).toBeLessThanOrEqual(share);
  // The teammates are listed once; the conversation decided the cause (its inboxes, refused in the same words, are
  // not asked); the rest of the share checked teammates.
  expect(stats.byPath['/teammates']).toBe(1);
  expect(stats.byPath['/conversations/cnv_9b0c001']).toBe(1);
  expect(stats.byPath['/conversations/cnv_9b0c001/inboxes']).toBeUndefined();
  const checked = share - 2;
  expect(teammateChecks(stats.byPath)).toBe(checked);

  const [first] = outcome.diagnoses;
  expect(first?.cause).toBe('teammate_api_access_disabled');
  expect(first?.owner).toEqual({ how: 'unfinished', candidates: [], checked, total: BIG_COMPANY_SIZE });

  const text = diagnosesToText(outcome.diagnoses);
  expect(text).toContain(`Owner: not named yet (checked ${checked} of ${BIG_COMPANY_SIZE} teammates)`);
  expect(text).toContain(
    `The other ${BIG_COMPANY_SIZE - checked} teammates were not checked, to spare the company's rate limit: \`front-why audit --tenant NAME\` checks every teammate`,
  );
});

describe('what the thread is told once every teammate was checked', () => {
  const on = (n: number) => ({ id: `tea_${n}`, label: `Agent ${n}`, access: 'allowed' as const });
  const off = (n: number) => ({ id: `tea_${n}`, label: `Agent ${n}`, access: 'denied' as const });

  test('several with the preference off: every one of them, since any may own it', () => {
    expect(ownerText('cnv_1', [on(1), off(2), off(3)], 3)).toBe(
      'Owner of cnv_1: one of Agent 2, Agent 3, the 2 of the 3 teammates with "Allow access to my individual resources via the API" off. Each of them, or an admin for them, should turn it on.',
    );
  });

  test('nobody off but some unread: the owner is not named, and the audit says who could not be read', () => {
    const text = ownerText('cnv_1', [on(1), on(2)], 3);
    expect(text).toContain('1 could not be read for another reason, so the owner of cnv_1 is not named');
    expect(text).toContain('/front-why audit');
  });
});
