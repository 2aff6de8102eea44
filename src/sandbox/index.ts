/** A local Front-compatible API for the demo, the tests and the benchmark. */
export { startSandbox, DEFAULT_SANDBOX_SECRET } from './server';
export type { Sandbox, SandboxOptions, SandboxTokenInfo } from './server';
export { runSandbox, describeSandbox, SANDBOX_DEFAULT_PORT } from './run-sandbox';
export type { SandboxListen, SandboxRunOptions } from './run-sandbox';
export { SANDBOX_SCENARIOS } from './scenarios';
export type { SandboxScenario } from './scenarios';
export { TOKEN_NAMES, READ_PERMISSIONS } from './tokens';
export type { TokenName, ReadPermission } from './tokens';
export { NO_FAULTS } from './faults';
export type { FaultSettings, FailureKind } from './faults';
export type { SandboxStats } from './stats';
export { ROUTES } from './handlers';
export { PLAN_RATE_LIMITS, teamNumber, teamIdFromNumber } from './seed';
export type { CompanyKey, Plan, SeedCompany, SeedTeam, SeedTeammate, SeedInbox, SeedConversation } from './seed';
