/**
 * The Front API client and token inspection. Nothing here knows about Slack or rules: probes build paths
 * with `frontPaths`, call `createFrontClient(...).get(path, { deadline })`, and read a `FrontResult`
 * that is either Front's answer or a reason it could not be had.
 */
export { DEFAULT_FRONT_BASE_URL, isLoopbackHost, validateBaseUrl, type BaseUrlResult } from './base-url';
export {
  createFrontClient,
  type FrontClient,
  type FrontClientOptions,
  type FrontResult,
  type UnreachableReason,
} from './client';
export { systemClock, type Clock } from './clock';
export { closeSharedFrontDispatcher, createFrontDispatcher, sharedFrontDispatcher } from './dispatcher';
export { parseFrontError, type FrontErrorBody } from './errors';
export {
  FRONT_ID_KINDS,
  InvalidFrontIdError,
  frontPaths,
  isSafeFrontPath,
  parseFrontId,
  parseTeammateRef,
  type FrontIdParse,
  type FrontIdProblem,
  type FrontPath,
  type TeammateRefParse,
} from './ids';
export { maskToken, redactToken } from './mask';
export {
  createRateBudget,
  parseRateLimit,
  type BudgetDecision,
  type BudgetSnapshot,
  type RateBudget,
  type RateBudgetOptions,
  type RateLimitInfo,
  type TenantRateBudget,
} from './rate-limit';
export {
  createRateBudgets,
  DEFAULT_BUDGET_KEY,
  type RateBudgets,
  type RateBudgetsOptions,
  type TenantBudget,
} from './budgets';
export {
  createSharedRateBudget,
  type RateWindowDraw,
  type RateWindowGrant,
  type RateWindowSettle,
  type RateWindowState,
  type SharedRateBudget,
  type SharedRateBudgetOptions,
  type SharedRateWindows,
} from './shared-budget';
export { inspectToken, type TokenInfo } from './token';
export {
  PRIVATE_KINDS,
  TEAMMATE_LISTINGS,
  describeResource,
  isTeammateListing,
  kindFromId,
  kindFromWord,
  resourceId,
  resourcePath,
  type PrivateKind,
  type ResourceRef,
  type TeammateListing,
} from './resources';
