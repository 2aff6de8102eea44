import {
  createFrontClient,
  createRateBudget,
  inspectToken,
  maskToken,
  systemClock,
  type Clock,
  type TenantBudget,
} from '../front';
import { createFrontGateway, type FrontGateway } from '../probes';
import type { LiveAccess } from './diagnose';
import type { StoredTeammates, TeammateChecker } from './teammate-map';

export interface LiveSettings {
  baseUrl: string;
  requestTimeoutMs: number;
  timeoutMs: number;
  maxCalls: number;
  /** How long a tenant's answers from Front are reused. */
  cacheTtlMs?: number;
  /** Requests per rate-limit window that front-why never spends. */
  rateLimitReserve?: number;
  /** Told of every request sent to Front: its status, or undefined when no answer came (for the metrics). */
  onFrontAttempt?: (status: number | undefined) => void;
}

export interface TenantConnection {
  live: LiveAccess;
  gateway: FrontGateway;
  /** The tenant's rate budget, which every request of this connection passes (watches read how busy it is). */
  budget: Pick<TenantBudget, 'snapshot'>;
  /** For display only: a short prefix and the last characters. */
  maskedToken: string;
  /** The stored tenant's teammate map (none for FRONT_API_TOKEN); `live` reads and writes it as a diagnosis. */
  teammates?: StoredTeammates;
  close(): Promise<void>;
}

/**
 * Everything needed to ask Front about one tenant; the token stays inside the client. `budget` is the tenant's from
 * `rateBudgetsFor` (src/diagnosis/budgets.ts) wherever other callers may ask Front about the same tenant; a one-off
 * command may leave it out and get a budget of its own.
 */
export function connectTenant(
  token: string,
  settings: LiveSettings,
  clock: Clock = systemClock,
  budget: TenantBudget = createRateBudget({ reserve: settings.rateLimitReserve ?? 5, clock }),
  teammates?: StoredTeammates,
): TenantConnection {
  const client = createFrontClient({
    baseUrl: settings.baseUrl,
    token,
    requestTimeoutMs: settings.requestTimeoutMs,
    clock,
    budget,
    ...(settings.onFrontAttempt ? { onAttempt: settings.onFrontAttempt } : {}),
  });
  const gateway = createFrontGateway(client, { ttlMs: settings.cacheTtlMs ?? 60_000, clock: clock.now });
  const info = inspectToken(token, clock);
  return {
    live: {
      gateway,
      token: info,
      maxCalls: settings.maxCalls,
      timeoutMs: settings.timeoutMs,
      ...(teammates ? { teammates: teammates.for('diagnosis') } : {}),
    },
    gateway,
    budget,
    ...(teammates ? { teammates } : {}),
    maskedToken: maskToken(token),
    close: () => client.close(),
  };
}

/** The connection's live access for another kind of check (a watch's re-check): its findings are recorded as such. */
export function liveAs(connection: Pick<TenantConnection, 'live' | 'teammates'>, checker: TeammateChecker): LiveAccess {
  return connection.teammates ? { ...connection.live, teammates: connection.teammates.for(checker) } : connection.live;
}
