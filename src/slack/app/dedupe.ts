import type { Store } from '../../store';

/** Slack retries for up to about an hour; a claim outlives that comfortably. */
const EVENT_TTL_SECONDS = 6 * 60 * 60;

/**
 * true only for the first delivery of a message, across retries (same event id, `X-Slack-Retry-Num`) and
 * duplicate deliveries (another event id for the same channel and ts). The claims live in the store, so every
 * replica agrees on who answers.
 */
export async function claimMessage(
  store: Store,
  eventId: string | undefined,
  channel: string,
  ts: string,
): Promise<boolean> {
  if (eventId && !(await store.claimEvent(`event:${eventId}`, EVENT_TTL_SECONDS))) return false;
  return store.claimEvent(`message:${channel}:${ts}`, EVENT_TTL_SECONDS);
}
