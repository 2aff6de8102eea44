import type { Clock } from './clock';
import { createRateBudget, type BudgetSnapshot, type RateBudget, type RateLimitInfo } from './rate-limit';
import { createSharedRateBudget, type SharedRateBudget, type SharedRateWindows } from './shared-budget';

/** The budget key of FRONT_API_TOKEN's tenant; tenant names never contain parentheses. */
export const DEFAULT_BUDGET_KEY = '(default)';

/** A tenant's budget as callers take it: drawn from before each request, told what headers outside one said. */
export interface TenantBudget extends RateBudget {
  observe(seen: RateLimitInfo): void;
  /** What this process knows of the window now; a watch reads it to stay out of a busy minute. */
  snapshot(): BudgetSnapshot;
}

/**
 * Every Front budget of a process comes from here, so a diagnosis, a watch and a scheduled audit of one tenant
 * draw from the same window: `forTenant(name)` returns the same budget for the same name. With `windows` (the
 * store, when replicas share it) the window is also shared with every other replica.
 */
export interface RateBudgets {
  forTenant(key: string): TenantBudget;
  /** Waits for the store writes of requests already answered; a budget handed out before keeps working. */
  close(): Promise<void>;
}

export interface RateBudgetsOptions {
  windows?: SharedRateWindows;
  reserve?: number;
  leaseMs?: number;
  clock?: Pick<Clock, 'now'>;
  onError?: (err: unknown) => void;
}

export function createRateBudgets(options: RateBudgetsOptions = {}): RateBudgets {
  const budgets = new Map<string, TenantBudget>();
  const shared: SharedRateBudget[] = [];
  const reserve = options.reserve ?? 5;

  function make(key: string): TenantBudget {
    const { windows, clock } = options;
    if (!windows) return createRateBudget({ reserve, ...(clock ? { clock } : {}) });
    const budget = createSharedRateBudget({
      key,
      windows,
      reserve,
      ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
      ...(clock ? { clock } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    shared.push(budget);
    return budget;
  }

  return {
    forTenant(key) {
      let budget = budgets.get(key);
      if (!budget) {
        budget = make(key);
        budgets.set(key, budget);
      }
      return budget;
    },
    async close() {
      await Promise.all(shared.map((b) => b.settled()));
    },
  };
}
