import { createRateBudgets, type Clock, type RateBudgets, type SharedRateWindows } from '../front';

export interface BudgetSettings {
  /** Requests per rate-limit window that front-why never spends (default 5). */
  rateLimitReserve?: number;
  requestTimeoutMs: number;
}

/**
 * The one place a process gets its Front budgets (diagnoses, audits, watches, scheduled audits alike): with a store
 * that replicas share (PostgreSQL), each tenant's window lives in it and every replica draws from it; otherwise
 * (SQLite: one process) each tenant has one budget in memory, as it always had. Take the tenant's budget with
 * `forTenant(name)` and hand it to `connectTenant`.
 */
export function rateBudgetsFor(
  store: (SharedRateWindows & { readonly shared: boolean }) | undefined,
  settings: BudgetSettings,
  options: { clock?: Pick<Clock, 'now'>; onError?: (err: unknown) => void } = {},
): RateBudgets {
  return createRateBudgets({
    ...(store?.shared ? { windows: store } : {}),
    reserve: settings.rateLimitReserve ?? 5,
    // A draw covers one attempt, which the request timeout ends; twice that leaves room for a slow release.
    leaseMs: Math.max(5_000, 2 * settings.requestTimeoutMs),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
