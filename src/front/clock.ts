/** Time source for the Front client and the rate budget; tests pass their own to control time. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * Calls `fire` after `ms` unless the returned function is called first. The client cuts an attempt with
   * it, so a test clock decides when a request times out; without it, a real timer does.
   */
  timeout?(ms: number, fire: () => void): () => void;
}

export const systemClock: Required<Clock> = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  timeout(ms, fire) {
    const timer = setTimeout(fire, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};
