import type { App, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../log';
import { simpleMessage, type SlackMessage } from '../render/block-kit';
import { CONNECT_CALLBACK_ID, TOKEN_BLOCK_ID } from '../render/connect-view';
import { escapeText, truncate } from '../render/escape';
import type { InFlight } from './inflight';

/**
 * An Events API delivery that arrived while stopping. HTTP mode answers it 503 and Socket Mode leaves its
 * envelope unacknowledged: either way Slack delivers it again (at once, after a minute, after five), by then to
 * the restarted process or another replica, and the store's event claims keep it to one reply.
 */
export class RestartingError extends Error {
  constructor() {
    super('front-why is restarting; Slack will deliver this event again');
    this.name = 'RestartingError';
  }
}

export const RESTARTING = ':hourglass_flowing_sand: front-why is restarting and is not starting new checks right now.';

/** Longest command text repeated back so it can be copied (Slack clears the message box after a command). */
const ECHO_MAX = 2_500;

export interface GateOptions {
  stopping: () => boolean;
  /** Every request let through is tracked here until its listeners finish, so a shutdown can wait for it. */
  requests: InFlight;
  logger: Logger;
}

/**
 * Puts a gate in front of Bolt: while serving, every request goes through (and is tracked until its listeners
 * return); once a shutdown began, nothing new starts, and each kind of request gets what Slack handles best:
 *
 * - slash command: acknowledged with a private "restarting, try again in a moment" that repeats the command.
 *   Slack never retries a command, and a non-200 would show the person a bare `dispatch_failed`;
 * - event (a pasted error): not accepted (HTTP 503 / no ack), so Slack retries it later;
 * - button: acknowledged, and a private note through its response_url to click again in a moment;
 * - connect form: kept open with the note on the token field, so submitting again is one click;
 * - anything else: acknowledged and dropped.
 */
export function gateRequests(app: App, options: GateOptions): void {
  const handle = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent): Promise<void> => {
    if (!options.stopping()) return options.requests.track(handle(event));
    await refuse(event, options);
  };
}

async function refuse(event: ReceiverEvent, options: GateOptions): Promise<void> {
  const body = event.body as Record<string, unknown>;
  const kind = typeof body.command === 'string' ? 'command' : typeof body.type === 'string' ? body.type : 'unknown';
  options.logger.info({ kind, retry: event.retryNum }, 'request refused while stopping');
  switch (kind) {
    case 'command': {
      const message = commandRefusal(typeof body.text === 'string' ? body.text : '');
      await event.ack({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
      return;
    }
    case 'event_callback':
      throw new RestartingError();
    case 'block_actions': {
      await event.ack();
      const url = typeof body.response_url === 'string' ? body.response_url : undefined;
      if (url)
        await options.requests.track(
          tellLater(url, simpleMessage(`${RESTARTING} Click the button again in a moment.`), options.logger),
        );
      return;
    }
    case 'view_submission': {
      const view = body.view as { callback_id?: unknown } | undefined;
      if (view?.callback_id === CONNECT_CALLBACK_ID) {
        await event.ack({
          response_action: 'errors',
          errors: { [TOKEN_BLOCK_ID]: 'front-why is restarting: nothing was stored. Submit again in a moment.' },
        });
        return;
      }
      await event.ack();
      return;
    }
    default:
      await event.ack();
  }
}

export function commandRefusal(text: string): SlackMessage {
  const typed = text.trim();
  if (typed === '') return simpleMessage(`${RESTARTING} Try again in a moment.`);
  const shown = escapeText(truncate(typed, ECHO_MAX)).replace(/```/g, "'''");
  return simpleMessage(`${RESTARTING} Try again in a moment:\n\`\`\`/front-why ${shown}\`\`\``);
}

/** A private note through a response_url; best effort, bounded, never thrown. */
async function tellLater(url: string, message: SlackMessage, logger: Logger): Promise<void> {
  try {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') return;
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        response_type: 'ephemeral',
        replace_original: false,
        text: message.text,
        blocks: message.blocks,
      }),
      signal: AbortSignal.timeout(3_000),
    });
    await res.body?.cancel();
  } catch (err) {
    logger.debug({ reason: err instanceof Error ? err.message : String(err) }, 'could not send the restarting note');
  }
}
