import type { Dispatcher } from 'undici';

/**
 * The three chat methods every answer goes through (chat.postMessage, chat.update, chat.postEphemeral), each one
 * JSON POST to the same Web API the client would call, with the same bot token.
 *
 * The Web API client was the largest allocator of a burst of answers: per call it builds three debug lines
 * (a copy of the arguments, stringified) whether or not debug is logged, JSON-encodes the blocks and then
 * form-encodes that string again, and goes through a queue, a retry wrapper and `fetch`. Slack takes these
 * methods as JSON (https://docs.slack.dev/apis/web-api#posting_json), so a post here is one `JSON.stringify`.
 *
 * Failures carry the client's error codes and fields (`data.error`, `retryAfter`, `original`), so everything
 * that reads a Slack failure (send/failure.ts) reads these the same way. Retries are the client's too.
 */
export type ChatMethod = 'chat.postMessage' | 'chat.update' | 'chat.postEphemeral';

/** What a call needs of the Web API client it stands in for: its token and where its API is. */
export interface ChatTarget {
  readonly token?: string;
  readonly slackApiUrl: string;
}

export interface ChatResult {
  ok: true;
  ts?: string;
  [key: string]: unknown;
}

/** The Web API client's settings for every call front-why makes (receiver.ts hands them to the client too). */
export const SLACK_CALL_TIMEOUT_MS = 10_000;
/** The SDK default retries for half an hour; a reply that late helps no one, and a retried post may duplicate. */
export const SLACK_RETRY = { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000 } as const;

/**
 * Chat calls in flight at once, process-wide, as the Web API client allowed per client (its maxRequestConcurrency):
 * a burst of answers waits for a connection rather than opening one each.
 */
export const MAX_CHAT_CALLS_IN_FLIGHT = 100;
let inFlight = 0;
const waiting: (() => void)[] = [];

async function takeSlot(): Promise<void> {
  if (inFlight < MAX_CHAT_CALLS_IN_FLIGHT) {
    inFlight += 1;
    return;
  }
  // The slot is handed over by the call that frees it, so the count never passes the bound.
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function releaseSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else inFlight -= 1;
}

/** Slack's answer to a chat call is the message echoed back: a few KB. Anything past this is not Slack. */
const MAX_ANSWER_BYTES = 1 << 20;

export interface ChatCallOptions {
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
}

type SlackErrorCode =
  | 'slack_webapi_platform_error'
  | 'slack_webapi_rate_limited_error'
  | 'slack_webapi_http_error'
  | 'slack_webapi_request_error';

/** A failed chat call, with the fields @slack/web-api's errors have for the same failure. */
export class SlackCallError extends Error {
  override readonly name = 'SlackCallError';
  /** Slack's answer when it said `ok: false` (`data.error` is its code: not_in_channel, …). */
  readonly data?: Record<string, unknown>;
  /** Seconds Slack asked to wait (HTTP 429). */
  readonly retryAfter?: number;
  readonly statusCode?: number;
  /** Why no answer came (refused, reset, timed out). */
  readonly original?: Error;
  constructor(
    readonly code: SlackErrorCode,
    message: string,
    fields: { data?: Record<string, unknown>; retryAfter?: number; statusCode?: number; original?: Error } = {},
  ) {
    super(message);
    Object.assign(this, fields);
  }
}

let loadedRequest: typeof import('undici').request | undefined;

/**
 * Required at the first post, not at load: undici is the largest module the CLI would load, and `explain` never posts.
 * The posts go through undici's global dispatcher, as `fetch` does.
 */
function undiciRequest(): typeof import('undici').request {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loadedRequest ??= (require('undici') as typeof import('undici')).request;
  return loadedRequest;
}

export async function chatCall(
  target: ChatTarget,
  method: ChatMethod,
  args: Record<string, unknown>,
  options: ChatCallOptions = {},
): Promise<ChatResult> {
  const body = JSON.stringify(args);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt += 1) {
    await takeSlot();
    let failure: unknown;
    try {
      return await sendOnce(target, method, body, options);
    } catch (err) {
      failure = err;
    } finally {
      releaseSlot();
    }
    // As the client: a call that got no usable HTTP answer is tried again; Slack's own verdicts are final.
    const transient =
      failure instanceof SlackCallError &&
      (failure.code === 'slack_webapi_request_error' || failure.code === 'slack_webapi_http_error');
    if (!transient || attempt >= SLACK_RETRY.retries) throw failure;
    await sleep(Math.min(SLACK_RETRY.minTimeout * SLACK_RETRY.factor ** attempt, SLACK_RETRY.maxTimeout));
  }
}

async function sendOnce(
  target: ChatTarget,
  method: ChatMethod,
  body: string,
  options: ChatCallOptions,
): Promise<ChatResult> {
  const request = undiciRequest();
  // A timer cleared as soon as the answer is read: AbortSignal.timeout leaves each post's timer pending for the whole
  // timeout, so a burst of posts kept hundreds alive long enough to reach the old generation.
  const timeoutMs = options.timeoutMs ?? SLACK_CALL_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  let answer: Dispatcher.ResponseData;
  let text: string;
  try {
    answer = await request(`${target.slackApiUrl}${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      },
      body,
      signal: controller.signal,
    });
    text = await readCapped(answer.body);
  } catch (err) {
    throw requestError(err);
  } finally {
    clearTimeout(timer);
  }
  if (answer.statusCode === 429) {
    // Slack always says how long to wait; without it the caller gives up on the call rather than guess.
    const seconds = Number(answer.headers['retry-after']);
    const known = answer.headers['retry-after'] !== undefined && Number.isFinite(seconds) && seconds >= 0;
    throw new SlackCallError('slack_webapi_rate_limited_error', `Slack rate limited ${method}`, {
      ...(known ? { retryAfter: seconds } : {}),
    });
  }
  // Slack's Web API uses no status besides 200 and 429 for an answer it means.
  if (answer.statusCode !== 200)
    throw new SlackCallError(
      'slack_webapi_http_error',
      `An HTTP protocol error occurred: statusCode = ${answer.statusCode}`,
      {
        statusCode: answer.statusCode,
      },
    );
  let result: unknown;
  try {
    result = JSON.parse(text);
  } catch {
    throw new SlackCallError('slack_webapi_http_error', 'Slack answered with something other than JSON', {
      statusCode: answer.statusCode,
    });
  }
  if (typeof result !== 'object' || result === null || (result as { ok?: unknown }).ok !== true) {
    const data = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
    throw new SlackCallError(
      'slack_webapi_platform_error',
      `An API error occurred: ${typeof data.error === 'string' ? data.error : 'unknown'}`,
      { data },
    );
  }
  return result as ChatResult;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      throw new Error(`Slack's answer passed ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function requestError(err: unknown): SlackCallError {
  const original = err instanceof Error ? err : new Error(String(err));
  return new SlackCallError('slack_webapi_request_error', `A request error occurred: ${original.message}`, {
    original,
  });
}
