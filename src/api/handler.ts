import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActivityStore, ApiKey, ApiStore } from '../store';
import { bearerKey, hashApiKey } from './keys';
import type { KeyRate } from './key-rate';
import { readBody } from './read-body';
import type { ApiError, DiagnoseAnswer, DiagnoseRequest, ErrorCode } from './schemas';

export const DIAGNOSE_PATH = '/v1/diagnose';
export const OPENAPI_PATH = '/v1/openapi.json';

/**
 * The largest request body read. A failure's text is diagnosed up to 64 KiB (what a paste may be); its JSON, escaped
 * inside the request, takes at most a few times that. Anything larger is refused (413) without being read further.
 */
export const API_BODY_BYTES = 256 * 1024;
/** An answer kept for a retry with the same Idempotency-Key. */
export const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60 * 1000;

/** What a diagnosis came to: the answer, or an error to send (the tenant's share of Front is spent, …). */
export type DiagnoseResult =
  | { ok: true; answer: DiagnoseAnswer }
  | { ok: false; status: number; code: ErrorCode; message: string; retryAfterSeconds?: number };

/** One call of a key, as the activity log and the metrics count it (never the body). */
export interface ApiCall {
  /** The key's name; undefined when no working key was presented. */
  keyName: string | undefined;
  status: number;
  tenant?: string;
  target?: string;
  cause?: string;
  /** Requests sent to Front. */
  calls?: number;
  code?: ErrorCode;
}

export interface ApiDeps {
  store: Pick<ApiStore, 'findApiKey' | 'claimIdempotency' | 'finishIdempotency'> & ActivityStore;
  clock: () => number;
  rate: KeyRate;
  /** true once a shutdown began: new calls get 503. */
  stopping: () => boolean;
  diagnose(request: { key: ApiKey; body: DiagnoseRequest; live: boolean }): Promise<DiagnoseResult>;
  /** Every call, answered or refused: the metrics and the activity log. */
  onCall(call: ApiCall): void;
  /** A failure of our own: logged, with the reference given to the caller. */
  onError(err: unknown): string;
  bodyBytes?: number;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * POST /v1/diagnose. The key is checked from the headers alone, before a byte of the body is read (an unknown
 * caller costs a hash and one indexed lookup); then the key's own rate, the declared size, the body read up to its
 * bound, its shape, the key's tenants, and the Idempotency-Key. Every answer, error or not, is JSON.
 */
export function diagnoseHandler(deps: ApiDeps) {
  const bodyBytes = deps.bodyBytes ?? API_BODY_BYTES;
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const call: ApiCall = { keyName: undefined, status: 500 };
    let bodyRead = false;
    return (async () => {
      if (req.method !== 'POST') {
        throw new Refusal(405, 'method_not_allowed', `${DIAGNOSE_PATH} takes POST`, { allow: 'POST' });
      }
      if (deps.stopping()) throw new Refusal(503, 'unavailable', 'front-why is restarting: try again shortly', {}, 5);
      const key = await authenticate(deps, req.headers.authorization);
      call.keyName = key.name;
      const rate = deps.rate.take(key.id, key.perMinute);
      if (!rate.ok) {
        throw new Refusal(
          429,
          'rate_limited',
          `this key may make ${key.perMinute} calls a minute and has made them: try again in ${rate.retryAfterSeconds} s`,
          {},
          rate.retryAfterSeconds,
        );
      }
      const live = liveParam(req.url);
      const idempotencyKey = idempotencyHeader(req.headers['idempotency-key']);
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') {
        throw new Refusal(
          415,
          'unsupported_media_type',
          'send the failure as JSON, with Content-Type: application/json',
        );
      }
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > bodyBytes) throw tooLarge(bodyBytes, declared);
      if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
      const raw = await readBody(req, bodyBytes);
      if (raw === 'gone') {
        // The client went away mid-body: nobody to answer (499, as proxies count it).
        call.status = 499;
        return;
      }
      if (raw === 'too large') throw tooLarge(bodyBytes);
      bodyRead = true;
      const body = parseRequest(raw);
      call.tenant = body.tenant;
      if (key.tenants.length > 0 && !key.tenants.includes(body.tenant)) {
        throw new Refusal(403, 'forbidden', `this key may not ask about tenant "${body.tenant}"`);
      }
      // Of the request as read (zod writes the fields in the schema's order): the same failure sent with other
      // spacing or field order is the same request.
      const requestHash = createHash('sha256')
        .update(`${live}\n${JSON.stringify(body)}`)
        .digest('hex');
      if (idempotencyKey !== undefined) {
        const state = await deps.store.claimIdempotency({
          keyId: key.id,
          idempotencyKey,
          requestHash,
          now: new Date(deps.clock()),
          keepMs: IDEMPOTENCY_KEEP_MS,
        });
        if (state.kind === 'running') {
          throw new Refusal(
            409,
            'idempotency_in_progress',
            'the first request with this Idempotency-Key is still running: retry in a moment',
            {},
            1,
          );
        }
        if (state.kind === 'other-request') {
          throw new Refusal(
            422,
            'idempotency_key_reused',
            'this Idempotency-Key was used for a different request: use a new key for a new failure',
          );
        }
        if (state.kind === 'answered') {
          const answer = JSON.parse(state.answer) as DiagnoseAnswer;
          Object.assign(call, summary(answer), { status: 200 });
          return sendJson(res, 200, state.answer, { 'idempotent-replayed': 'true' });
        }
      }
      let result: DiagnoseResult;
      try {
        result = await deps.diagnose({ key, body, live });
      } catch (err) {
        if (idempotencyKey !== undefined) await deps.store.finishIdempotency(key.id, idempotencyKey, null);
        throw err;
      }
      if (!result.ok) {
        if (idempotencyKey !== undefined) await deps.store.finishIdempotency(key.id, idempotencyKey, null);
        throw new Refusal(result.status, result.code, result.message, {}, result.retryAfterSeconds);
      }
      const text = JSON.stringify(result.answer);
      if (idempotencyKey !== undefined) await deps.store.finishIdempotency(key.id, idempotencyKey, text);
      Object.assign(call, summary(result.answer), { status: 200 });
      sendJson(res, 200, text);
    })()
      .catch((err: unknown) => {
        const refusal =
          err instanceof Refusal
            ? err
            : new Refusal(500, 'internal', `front-why failed to answer (ref ${deps.onError(err)}); try again`);
        call.status = refusal.status;
        call.code = refusal.code;
        const error: ApiError = {
          error: {
            code: refusal.code,
            message: refusal.message,
            ...(refusal.retryAfterSeconds !== undefined ? { retry_after: refusal.retryAfterSeconds } : {}),
          },
        };
        sendJson(res, refusal.status, JSON.stringify(error), {
          ...refusal.headers,
          ...(refusal.retryAfterSeconds !== undefined ? { 'retry-after': String(refusal.retryAfterSeconds) } : {}),
          ...(refusal.status === 401 ? { 'www-authenticate': 'Bearer realm="front-why"' } : {}),
          // A body not read is never read: the connection closes after the answer.
          ...(bodyRead ? {} : { connection: 'close' }),
        });
      })
      .finally(() => deps.onCall(call));
  };
}

async function authenticate(deps: ApiDeps, header: string | undefined): Promise<ApiKey> {
  const presented = bearerKey(header);
  if (presented === undefined) {
    throw new Refusal(401, 'unauthorized', 'send an API key as "Authorization: Bearer <key>" (front-why keys create)');
  }
  const key = await deps.store.findApiKey(hashApiKey(presented));
  if (!key) throw new Refusal(401, 'unauthorized', 'this API key is not known');
  if (key.revokedAt) throw new Refusal(401, 'unauthorized', 'this API key was revoked');
  return key;
}

function tooLarge(limit: number, declared?: number): Refusal {
  const size = declared === undefined ? 'the body is' : `the body is ${declared} bytes,`;
  return new Refusal(413, 'payload_too_large', `${size} over the limit of ${limit} bytes (${limit / 1024} KiB)`);
}

function liveParam(url: string | undefined): boolean {
  const value = new URL(url ?? '/', 'http://front-why.invalid').searchParams.get('live');
  if (value === null || value === 'true') return true;
  if (value === 'false') return false;
  throw new Refusal(400, 'invalid_request', 'live must be true or false');
}

function idempotencyHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new Refusal(400, 'invalid_request', 'Idempotency-Key must be 1–255 printable characters without spaces');
  }
  return value;
}

/** The body as one of the two request shapes, or a 400 that names the field and what was wrong with it. */
function parseRequest(raw: Buffer): DiagnoseRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new Refusal(400, 'invalid_json', `the body is not JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Refusal(400, 'invalid_request', 'the body must be a JSON object');
  }
  // Required at the first call rather than at load: the schemas are zod's, which a start of `serve` need not load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { failedCall, pastedFailure } = require('./schemas') as typeof import('./schemas');
  // The shape is picked by its one telling field, so the error speaks of that shape's fields only.
  const schema = 'paste' in json ? pastedFailure : failedCall;
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.');
  const message =
    issue?.code === 'unrecognized_keys'
      ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : (issue?.message ?? 'invalid request');
  throw new Refusal(400, 'invalid_request', field && !message.startsWith(field) ? `${field}: ${message}` : message);
}

function summary(answer: DiagnoseAnswer): Partial<ApiCall> {
  const first = answer.diagnoses[0];
  return {
    tenant: answer.tenant,
    calls: answer.calls,
    ...(first?.cause ? { cause: first.cause } : {}),
    ...(first?.target ? { target: first.target } : {}),
  };
}

function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}
