import { diagnose, type LiveAccess } from '../diagnosis';
import type { Rule } from '../rules';
import type { BudgetSnapshot, WatchShare } from './share';
import { verdictOf, type WatchCheck } from './verdict';

export interface RecheckDeps {
  rules: Rule[];
  live: LiveAccess;
  clock?: () => number;
  /** A server's watches share the tenant's budget with live diagnoses; the CLI, watching one target, has none. */
  share?: { tenant: string; share: WatchShare; budget: { snapshot(): BudgetSnapshot } };
}

/** One re-check of a watched target, as the thread or the terminal will hear it. */
export async function recheck(text: string, deps: RecheckDeps): Promise<WatchCheck> {
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
  if (share) share.share.spent(share.tenant, outcome.ok ? outcome.calls : 0, share.budget.snapshot());
  return verdictOf(outcome, deps.rules);
}
