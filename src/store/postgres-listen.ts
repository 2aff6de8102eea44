import type { Client } from 'pg';
import type { ReloadSubscription } from './store-api';

/** LISTEN/NOTIFY is per database; the payload names the schema, so deployments in other schemas are ignored. */
export const RELOAD_CHANNEL = 'front_why_rules_reload';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

export interface ListenOptions {
  /** A fresh, unconnected client each time: a pg Client cannot connect twice. */
  connect: () => Client;
  /** The newest generation asked for, read after each connection. */
  latest: () => Promise<number>;
  onRequest: (generation: number) => void;
  onError: (err: Error) => void;
}

/**
 * A connection of its own (a pooled one would be handed to queries and lose its LISTEN), kept open: when it drops
 * it is opened again after a growing pause, and the newest generation is read, so a request made while it was
 * down is not lost. Resolves once the first connection listens; rejects if that first one fails.
 */
export async function listenForReloads(options: ListenOptions): Promise<ReloadSubscription> {
  let closed = false;
  let client: Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;

  async function open(): Promise<void> {
    const c = options.connect();
    client = c;
    c.on('error', (err) => {
      options.onError(err);
      dropped(c);
    });
    c.on('end', () => dropped(c));
    await c.connect();
    // Named for operators (and tests) reading pg_stat_activity: which deployment's listener this is.
    const { rows } = await c.query<{ schema: string }>(
      `SELECT current_schema() AS schema, set_config('application_name', left('front-why reloads ' || current_schema(), 63), false)`,
    );
    const schema = rows[0]?.schema ?? '';
    c.on('notification', (message) => {
      if (message.channel !== RELOAD_CHANNEL || !message.payload) return;
      const at = message.payload.lastIndexOf(':');
      if (message.payload.slice(0, at) !== schema) return;
      const generation = Number(message.payload.slice(at + 1));
      if (Number.isSafeInteger(generation) && generation > 0) options.onRequest(generation);
    });
    await c.query(`LISTEN ${RELOAD_CHANNEL}`);
    retryMs = FIRST_RETRY_MS;
    const latest = await options.latest();
    if (latest > 0 && !closed) options.onRequest(latest);
  }

  function dropped(c: Client): void {
    if (closed || client !== c) return;
    client = undefined;
    c.end().catch(() => undefined);
    scheduleRetry();
  }

  function scheduleRetry(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (closed) return;
      open().catch((err: unknown) => {
        options.onError(err instanceof Error ? err : new Error(String(err)));
        const c = client;
        client = undefined;
        c?.end().catch(() => undefined);
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
        scheduleRetry();
      });
    }, retryMs);
  }

  try {
    await open();
  } catch (err) {
    closed = true;
    await client?.end().catch(() => undefined);
    throw err;
  }

  return {
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
