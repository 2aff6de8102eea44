import type { Client } from 'pg';
import type { ReloadSubscription } from './store-api';

/** LISTEN/NOTIFY is per database; the payload names the schema, so deployments in other schemas are ignored. */
export const RELOAD_CHANNEL = 'front_why_rules_reload';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;
/** Between two reads of the table that wake-ups asked for: a flood of notifications costs a few reads a second. */
const MIN_READ_GAP_MS = 100;

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
 *
 * Any role that can connect to the database may NOTIFY on the channel, whatever its privileges on front-why's
 * tables, so a notification is only a wake-up: the generation is read from the table (`latest`), never from the
 * payload, and each new generation is handed on once. Wake-ups are coalesced: at most one read in flight and one
 * more asked for after it, however many notifications arrive, with a short gap between reads.
 */
export async function listenForReloads(options: ListenOptions): Promise<ReloadSubscription> {
  let closed = false;
  let client: Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;
  /** The newest generation handed on: one read for several wake-ups must not reload twice. */
  let delivered = 0;
  let reading: Promise<void> | undefined;
  let readAgain = false;

  /** Reads the newest generation, and again after a gap while wake-ups arrived during the read. */
  function refresh(): Promise<void> {
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = (async () => {
      try {
        do {
          readAgain = false;
          const generation = await options.latest();
          if (!closed && generation > delivered) {
            delivered = generation;
            options.onRequest(generation);
          }
          if (readAgain && !closed) await new Promise((resolve) => setTimeout(resolve, MIN_READ_GAP_MS));
        } while (readAgain && !closed);
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  }

  /** A failed read says the database is in trouble: the connection is opened again, and the table read then. */
  function wake(c: Client): void {
    if (reading) {
      readAgain = true;
      return;
    }
    refresh().catch((err: unknown) => {
      if (closed || client !== c) return;
      options.onError(err instanceof Error ? err : new Error(String(err)));
      dropped(c);
    });
  }

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
      // Another deployment's schema is not ours to read for; the number after the colon is not trusted at all.
      if (message.channel !== RELOAD_CHANNEL || !message.payload) return;
      if (message.payload.slice(0, message.payload.lastIndexOf(':')) !== schema) return;
      wake(c);
    });
    await c.query(`LISTEN ${RELOAD_CHANNEL}`);
    retryMs = FIRST_RETRY_MS;
    await refresh();
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
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
        if (client) dropped(client);
        else scheduleRetry();
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
