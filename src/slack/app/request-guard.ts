import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { App, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../log';
import type { Store } from '../../store';

/** How far a request's signed timestamp may be from our clock, either way (Slack's own rule is five minutes). */
export const REQUEST_WINDOW_SECONDS = 5 * 60;
/** Replicas' clocks and the store's may disagree a little; a claim outlives the window by this much. */
const CLAIM_MARGIN_SECONDS = 60;
/** Where the receiver leaves the signing headers for the guard; removed before Bolt builds the context. */
const STAMP = 'frontWhySignedRequest';

/** How Slack writes a v0 signature; anything else is refused even if Bolt's looser parsing would accept it. */
export const SIGNATURE_FORMAT = /^v0=[0-9a-f]{64}$/;

interface SignedStamp {
  timestamp: string;
  signature: string;
  /**
   * What was signed, hashed: the timestamp as Bolt read it and the body as Bolt checked it. The same request
   * however its headers are written (`v0=…=`, `0…` in front of the timestamp) has the same key.
   */
  key: string;
}

/**
 * A request that is correctly signed but must not run: its timestamp is too far from now, or its signature was
 * already used. HTTP mode answers it 401, as for a bad signature; Slack itself never sends either.
 */
export class RefusedRequestError extends Error {
  constructor(readonly reason: 'stale' | 'replayed' | 'malformed') {
    super(REFUSALS[reason]);
    this.name = 'RefusedRequestError';
  }
}

const REFUSALS = {
  stale: 'request timestamp is more than five minutes from now',
  replayed: 'request signature already used',
  malformed: 'request signature is not written as Slack writes it',
};

/**
 * For HTTPReceiver's `customPropertiesExtractor`, called once Bolt verified the signature: the signing headers
 * and the key of what they signed, so the guard can read them.
 */
export function signedStamp(req: IncomingMessage & { rawBody?: Buffer }): Record<string, unknown> {
  const timestamp = req.headers['x-slack-request-timestamp'];
  const signature = req.headers['x-slack-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !req.rawBody) return {};
  // Bolt's HMAC covers `v0:${Number(timestamp)}:${body as text}`: two requests with the same such string carry
  // the same signature, whatever bytes or header spelling they arrived with.
  const signed = `v0:${Number(timestamp)}:${req.rawBody.toString()}`;
  const stamp: SignedStamp = { timestamp, signature, key: createHash('sha256').update(signed).digest('hex') };
  return { [STAMP]: stamp };
}

export interface GuardOptions {
  store: Store;
  clock: () => number;
  logger: Logger;
}

/**
 * Runs before Bolt's listeners, after Bolt checked the signature (which only refuses timestamps in the past).
 * Refuses a signature not written exactly as Slack writes it, a timestamp more than five minutes off either way,
 * and a second use of a command's, button's or form's signed content: the claim lives in the store, so every
 * replica refuses it. Events are left to their event-id
 * claims (Slack's retries of an event are legitimate). Socket Mode requests carry no signature: only Slack can
 * send on a connection opened with the app token, so there is nothing to replay there.
 */
export function guardRequests(app: App, options: GuardOptions): void {
  const handle = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent): Promise<void> => {
    const { [STAMP]: raw, ...customProperties } = event.customProperties ?? {};
    const stamp = raw as SignedStamp | undefined;
    if (stamp) await check(stamp, event.body as Record<string, unknown>, options);
    return handle({ ...event, customProperties });
  };
}

async function check(stamp: SignedStamp, body: Record<string, unknown>, options: GuardOptions): Promise<void> {
  const kind = requestKind(body);
  if (!SIGNATURE_FORMAT.test(stamp.signature)) {
    options.logger.warn({ kind }, 'refused a request whose signature is not written as Slack writes it');
    throw new RefusedRequestError('malformed');
  }
  const now = Math.floor(options.clock() / 1000);
  const sent = Number(stamp.timestamp);
  if (!Number.isInteger(sent) || Math.abs(now - sent) > REQUEST_WINDOW_SECONDS) {
    options.logger.warn(
      { kind, skewSeconds: Number.isInteger(sent) ? sent - now : null },
      'refused a request signed too far from now',
    );
    throw new RefusedRequestError('stale');
  }
  if (kind === 'event_callback') return;
  // Valid until its timestamp leaves the window: at most twice the window from now.
  const ttl = sent + REQUEST_WINDOW_SECONDS - now + CLAIM_MARGIN_SECONDS;
  if (!(await options.store.claimEvent(`request:${stamp.key}`, ttl))) {
    options.logger.warn({ kind }, 'refused a replayed request (its signature was already used)');
    throw new RefusedRequestError('replayed');
  }
}

function requestKind(body: Record<string, unknown>): string {
  if (typeof body.command === 'string') return 'command';
  return typeof body.type === 'string' ? body.type : 'unknown';
}
