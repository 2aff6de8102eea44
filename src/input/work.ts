/**
 * Parse time is an attack surface: the bot reads every message of a listening channel, so one hostile paste must
 * not cost more than a few passes over it. Readers charge the characters each scan may visit to the meter of the
 * parse under way; tests read the total and bound it by a multiple of the paste's length.
 */
export interface WorkMeter {
  /** Characters visited so far (a regex run over a stretch counts the whole stretch). */
  visited: number;
}

// Parsing is synchronous, so the meter of the parse under way can live here instead of in every signature.
let active: WorkMeter | undefined;

export function charge(chars: number): void {
  if (active !== undefined && chars > 0) active.visited += chars;
}

export function metered<T>(meter: WorkMeter | undefined, run: () => T): T {
  const outer = active;
  active = meter;
  try {
    return run();
  } finally {
    active = outer;
  }
}
