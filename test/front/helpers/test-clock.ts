import type { Clock } from '../../../src/front';

/**
 * A clock that moves only when told. `sleep` moves it at once by the time asked (and records the wait),
 * so retries happen without real waiting; timers set with `timeout` fire when `advance` reaches them.
 */
export interface TestClock extends Required<Clock> {
  /** Every `sleep` asked for, in order. */
  waits: number[];
  advance(ms: number): void;
  /** Timers set and not yet fired or cancelled. */
  pendingTimers(): number;
}

export function testClock(start = Date.UTC(2026, 0, 15, 9, 30, 0)): TestClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fire: () => void }>();
  const waits: number[] = [];

  function advance(ms: number): void {
    const target = now + Math.max(0, ms);
    for (;;) {
      const due = [...timers].filter(([, t]) => t.at <= target).sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].fire();
    }
    now = target;
  }

  return {
    waits,
    now: () => now,
    async sleep(ms) {
      waits.push(ms);
      advance(ms);
    },
    timeout(ms, fire) {
      const id = (seq += 1);
      timers.set(id, { at: now + Math.max(0, ms), fire });
      return () => {
        timers.delete(id);
      };
    },
    advance,
    pendingTimers: () => timers.size,
  };
}

/** Resolves once `check` holds, polling real time (the code under test waits on sockets, not on the clock). */
export async function until(check: () => boolean, what: string, limitMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
