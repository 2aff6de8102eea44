import type { Dispatcher } from 'undici';
import { createAttemptSender, type Attempt } from './attempt';
import { validateBaseUrl } from './base-url';
import { systemClock, type Clock } from './clock';
import { sharedFrontDispatcher } from './dispatcher';
import { parseFrontError, type FrontErrorBody } from './errors';
import { isSafeFrontPath, type FrontPath } from './ids';
import { redactToken, redactTokenInJson } from './mask';
import { headerValue, parseRateLimit, type HeaderBag, type RateBudget, type RateLimitInfo } from './rate-limit';
import {
  afterRateLimited,
  afterServerError,
  afterTransportFailure,
  backoffDelay,
  noTimeLeft,
  type GiveUp,
  type NextStep,
  type Progress,
  type RetryLimits,
  type UnreachableReason,
} from './retry';

export type { UnreachableReason } from './retry';

export type FrontResult =
  | {
      kind: 'response';
      status: number;
      /** Parsed JSON, or the text when the body is not JSON. */
      body: unknown;
      location?: string;
      rateLimit: RateLimitInfo;
      ms: number;
      attempts: number;
      /** From Front's `_error` envelope (or a short plain-text body); only fields Front sent. */
      error?: FrontErrorBody;
    }
  | {
      kind: 'unreachable';
      reason: UnreachableReason;
      /** With reason 'budget': not sent because Front had reported the company out of requests for now. */
      exhausted?: boolean;
      status?: number;
      message: string;
      ms: number;
      attempts: number;
      rateLimit?: RateLimitInfo;
    };

export interface FrontClient {
  get(path: FrontPath, opts: { deadline: number }): Promise<FrontResult>;
  /** Aborts requests in flight. Leaves the dispatcher open: it is shared. */
  close(): Promise<void>;
}

export interface FrontClientOptions {
  baseUrl: string | URL;
  token: string;
  requestTimeoutMs?: number;
  /** Total attempts per `get`, retries included. */
  maxAttempts?: number;
  clock?: Clock;
  /** In [0, 1); jitter for the backoff. */
  random?: () => number;
  /** Defaults to the process-wide pool. */
  dispatcher?: Dispatcher;
  budget?: RateBudget;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** An attempt is not started with less time than this left before the deadline. */
  minAttemptMs?: number;
  maxBodyBytes?: number;
  /** Told of every attempt sent: Front's status, or undefined when no answer came (for the metrics). */
  onAttempt?: (status: number | undefined) => void;
}

function parseBody(text: string, headers: HeaderBag, truncated: boolean): unknown {
  const type = headerValue(headers, 'content-type') ?? '';
  const trimmed = text.trim();
  if (!truncated && (type.includes('json') || /^[[{]/.test(trimmed))) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function errorFromBody(body: unknown, status: number): FrontErrorBody | undefined {
  const envelope = parseFrontError(body);
  if (envelope) return envelope;
  // A short non-HTML text (e.g. "Unauthorized" from a proxy) is still the best explanation there is.
  if (status >= 400 && typeof body === 'string') {
    const text = body.trim();
    if (text !== '' && !text.startsWith('<') && text.length <= 300) return { message: text };
  }
  return undefined;
}

/** Front's answer as the caller sees it: parsed, redacted, its error envelope read. */
function readAnswer(
  http: Extract<Attempt, { kind: 'http' }>,
  token: string,
): { body: unknown; error: FrontErrorBody | undefined } {
  // Redacted again once parsed: JSON escapes hide an echoed token from the pass over the raw text.
  const body = redactTokenInJson(parseBody(http.text, http.headers, http.truncated), token);
  return { body, error: errorFromBody(body, http.status) };
}

function answeredResult(
  http: Extract<Attempt, { kind: 'http' }>,
  answer: { body: unknown; error: FrontErrorBody | undefined },
  rateLimit: RateLimitInfo,
  progress: Progress,
  now: number,
  redact: (text: string) => string,
): FrontResult {
  const location = headerValue(http.headers, 'location');
  return {
    kind: 'response',
    status: http.status,
    body: answer.body,
    ...(location !== undefined ? { location: redact(location) } : {}),
    rateLimit,
    ms: now - progress.started,
    attempts: progress.attempts,
    ...(answer.error ? { error: answer.error } : {}),
  };
}

/** `message` must be redacted already. */
function unreachableResult(
  progress: Progress,
  now: number,
  reason: UnreachableReason,
  message: string,
  status: number | undefined,
): FrontResult {
  return {
    kind: 'unreachable',
    reason,
    message,
    ms: now - progress.started,
    attempts: progress.attempts,
    ...(status !== undefined ? { status } : {}),
    ...(progress.rateLimit ? { rateLimit: progress.rateLimit } : {}),
  };
}

/** Not sent because the rate budget refused it; `message` must be redacted already. */
function heldBackResult(progress: Progress, now: number, message: string, exhausted: boolean): FrontResult {
  return {
    kind: 'unreachable',
    reason: 'budget',
    exhausted,
    message,
    ms: now - progress.started,
    attempts: progress.attempts,
  };
}

function checkedToken(token: unknown): string {
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError(
      'the Front API token is empty or contains characters that cannot be sent in an HTTP header (spaces, line breaks, non-ASCII)',
    );
  }
  return token;
}

/**
 * A Front API client for one token. The token lives only in closures (this one and the attempt sender's): it
 * is not a property of the returned object or of any result or error, so logging or inspecting them cannot leak it.
 */
export function createFrontClient(options: FrontClientOptions): FrontClient {
  const base = validateBaseUrl(options.baseUrl);
  if (!base.ok) throw new TypeError(base.message);
  const token = checkedToken(options.token);
  const origin = base.url.origin;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const budget = options.budget;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 250;
  const retryMaxDelayMs = options.retryMaxDelayMs ?? 4_000;
  const minAttemptMs = options.minAttemptMs ?? 100;
  const limits: RetryLimits = {
    maxAttempts: Math.max(1, options.maxAttempts ?? 3),
    backoff: (attempts) => backoffDelay(attempts, retryBaseDelayMs, retryMaxDelayMs, random),
  };
  let closed = false;
  const sender = createAttemptSender({
    origin,
    prefix: base.url.pathname === '/' ? '' : base.url.pathname,
    token,
    dispatcher: options.dispatcher ?? sharedFrontDispatcher(),
    maxBodyBytes: options.maxBodyBytes ?? 2 * 1024 * 1024,
    startTimer: (ms, fire) => (clock.timeout ?? systemClock.timeout)(ms, fire),
    isClosed: () => closed,
  });
  const redact = (text: string): string => redactToken(text, token);

  async function get(path: FrontPath, opts: { deadline: number }): Promise<FrontResult> {
    if (closed) throw new Error('the Front client is closed');
    if (!isSafeFrontPath(path)) {
      throw new TypeError('refusing a request path not built by frontPaths; build paths with frontPaths.*()');
    }
    const what = `GET ${path}`;
    const progress: Progress = { what, started: clock.now(), attempts: 0, refused429: 0 };
    const unreachable = (reason: UnreachableReason, message: string, status?: number): FrontResult =>
      unreachableResult(progress, clock.now(), reason, redact(message), status);
    const gaveUp = (step: GiveUp): FrontResult => unreachable(step.reason, step.message, step.status);

    for (;;) {
      // close() may have come during a retry wait.
      if (closed) return unreachable('network', `${what}: not sent, the client was closed`);
      const remainingMs = opts.deadline - clock.now();
      if (remainingMs < minAttemptMs) return gaveUp(noTimeLeft(progress));
      const ticket = budget ? await budget.acquire() : undefined;
      if (ticket && !ticket.ok) {
        // Front named the moment requests may go again: wait for it when it comes before the deadline.
        if (ticket.retryAt !== undefined && ticket.retryAt + minAttemptMs <= opts.deadline) {
          await clock.sleep(ticket.retryAt - clock.now());
          continue;
        }
        return heldBackResult(progress, clock.now(), redact(`${what} ${ticket.message}`), ticket.exhausted);
      }
      progress.attempts += 1;
      const timeoutMs = Math.min(requestTimeoutMs, remainingMs);
      const outcome = await sender.send(path, timeoutMs, timeoutMs < requestTimeoutMs);
      options.onAttempt?.(outcome.kind === 'failed' ? undefined : outcome.status);

      let next: NextStep;
      if (outcome.kind === 'failed') {
        ticket?.release();
        next = afterTransportFailure(outcome, timeoutMs, progress, origin, limits);
      } else {
        const rateLimit = parseRateLimit(outcome.headers, outcome.status, clock.now());
        progress.rateLimit = rateLimit;
        ticket?.release(rateLimit);
        const answer = readAnswer(outcome, token);
        if (outcome.status === 429) {
          progress.refused429 += 1;
          next = afterRateLimited(rateLimit, answer.error, clock.now(), progress, limits);
        } else if (outcome.status >= 500) {
          next = afterServerError(outcome.status, outcome.text, rateLimit, progress, limits);
        } else {
          return answeredResult(outcome, answer, rateLimit, progress, clock.now(), redact);
        }
      }

      if (next.kind === 'give-up') return gaveUp(next);
      progress.lastProblem = next.problem;
      if (clock.now() + next.waitMs + minAttemptMs > opts.deadline)
        return gaveUp(next.ifPastDeadline ?? noTimeLeft(progress));
      await clock.sleep(next.waitMs);
    }
  }

  return {
    get,
    async close() {
      closed = true;
      sender.abortAll(new Error('the Front client was closed'));
    },
  };
}
