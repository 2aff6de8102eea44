import type { Pool, PoolClient } from 'pg';

/**
 * Required on first use, not at the top: a SQLite store (one replica, every CLI command on a laptop) never needs
 * the PostgreSQL client, and it is one of the largest modules a start would otherwise load.
 */
function pg(): typeof import('pg') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('pg') as typeof import('pg');
}
import { nested, type Driver, type Executor } from './driver';
import { listenForReloads, RELOAD_CHANNEL } from './postgres-listen';
import { raw, sql, type Sql } from './sql';
import { StoreError } from './store-error';

/** node-postgres waits forever by default; a start-up against a blackholed host should fail instead. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Any constant works; it only has to be the same in every replica. ("fwmigr" in ASCII.) */
const MIGRATION_LOCK = 0x66776d696772;

/** Where we tried to connect, without the user or password the URL may carry. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'the configured PostgreSQL URL';
  }
}

/** node-postgres sends a Date as timestamptz, a boolean as boolean and a list as an array; only undefined needs care. */
const encode = (value: unknown): unknown => value ?? null;

class Session implements Executor {
  constructor(
    private readonly client: Pool | PoolClient,
    private readonly depth: number,
  ) {}

  async all<Row>(statement: Sql): Promise<Row[]> {
    const { text, values } = statement.render((n) => `$${n}`);
    return (await this.client.query(text, values.map(encode))).rows as Row[];
  }

  async run(statement: Sql): Promise<number> {
    const { text, values } = statement.render((n) => `$${n}`);
    return (await this.client.query(text, values.map(encode))).rowCount ?? 0;
  }

  async exec(text: string): Promise<void> {
    await this.client.query(text);
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const client = this.client;
    if (client instanceof pg().Pool) return withClient(client, (c) => new Session(c, 0).transaction(fn));
    return nested(
      (text) => client.query(text),
      this.depth,
      'BEGIN',
      () => fn(new Session(client, this.depth + 1)),
    );
  }
}

async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

export class PostgresDriver extends Session implements Driver {
  readonly kind = 'postgres';
  readonly shared = true;
  readonly types = { text: 'text', integer: 'integer', time: 'timestamptz', boolean: 'boolean', tableOptions: '' };
  /** Row locks: a concurrent writer of the same rows waits for this transaction instead of overwriting it. */
  readonly forUpdate = raw('FOR UPDATE');
  /** Replicas picking due rows at the same moment each take different ones instead of queueing on them. */
  readonly skipLocked = raw('FOR UPDATE SKIP LOCKED');
  readonly #listeners = new Set<{ close(): Promise<void> }>();
  #closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly url: string,
  ) {
    super(pool, 0);
  }

  /** Connects once, so that a wrong URL or a database that is down is reported at start-up. */
  static async open(url: string, onBackgroundError?: (err: Error) => void): Promise<PostgresDriver> {
    const pool = new (pg().Pool)({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    pool.on('error', (err) => onBackgroundError?.(err));
    try {
      (await pool.connect()).release();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new StoreError(
        'connection_failed',
        `cannot connect to PostgreSQL at ${describePostgresUrl(url)}: ${(err as Error).message}`,
      );
    }
    return new PostgresDriver(pool, url);
  }

  /**
   * A session-level advisory lock serialises replicas starting together: `CREATE TABLE IF NOT EXISTS` racing
   * itself fails on PostgreSQL, and two replicas must not both apply version N. The lock is per database, so
   * deployments in different schemas of one database merely take turns.
   */
  exclusive<T>(fn: (db: Executor) => Promise<T>): Promise<T> {
    return withClient(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        return await fn(new Session(client, 0));
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    });
  }

  isForeignKeyViolation(err: unknown): boolean {
    return (err as { code?: unknown }).code === '23503';
  }

  async wake(generation: number): Promise<void> {
    await this.run(sql`SELECT pg_notify(${RELOAD_CHANNEL}, current_schema() || ':' || ${String(generation)})`);
  }

  async subscribe(
    onWake: (generation: number) => void,
    latest: () => Promise<number>,
    onError: (err: Error) => void,
  ): Promise<{ close(): Promise<void> }> {
    if (this.#closed) throw new StoreError('connection_failed', 'the store is closed');
    const listener = await listenForReloads({
      connect: () => new (pg().Client)({ connectionString: this.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }),
      latest,
      onRequest: onWake,
      onError,
    });
    const tracked = {
      close: async () => {
        this.#listeners.delete(tracked);
        await listener.close();
      },
    };
    this.#listeners.add(tracked);
    return tracked;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#listeners].map((l) => l.close()));
    await this.pool.end();
  }
}
