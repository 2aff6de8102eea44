import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log';

/** Short enough to read out in a support thread, long enough to find one log line among a day's. */
export function referenceId(): string {
  return randomBytes(4).toString('hex').slice(0, 6).toUpperCase();
}

/**
 * Logs a failure with a fresh reference id and returns it, so the reply can show it. The error goes through
 * the logger's serializer, which scrubs anything token-shaped; callers pass ids and names, never a token.
 */
export function logFailure(logger: Logger, what: string, err: unknown, fields: Record<string, unknown> = {}): string {
  const ref = referenceId();
  logger.error({ ref, err: errorFields(err), ...fields }, `${what} failed`);
  return ref;
}

/**
 * An error as plain fields. The logger's scrubbing formatter walks enumerable keys, and an Error's message and
 * stack are not enumerable, so a raw Error would be logged as `{}`.
 */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const out: Record<string, unknown> = { type: err.name, message: err.message };
  if (err.stack) out.stack = err.stack;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  const slack = slackErrorCode(err);
  if (slack) out.slackError = slack;
  return out;
}

/** The Slack error code (`not_in_channel`, …) of a failed Web API call, when there is one. */
export function slackErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const data = (err as { data?: unknown }).data;
  if (typeof data === 'object' && data !== null && typeof (data as { error?: unknown }).error === 'string') {
    return (data as { error: string }).error;
  }
  return undefined;
}

/**
 * true when a Web API call gave up because Slack rate limited it (HTTP 429 with Retry-After). The client waits
 * and retries on its own; once its retries are spent it throws a request error wrapping this one.
 */
export function slackRateLimited(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, original } = err as { code?: unknown; original?: unknown };
  if (code === 'slack_webapi_rate_limited_error') return true;
  const message =
    typeof original === 'object' && original !== null ? (original as { message?: unknown }).message : undefined;
  return (
    code === 'slack_webapi_request_error' && typeof message === 'string' && /^A rate limit was exceeded\b/.test(message)
  );
}

/** What the person sees when something broke: what could not be done, why in a few words, and the reference. */
export function failureText(what: string, err: unknown, ref: string): string {
  return `:warning: I could not finish ${what}: ${failureReason(err)}. Reference \`${ref}\` (for whoever runs front-why: it is in the logs).`;
}

/** Why, in a few words a support agent can act on; never the error's own text (it may quote a paste). */
export function failureReason(err: unknown): string {
  const slack = slackErrorCode(err);
  if (slack) return `Slack answered \`${slack.replace(/[^a-z0-9_]/gi, '')}\``;
  if (slackRateLimited(err))
    return "Slack is rate limiting front-why's messages right now (`ratelimited`); try again in a minute";
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'slack_webapi_request_error' || code === 'slack_webapi_http_error') return 'Slack could not be reached';
  if (err instanceof Error && err.name === 'StoreError') {
    return `the tenant store failed${typeof code === 'string' ? ` (${code.replace(/[^a-z0-9_]/gi, '')})` : ''}`;
  }
  return 'an unexpected error';
}
