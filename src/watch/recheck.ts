import { diagnose, type LiveAccess } from '../diagnosis';
import type { Rule } from '../rules';
import type { BudgetSnapshot, WatchShare } from './share';
import { verdictOf, type WatchCheck } from './verdict';
import { whoChanged } from './who-changed';

export interface RecheckDeps {
  rules: Rule[];
  live: LiveAccess;
  clock?: () => number;
  /** A server's watches share the tenant's budget with live diagnoses; the CLI, watching one target, has none. */
  share?: { tenant: string; share: WatchShare; budget: { snapshot(): BudgetSnapshot } };
}

/**
 * One re-check of a watched target, as the thread or the terminal will hear it. `before` is the cause and owner the
 * watch started with: when the target reads fine and several teammates could have been the owner, the fix is told
 * with those who turned their preference on (whoChanged), never with the whole list.
 */
export async function recheck(
  text: string,
  deps: RecheckDeps,
  before?: { cause: string; owner: string | null },
): Promise<WatchCheck> {
  const { share } = deps;
  if (share) {
    const decision = share.share.decide(share.tenant, share.budget.snapshot());
    if (!decision.ok) return { kind: 'postponed', retryAt: decision.retryAt, summary: decision.why };
  }
  const outcome = await diagnose(text, {
    rules: deps.rules,
    live: deps.live,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  let calls = outcome.ok ? outcome.calls : 0;
  const verdict = verdictOf(outcome, deps.rules);
  if (verdict.kind === 'fine' && before) {
    const who = await whoChanged(before, deps.live, deps.clock ?? Date.now, deps.rules);
    if (who) {
      calls += who.calls;
      verdict.owner = who.owner;
    }
  }
  if (share) share.share.spent(share.tenant, calls, share.budget.snapshot());
  return verdict;
}
