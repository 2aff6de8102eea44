import { slackRateLimited } from './failure';

/**
 * Slack rate limits a Web API method per workspace with HTTP 429 and Retry-After. The client (`rejectRateLimitedCalls`)
 * and the chat calls (chat-call.ts) reject such a call at once, so nothing else waits behind it; where a delay is harmless (a thread reply, a
 * private note, the connect result) the call is tried again here after Retry-After, a bounded number of times.
 * Where it is not (opening a modal: its trigger expires in 3 seconds) the caller does not retry and says so.
 */
export interface RetryPolicy {
  /** Tries after the first. */
  retries: number;
  /** A longer Retry-After is not waited for: the call fails with the rate-limit error. */
  maxWaitSeconds: number;
  sleep: (ms: number) => Promise<void>;
}

export const REPLY_RETRY: RetryPolicy = {
  retries: 2,
  maxWaitSeconds: 20,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Seconds Slack asked to wait, from the client's rate-limit error; undefined for any other error. */
export function retryAfterSeconds(err: unknown): number | undefined {
  if (!slackRateLimited(err)) return undefined;
  const value = (err as { retryAfter?: unknown }).retryAfter;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export async function retryRateLimited<T>(call: () => Promise<T>, policy: RetryPolicy = REPLY_RETRY): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      const wait = retryAfterSeconds(err);
      if (wait === undefined || attempt >= policy.retries || wait > policy.maxWaitSeconds) throw err;
      await policy.sleep(wait * 1000);
    }
  }
}
