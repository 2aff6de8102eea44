import { STATUS_CODES } from 'node:http';
import type { Attempt } from './attempt';
import type { FrontErrorBody } from './errors';
import type { RateLimitInfo } from './rate-limit';

/**
 * connect: this host could not open a connection to Front (DNS, connection refused, TLS); network: the connection
 * broke after it was open (reset, closed); server_error and timeout: Front answered 5xx or did not answer in time.
 */
export type UnreachableReason =
  'timeout' | 'connect' | 'network' | 'server_error' | 'deadline' | 'rate_limited' | 'budget';

/** The last thing that went wrong, quoted when the deadline ends the retries. */
export interface Problem {
  text: string;
  status?: number;
}

/** What one `get` has been through so far; its messages are made from this. */
export interface Progress {
  /** `GET /path`, the subject of every message. */
  readonly what: string;
  readonly started: number;
  attempts: number;
  refused429: number;
  rateLimit?: RateLimitInfo;
  lastProblem?: Problem;
}

export interface GiveUp {
  kind: 'give-up';
  reason: UnreachableReason;
  message: string;
  status: number | undefined;
}

/** After an attempt that did not bring Front's final answer. */
export type NextStep =
  | GiveUp
  | {
      kind: 'retry';
      waitMs: number;
      problem: Problem;
      /** Said instead of the generic "no time left" when the wait would end past the deadline. */
      ifPastDeadline?: GiveUp;
    };

export interface RetryLimits {
  /** Total attempts, retries included. */
  maxAttempts: number;
  /** Called only when a wait is needed: each call draws fresh jitter. */
  backoff: (attempts: number) => number;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function statusText(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : String(status);
}

const giveUp = (reason: UnreachableReason, message: string, status?: number): GiveUp => ({
  kind: 'give-up',
  reason,
  message,
  status,
});

/** Exponential, capped, with jitter in its upper half so parallel clients do not retry in step. */
export function backoffDelay(attempts: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function noTimeLeft(progress: Progress): GiveUp {
  const { what, lastProblem, attempts } = progress;
  const after = lastProblem ? ` (after ${plural(attempts, 'attempt')}; last: ${lastProblem.text})` : '';
  return giveUp('deadline', `${what} not checked: no time left before the deadline${after}`, lastProblem?.status);
}

export function afterTransportFailure(
  failure: Extract<Attempt, { kind: 'failed' }>,
  timeoutMs: number,
  progress: Progress,
  origin: string,
  limits: RetryLimits,
): NextStep {
  const { what, attempts } = progress;
  if (failure.cause === 'deadline') {
    return giveUp(
      'deadline',
      `${what}: Front had not answered when the deadline came (${timeoutMs} ms)`,
      progress.lastProblem?.status,
    );
  }
  if (failure.cause === 'timeout') return giveUp('timeout', `${what}: Front did not answer within ${timeoutMs} ms`);
  if (!failure.retryable || attempts >= limits.maxAttempts) {
    return giveUp(
      failure.cause === 'connect' ? 'connect' : 'network',
      `${what}: could not reach Front at ${origin} after ${plural(attempts, 'attempt')} (${failure.detail})`,
    );
  }
  return { kind: 'retry', waitMs: limits.backoff(attempts), problem: { text: failure.detail } };
}

/** A 429. `progress.refused429` already counts this one. */
export function afterRateLimited(
  rateLimit: RateLimitInfo,
  error: FrontErrorBody | undefined,
  now: number,
  progress: Progress,
  limits: RetryLimits,
): NextStep {
  const { what, attempts, refused429 } = progress;
  const front = error?.message ? `; Front said: "${error.message}"` : '';
  const limitText = rateLimit.burst
    ? `Front's burst limit${rateLimit.tier ? ` (${rateLimit.tier})` : ''} refused ${what}`
    : `Front's per-minute rate limit for this company is used up${rateLimit.limit !== undefined ? ` (${rateLimit.limit} requests/minute)` : ''}, so ${what} was refused`;
  const wait =
    rateLimit.retryAfterSec !== undefined
      ? rateLimit.retryAfterSec * 1000
      : !rateLimit.burst && rateLimit.reset !== undefined
        ? Math.max(0, rateLimit.reset * 1000 - now)
        : limits.backoff(attempts);
  const waitText = `retry in ${Math.ceil(wait / 1000)} s`;
  // One retry after a 429: a second refusal means the limit is not a passing one.
  if (refused429 > 1 || attempts >= limits.maxAttempts) {
    return giveUp('rate_limited', `${limitText} ${plural(refused429, 'time')}; ${waitText}${front}`, 429);
  }
  return {
    kind: 'retry',
    waitMs: wait,
    problem: { text: 'Front answered 429', status: 429 },
    ifPastDeadline: giveUp('rate_limited', `${limitText}; ${waitText}, which is past the deadline${front}`, 429),
  };
}

/** A 5xx, with the body's text to tell an edge proxy's HTML page from Front's own answer. */
export function afterServerError(
  status: number,
  text: string,
  rateLimit: RateLimitInfo,
  progress: Progress,
  limits: RetryLimits,
): NextStep {
  const { what, attempts } = progress;
  const html = /^\s*</.test(text) ? ' (an HTML error page, likely from an edge proxy)' : '';
  if (attempts >= limits.maxAttempts) {
    return giveUp(
      'server_error',
      `${what}: Front answered ${statusText(status)}${html} after ${plural(attempts, 'attempt')}`,
      status,
    );
  }
  const waitMs = rateLimit.retryAfterSec !== undefined ? rateLimit.retryAfterSec * 1000 : limits.backoff(attempts);
  return { kind: 'retry', waitMs, problem: { text: `Front answered ${statusText(status)}${html}`, status } };
}
