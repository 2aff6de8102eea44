export { PROBES, TEAMMATES_PER_DIAGNOSIS } from './catalog';
export { createFrontGateway, type FrontGateway, type GatewayResult } from './gateway';
export { ProbeRun, PROBE_FACTS, type ProbeRunOptions, type ProbeFact } from './run';
export * from './front-reads';
export type { Probe, ProbeContext, ProbeOutput, ProbeFactValue } from './types';
