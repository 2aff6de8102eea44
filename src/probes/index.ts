export { PROBES, TEAMMATES_PER_DIAGNOSIS } from './catalog';
export { createFrontGateway, type FrontGateway, type GatewayResult } from './gateway';
export { ProbeRun, type ProbeRunOptions, type ProbeFact } from './run';
export * from './front-reads';
export type {
  Evidence,
  Probe,
  ProbeContext,
  ProbeOutput,
  ProbeFactValue,
  RecalledTeammates,
  TeammateFinding,
  TeammateMemory,
} from './types';
