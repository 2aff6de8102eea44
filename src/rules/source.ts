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
}
