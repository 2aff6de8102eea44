/**
 * What a CLI check is waiting for, on stderr, once it has taken longer than a moment: a check against Front at the
 * customer's rate limit can take minutes, and a silent terminal reads as a hung one. Nothing is printed for a check
 * that answers quickly, and stdout is never touched, so `--json` output and piped answers stay as they were.
 *
 * On a terminal the line is redrawn in place and cleared before the answer; anywhere else (a log, a CI job) each
 * change is one plain line, so the log stays readable.
 */

import { distinctIds, scanFrontIds } from '../input/id-scan';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The terminal's width: a redrawn line longer than it would wrap, and `\r` would redraw only its last row. */
  columns?: number;
}

export interface ProgressTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Ctrl-C while a check runs: the progress line is ended first, then the process exits 130 as a shell expects. */
export interface InterruptHandling {
  on(handler: () => void): void;
  off(handler: () => void): void;
  exit(code: number): void;
}

export interface ProgressOptions {
  /** Silence before the first line. */
  afterMs?: number;
  /** Least time between two updates. */
  everyMs?: number;
  timers?: ProgressTimers;
  interrupts?: InterruptHandling;
}

export interface Progress {
  /** What the check waits for now; read again at each update, so a count that grows is shown as it grows. */
  show(what: () => string): void;
  /** Before the answer: a redrawn line is cleared; nothing more is printed. Safe to call twice. */
  end(): void;
}

const AFTER_MS = 1_000;
const EVERY_MS = 1_000;

const realTimers: ProgressTimers = {
  setTimeout: (run, ms) => {
    const handle = setTimeout(run, ms);
    // A pending update never keeps the process alive on its own.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const processInterrupts: InterruptHandling = {
  on: (handler) => process.on('SIGINT', handler),
  off: (handler) => process.off('SIGINT', handler),
  exit: (code) => process.exit(code),
};

/** Exit status for a run stopped by Ctrl-C (128 + SIGINT), the one shells report and scripts test for. */
export const INTERRUPTED_EXIT_CODE = 130;

export function startProgress(stream: ProgressStream, options: ProgressOptions = {}): Progress {
  const timers = options.timers ?? realTimers;
  const interrupts = options.interrupts ?? processInterrupts;
  const everyMs = options.everyMs ?? EVERY_MS;
  const redraw = stream.isTTY === true;
  let what: () => string = () => '';
  let shown = '';
  let drawnWidth = 0;
  let handle: unknown;
  let ended = false;

  const fit = (text: string): string => {
    const room = (stream.columns ?? 0) - 1;
    return redraw && room > 0 && text.length > room ? `${text.slice(0, Math.max(0, room - 1))}…` : text;
  };

  const update = () => {
    handle = undefined;
    if (ended) return;
    const text = fit(what());
    if (text !== '' && text !== shown) {
      if (redraw) {
        stream.write(`\r${text.padEnd(drawnWidth)}`);
        drawnWidth = Math.max(drawnWidth, text.length);
      } else stream.write(`${text}\n`);
      shown = text;
    }
    handle = timers.setTimeout(update, everyMs);
  };

  const clearLine = () => {
    if (drawnWidth === 0) return;
    // Two writes: the terminal output guard keeps a carriage return only at the start of a write.
    stream.write(`\r${' '.repeat(drawnWidth)}`);
    stream.write('\r');
    drawnWidth = 0;
  };

  const end = () => {
    if (ended) return;
    ended = true;
    if (handle !== undefined) timers.clearTimeout(handle);
    interrupts.off(onInterrupt);
    clearLine();
  };

  function onInterrupt() {
    const waited = shown;
    // The terminal echoes "^C" after the line: wipe it too.
    if (drawnWidth > 0) drawnWidth += 2;
    end();
    stream.write(waited ? `front-why: interrupted (${waited})\n` : 'front-why: interrupted\n');
    interrupts.exit(INTERRUPTED_EXIT_CODE);
  }

  interrupts.on(onInterrupt);
  handle = timers.setTimeout(update, options.afterMs ?? AFTER_MS);
  return {
    show(next) {
      what = next;
    },
    end,
  };
}

/** The Front IDs a paste names ("cnv_yo1kg5q, msg_1a2b"), or "the paste" when it names none. */
export function checkingWhat(text: string): string {
  const ids = distinctIds(scanFrontIds(text)).map((ref) => ref.id);
  if (ids.length === 0) return 'the paste';
  return ids.length > 3 ? `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more` : ids.join(', ');
}

/** "3 requests to Front so far", counted by the connection's onFrontAttempt as each one is done. */
export function requestCount(): { onFrontAttempt: () => void; text: () => string } {
  let count = 0;
  return {
    onFrontAttempt: () => {
      count += 1;
    },
    text: () =>
      count === 0 ? "waiting for Front's first answer" : `${count} request${count === 1 ? '' : 's'} to Front so far`,
  };
}
