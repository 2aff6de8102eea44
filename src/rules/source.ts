import type { FactPath } from '../facts';

/** A fact no check has established yet: a probe that has not run, could not run, or is offline. */
export const UNKNOWN = Symbol('front-why.unknown');

/** `undefined` means *known to be absent*: the paste lacked the field, or the probe found nothing. */
export type FactValue = string | number | boolean | string[] | undefined;

/**
 * Where the engine reads facts. The engine never runs probes itself: it asks for the facts it still
 * needs, one batch per round, so the caller can run the probes behind them in parallel.
 */
export interface FactSource {
  get(path: FactPath): FactValue | typeof UNKNOWN;
  /** True for an unknown fact that a probe could still supply. */
  canResolve(path: FactPath): boolean;
  /** Learn these facts. Afterwards each is known, or stays unknown and `canResolve` turns false. */
  resolve(paths: FactPath[]): Promise<void>;
  /**
   * Roughly how many requests learning the fact costs (0: none). When a round needs both cheap and costly
   * facts, the cheap ones are learnt first: they often decide the rule and make the costly ones moot.
   */
  cost?(path: FactPath): number;
  /**
   * When learning the fact is worth asking (0 first; undefined: all alike). A round asks only for the earliest stage
   * it wants, plus the facts some rule cannot be decided without: a later check waits for answers that often make it
   * moot (GET /me, once the read of the refused resource has answered).
   */
  stage?(path: FactPath): number;
  /**
   * Costly facts that were held back this round and may be asked for next: a source can start their cheap
   * first steps now, alongside the round, so asking later waits for less.
   */
  prepare?(paths: FactPath[]): Promise<void>;
}

/** Facts costing at most this are learnt together in one round; costlier ones wait until nothing cheap is left. */
export const CHEAP_FACT_COST = 1;
