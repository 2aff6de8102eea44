import { SocketModeReceiver, type App, type HTTPReceiver } from './bolt';
import type { Logger } from '../../log';
import type { ListeningServer } from './http-server';
import type { InFlight } from './inflight';

/**
 * After the grace period, the Front calls still running are cut short; this long is then left for those checks
 * to post what they found ("could not check …") and write their activity line before the store closes.
 */
const WRAP_UP_MS = 2_000;

/** A started app: what stopping it has to close. */
export interface Running {
  mode: 'http' | 'socket';
  app: App;
  receiver: HTTPReceiver | SocketModeReceiver;
  /** What listens on PORT (Slack's requests in HTTP mode, /healthz and /readyz in both), and the metrics port. */
  servers: ListeningServer[];
}

/**
 * Waits until no request and no check is running, or until `deadline`; true when everything finished.
 * Requests first: a request's listener may still start a check.
 */
export function drainer(requests: InFlight, checks: InFlight): (deadline: number) => Promise<boolean> {
  return async (deadline) => {
    for (const work of [requests, checks]) {
      if (!(await work.drain(Math.max(0, deadline - Date.now())))) return false;
    }
    return requests.size === 0 && checks.size === 0;
  };
}

export interface StopOptions {
  graceMs: number;
  logger: Logger;
  checks: InFlight;
  drain: (deadline: number) => Promise<boolean>;
  /** Closing a connection aborts its requests. */
  closeConnections: () => Promise<void>;
}

/**
 * The stop sequence, once new work is refused: let the checks running finish within the grace period, then cut
 * their Front calls short and leave them a moment to answer, and only then stop listening (until here new
 * requests got a polite refusal rather than a connection error) and close every Front connection.
 */
export async function stopRunning(
  current: Running,
  { graceMs, logger, checks, drain, closeConnections }: StopOptions,
): Promise<void> {
  const { mode } = current;
  logger.info(
    { mode, running: checks.size, graceMs },
    'stopping: new requests are refused, checks already running may finish',
  );
  if (!(await drain(Date.now() + graceMs))) {
    logger.warn(
      { running: checks.size, graceMs },
      'checks still running after the grace period: cutting their Front calls short',
    );
    // Each check then answers with what it has ("could not check …").
    await closeConnections();
    if (!(await drain(Date.now() + WRAP_UP_MS)))
      logger.warn({ running: checks.size }, 'stopping without waiting for the checks still running');
  }
  if (current.receiver instanceof SocketModeReceiver) {
    // Bolt's stop() does not wait for the socket to close; the client's disconnect() does.
    await current.receiver.client.disconnect();
  }
  await Promise.all(current.servers.map((server) => server.close()));
  await closeConnections();
  logger.info({ mode }, 'slack app stopped');
}
