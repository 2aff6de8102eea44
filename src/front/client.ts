import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import { validateBaseUrl } from './base-url';
import { systemClock, type Clock } from './clock';
import { sharedFrontDispatcher } from './dispatcher';
import { parseFrontError, type FrontErrorBody } from './errors';
import { isSafeFrontPath, type FrontPath } from './ids';
import { redactToken, redactTokenInJson } from './mask';
import { headerValue, parseRateLimit, type HeaderBag, type RateBudget, type RateLimitInfo } from './rate-limit';

export type UnreachableReason = 'timeout' | 'network' | 'server_error' | 'deadline' | 'rate_limited' | 'budget';

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
}

type Attempt =
  | { kind: 'http'; status: number; headers: HeaderBag; text: string; truncated: boolean }
  | { kind: 'failed'; cause: 'timeout' | 'deadline' | 'network'; retryable: boolean; detail: string };

// Transient transport failures worth a second try. DNS and TLS failures are left out: retrying does
// not fix a wrong host name or certificate.
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

// Duck-typed rather than `instanceof Error`: errors from Node's core can come from another realm.
function errorCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; typeof e === 'object' && e !== null && depth < 4; depth += 1) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

function errorMessage(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

function statusText(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : String(status);
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

async function readBody(body: AsyncIterable<unknown> & { destroy(): unknown }, max: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    if (size + buf.length > max) {
      chunks.push(buf.subarray(0, max - size));
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(buf);
    size += buf.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
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

/**
 * A Front API client for one token. The token lives only in this closure: it is not a property of the
 * returned object or of any result or error, so logging or inspecting them cannot leak it.
 */
export function createFrontClient(options: FrontClientOptions): FrontClient {
  const base = validateBaseUrl(options.baseUrl);
  if (!base.ok) throw new TypeError(base.message);
  const token = options.token;
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError('the Front API token is empty or contains characters that cannot be sent in an HTTP header (spaces, line breaks, non-ASCII)');
  }
  const origin = base.url.origin;
  const prefix = base.url.pathname === '/' ? '' : base.url.pathname;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const clock = options.clock ?? systemClock;
  const startTimer = (ms: number, fire: () => void): (() => void) => (clock.timeout ?? systemClock.timeout)(ms, fire);
  const random = options.random ?? Math.random;
  const dispatcher = options.dispatcher ?? sharedFrontDispatcher();
  const budget = options.budget;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 250;
  const retryMaxDelayMs = options.retryMaxDelayMs ?? 4_000;
  const minAttemptMs = options.minAttemptMs ?? 100;
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  const inFlight = new Set<AbortController>();
  let closed = false;

  const redact = (text: string): string => redactToken(text, token);

  async function attempt(path: string, timeoutMs: number, cappedByDeadline: boolean): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    const cancelTimer = startTimer(timeoutMs, () => {
      timedOut = true;
      controller.abort(new Error('attempt timed out'));
    });
    inFlight.add(controller);
    try {
      const res = await dispatcher.request({
        origin,
        path: `${prefix}${path}`,
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': 'front-why' },
        signal: controller.signal,
      });
      const { text, truncated } = await readBody(res.body, maxBodyBytes);
      return { kind: 'http', status: res.statusCode, headers: res.headers, text: redact(text), truncated };
    } catch (err) {
      if (timedOut) return { kind: 'failed', cause: cappedByDeadline ? 'deadline' : 'timeout', retryable: false, detail: '' };
      if (closed) return { kind: 'failed', cause: 'network', retryable: false, detail: 'the client was closed' };
      const code = errorCode(err);
      const message = errorMessage(err);
      return {
        kind: 'failed',
        cause: 'network',
        retryable: code !== undefined && RETRYABLE_CODES.has(code),
        detail: redact(code ? `${code}: ${message}` : message).slice(0, 200),
      };
    } finally {
      cancelTimer();
      inFlight.delete(controller);
    }
  }

  function backoff(attempts: number): number {
    const ceiling = Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** (attempts - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  async function get(path: FrontPath, opts: { deadline: number }): Promise<FrontResult> {
    if (closed) throw new Error('the Front client is closed');
    if (!isSafeFrontPath(path)) {
      throw new TypeError('refusing a request path not built by frontPaths; build paths with frontPaths.*()');
    }
    const what = `GET ${path}`;
    const started = clock.now();
    let attempts = 0;
    let refused429 = 0;
    let rateLimit: RateLimitInfo | undefined;
    let lastProblem: { text: string; status?: number } | undefined;

    const unreachable = (reason: UnreachableReason, message: string, status?: number): FrontResult => ({
      kind: 'unreachable',
      reason,
      message: redact(message),
      ms: clock.now() - started,
      attempts,
      ...(status !== undefined ? { status } : {}),
      ...(rateLimit ? { rateLimit } : {}),
    });
    const heldBack = (message: string, exhausted: boolean): FrontResult => ({
      kind: 'unreachable',
      reason: 'budget',
      exhausted,
      message: redact(message),
      ms: clock.now() - started,
      attempts,
    });
    const tooLate = (): FrontResult => {
      const after = lastProblem ? ` (after ${plural(attempts, 'attempt')}; last: ${lastProblem.text})` : '';
      return unreachable('deadline', `${what} not checked: no time left before the deadline${after}`, lastProblem?.status);
    };

    for (;;) {
      // close() may have come during a retry wait.
      if (closed) return unreachable('network', `${what}: not sent, the client was closed`);
      const remainingMs = opts.deadline - clock.now();
      if (remainingMs < minAttemptMs) return tooLate();
      const ticket = budget?.acquire();
      if (ticket && !ticket.ok) {
        // Front named the moment requests may go again: wait for it when it comes before the deadline.
        if (ticket.retryAt !== undefined && ticket.retryAt + minAttemptMs <= opts.deadline) {
          await clock.sleep(ticket.retryAt - clock.now());
          continue;
        }
        return heldBack(`${what} ${ticket.message}`, ticket.exhausted);
      }
      attempts += 1;
      const timeoutMs = Math.min(requestTimeoutMs, remainingMs);
      const outcome = await attempt(path, timeoutMs, timeoutMs < requestTimeoutMs);

      if (outcome.kind === 'failed') {
        ticket?.release();
        if (outcome.cause === 'deadline') {
          return unreachable('deadline', `${what}: Front had not answered when the deadline came (${timeoutMs} ms)`, lastProblem?.status);
        }
        if (outcome.cause === 'timeout') return unreachable('timeout', `${what}: Front did not answer within ${timeoutMs} ms`);
        lastProblem = { text: outcome.detail };
        if (!outcome.retryable || attempts >= maxAttempts) {
          return unreachable('network', `${what}: could not reach Front at ${origin} after ${plural(attempts, 'attempt')} (${outcome.detail})`);
        }
        const wait = backoff(attempts);
        if (clock.now() + wait + minAttemptMs > opts.deadline) return tooLate();
        await clock.sleep(wait);
        continue;
      }

      const { status, headers, text, truncated } = outcome;
      rateLimit = parseRateLimit(headers, status, clock.now());
      ticket?.release(rateLimit);
      // Redacted again once parsed: JSON escapes hide an echoed token from the pass over the raw text.
      const body = redactTokenInJson(parseBody(text, headers, truncated), token);
      const error = errorFromBody(body, status);

      if (status === 429) {
        const front = error?.message ? `; Front said: "${error.message}"` : '';
        const limitText = rateLimit.burst
          ? `Front's burst limit${rateLimit.tier ? ` (${rateLimit.tier})` : ''} refused ${what}`
          : `Front's per-minute rate limit for this company is used up${rateLimit.limit !== undefined ? ` (${rateLimit.limit} requests/minute)` : ''}, so ${what} was refused`;
        const wait =
          rateLimit.retryAfterSec !== undefined
            ? rateLimit.retryAfterSec * 1000
            : !rateLimit.burst && rateLimit.reset !== undefined
              ? Math.max(0, rateLimit.reset * 1000 - clock.now())
              : backoff(attempts);
        const waitText = `retry in ${Math.ceil(wait / 1000)} s`;
        refused429 += 1;
        // One retry after a 429: a second refusal means the limit is not a passing one.
        if (refused429 > 1 || attempts >= maxAttempts) {
          return unreachable('rate_limited', `${limitText} ${plural(refused429, 'time')}; ${waitText}${front}`, 429);
        }
        if (clock.now() + wait + minAttemptMs > opts.deadline) {
          return unreachable('rate_limited', `${limitText}; ${waitText}, which is past the deadline${front}`, 429);
        }
        lastProblem = { text: 'Front answered 429', status };
        await clock.sleep(wait);
        continue;
      }

      if (status >= 500) {
        const html = /^\s*</.test(text) ? ' (an HTML error page, likely from an edge proxy)' : '';
        lastProblem = { text: `Front answered ${statusText(status)}${html}`, status };
        if (attempts >= maxAttempts) {
          return unreachable('server_error', `${what}: Front answered ${statusText(status)}${html} after ${plural(attempts, 'attempt')}`, status);
        }
        const wait = rateLimit.retryAfterSec !== undefined ? rateLimit.retryAfterSec * 1000 : backoff(attempts);
        if (clock.now() + wait + minAttemptMs > opts.deadline) return tooLate();
        await clock.sleep(wait);
        continue;
      }

      const location = headerValue(headers, 'location');
      return {
        kind: 'response',
        status,
        body,
        ...(location !== undefined ? { location: redact(location) } : {}),
        rateLimit,
        ms: clock.now() - started,
        attempts,
        ...(error ? { error } : {}),
      };
    }
  }

  return {
    get,
    async close() {
      closed = true;
      for (const controller of inFlight) controller.abort(new Error('the Front client was closed'));
      inFlight.clear();
    },
  };
}
