import { ProbeRun } from '../../src/probes';
import { BIG_COMPANY_SIZE } from '../../src/sandbox/seed';
import { NO_FAULTS, PLAN_RATE_LIMITS, type Sandbox } from '../../src/sandbox';
import type { ProbeId } from '../../src/facts';
import { useLiveSandbox } from '../diagnosis/helpers';

/**
 * The teammate checks of one diagnosis get what is left of its share (10% of the company's minute, from Front's
 * headers) after every request it sent before them, over real HTTP against the 200-teammate company (Initech, Starter),
 * so the teammates never run out first. Requests are counted at the sandbox.
 */
let sandbox: Sandbox;
const { connect } = useLiveSandbox((s) => (sandbox = s));
const CONVERSATION = 'cnv_9b0c001';

/** The probes `before` run first, one after the other; then the teammate checks. */
async function checkTeammatesAfter(before: ProbeId[]) {
  const connection = connect('initech_private');
  const run = new ProbeRun({
    gateway: connection.gateway,
    token: connection.live.token,
    target: CONVERSATION,
    deadline: Date.now() + 5_000,
    maxCalls: 12,
  });
  for (const id of before) await run.run(id);
  await run.run('teammates_access');
  const checks = Object.entries(sandbox.stats().byPath)
    .filter(([p]) => /^\/teammates\/[^/]+\/private_inboxes$/.test(p))
    .reduce((sum, [, n]) => sum + n, 0);
  const checked = run.fact('teammates.checked_count');
  return {
    requests: sandbox.stats().total,
    calls: run.calls,
    checks,
    checked: checked.state === 'known' ? checked.value : undefined,
  };
}

test('on Starter, 5 requests in all: after the read that decides and the list, 3 teammates', async () => {
  // The conversation refused, its inboxes are not asked: Front refuses them in the same words.
  const found = await checkTeammatesAfter(['conversation', 'inboxes']);
  expect(found).toEqual({ requests: 5, calls: 5, checks: 3, checked: 3 });
  expect(sandbox.stats().byPath[`/conversations/${CONVERSATION}/inboxes`]).toBeUndefined();
});

test('every request sent before counts: one more read leaves one teammate fewer', async () => {
  const found = await checkTeammatesAfter(['conversation', 'me']);
  expect(found).toEqual({ requests: 5, calls: 5, checks: 2, checked: 2 });
});

test('a share spent before the checks leaves none, never fewer: the list, and not one teammate asked', async () => {
  // 40 a minute, as Front's headers say it: a share of 4, all taken by the three reads and the list.
  sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: 40 });
  const found = await checkTeammatesAfter(['conversation', 'me', 'teams']);
  expect(found).toEqual({ requests: 4, calls: 4, checks: 0, checked: 0 });
});

test("the company's own limit, as Front's headers say it: 100 a minute leaves 7 checks after the same 3 requests", async () => {
  sandbox.setFaults({ ...NO_FAULTS, rateLimitPerMinute: PLAN_RATE_LIMITS.Professional });
  const found = await checkTeammatesAfter(['conversation', 'me']);
  expect(found).toEqual({ requests: 10, calls: 10, checks: 7, checked: 7 });
  expect(found.checked).toBeLessThan(BIG_COMPANY_SIZE);
});
