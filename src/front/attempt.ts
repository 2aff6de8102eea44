import type { Dispatcher } from 'undici';
import { redactToken } from './mask';
import type { HeaderBag } from './rate-limit';

/** One request over the wire: Front's answer as it came, or why none came. Whether to try again is decided elsewhere. */
export type Attempt =
  | { kind: 'http'; status: number; headers: HeaderBag; text: string; truncated: boolean }
  | { kind: 'failed'; cause: 'timeout' | 'deadline' | 'connect' | 'network'; retryable: boolean; detail: string };

export interface AttemptSenderOptions {
  origin: string;
  /** The base URL's path, put before every request path ('' for none). */
  prefix: string;
  token: string;
  dispatcher: Dispatcher;
  maxBodyBytes: number;
  startTimer: (ms: number, fire: () => void) => () => void;
  /** Lets an abort by the client's close() be told apart from a network failure. */
  isClosed: () => boolean;
}

export interface AttemptSender {
  send(path: string, timeoutMs: number, cappedByDeadline: boolean): Promise<Attempt>;
  abortAll(reason: Error): void;
}

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

// Failures before any byte reached Front: the name did not resolve, nothing listened, or TLS could not be set up.
// They say this host cannot reach Front (its DNS, firewall, proxy or certificates), not that Front is down.
const CONNECT_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

function isConnectFailure(code: string | undefined): boolean {
  return code !== undefined && (CONNECT_CODES.has(code) || TLS_CODE.test(code));
}

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

async function readBody(
  body: AsyncIterable<unknown> & { destroy(): unknown },
  max: number,
): Promise<{ text: string; truncated: boolean }> {
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

/**
 * Sends single GETs for one token, each cut at its own timeout. The token stays in this closure; what comes
 * back (body text, failure detail) has it redacted already.
 */
export function createAttemptSender(options: AttemptSenderOptions): AttemptSender {
  const { origin, prefix, token, dispatcher, maxBodyBytes, startTimer, isClosed } = options;
  const inFlight = new Set<AbortController>();
  const redact = (text: string): string => redactToken(text, token);

  async function send(path: string, timeoutMs: number, cappedByDeadline: boolean): Promise<Attempt> {
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
      if (timedOut)
        return { kind: 'failed', cause: cappedByDeadline ? 'deadline' : 'timeout', retryable: false, detail: '' };
      if (isClosed()) return { kind: 'failed', cause: 'network', retryable: false, detail: 'the client was closed' };
      const code = errorCode(err);
      const message = errorMessage(err);
      return {
        kind: 'failed',
        cause: isConnectFailure(code) ? 'connect' : 'network',
        retryable: code !== undefined && RETRYABLE_CODES.has(code),
        detail: redact(code ? `${code}: ${message}` : message).slice(0, 200),
      };
    } finally {
      cancelTimer();
      inFlight.delete(controller);
    }
  }

  return {
    send,
    abortAll(reason) {
      for (const controller of inFlight) controller.abort(reason);
      inFlight.clear();
    },
  };
}
