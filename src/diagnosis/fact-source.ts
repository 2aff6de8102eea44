import { FACTS, factSource, type FactPath } from '../facts';
import { UNKNOWN, type FactSource, type FactValue } from '../rules/source';
import type { ProbeRun } from '../probes';
import type { PasteFacts } from './paste-facts';

// Looked up for every fact the rules read, on every paste.
const PASTE_FACTS: ReadonlySet<FactPath> = new Set(
  (Object.keys(FACTS) as FactPath[]).filter((path) => factSource(path) === 'paste'),
);

/** Facts for the rule engine: the paste's (always known) and, when a tenant token is at hand, the live probes'. */
export function createFactSource(paste: PasteFacts, probes: ProbeRun | undefined): FactSource {
  return {
    get(path: FactPath): FactValue | typeof UNKNOWN {
      if (PASTE_FACTS.has(path)) return paste[path];
      if (!probes) return UNKNOWN;
      const fact = probes.fact(path);
      return fact.state === 'known' ? fact.value : UNKNOWN;
    },
    canResolve(path: FactPath): boolean {
      return probes?.canRun(path) ?? false;
    },
    async resolve(paths: FactPath[]): Promise<void> {
      await probes?.runFor(paths);
    },
    async prepare(paths: FactPath[]): Promise<void> {
      await probes?.prepareFor(paths);
    },
    cost(path: FactPath): number {
      return probes?.costOf(path) ?? 0;
    },
    stage(path: FactPath): number {
      return probes?.stageOf(path) ?? 0;
    },
  };
}
