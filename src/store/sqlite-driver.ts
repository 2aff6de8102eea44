import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { nested, type Driver, type Executor } from './driver';
import { empty, type Sql } from './sql';

/** Long enough to ride out another process's migration or rotation; a claim or activity write takes microseconds. */
const BUSY_TIMEOUT_MS = 10_000;
const CACHED_STATEMENTS = 200;

/** SQLite has no Date, boolean or list type: times are epoch milliseconds, booleans 0/1, lists JSON text. */
function encode(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return JSON.stringify(value);
  return value ?? null;
}

/**
 * A missing database file is created readable by its owner only, before SQLite would create it with 0644 in a
 * directory others may read; SQLite gives its -wal and -shm files the database file's permissions. A file others
 * can read (as releases before this rule left it) is tightened, and `onNotice` says so: it holds the activity log
 * and the teammates' names, and the tokens' ciphertext.
 */
function keepPrivate(path: string, onNotice?: (message: string) => void): void {
  try {
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600));
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
  onNotice?.(
    `${path} could be read by other users (mode ${mode.toString(8)}); it is now readable by its owner only (600)`,
  );
}

/**
 * One transaction at a time per file in this process: every use of a connection waits its turn. better-sqlite3
 * waits for a lock synchronously, so a second connection of this process blocking on the write lock would stop the
 * very process whose transaction holds it; queueing here avoids that, and other processes wait on busy_timeout.
 * Code inside a transaction uses the transaction's executor, never the driver, or it would wait for itself.
 */
class Turns {
  #tail: Promise<unknown> = Promise.resolve();

  take<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.#tail.then(fn);
    this.#tail = turn.catch(() => undefined);
    return turn;
  }
}

const turnsByFile = new Map<string, Turns>();

function turnsFor(db: Database.Database): Turns {
  if (db.memory) return new Turns();
  const file = resolve(db.name);
  let turns = turnsByFile.get(file);
  if (!turns) turnsByFile.set(file, (turns = new Turns()));
  return turns;
}

/** At depth 0 (the driver itself) every use waits its turn; a transaction's executor already has it. */
class Connection implements Executor {
  constructor(
    protected readonly db: Database.Database,
    private readonly turns: Turns,
    private readonly statements: Map<string, Database.Statement>,
    private readonly depth: number,
  ) {}

  private turn<T>(fn: () => T | Promise<T>): Promise<T> {
    const now = async () => fn();
    return this.depth === 0 ? this.turns.take(now) : now();
  }

  private prepare(statement: Sql): { stmt: Database.Statement; values: unknown[] } {
    const { text, values } = statement.render(() => '?');
    let stmt = this.statements.get(text);
    if (!stmt) {
      if (this.statements.size >= CACHED_STATEMENTS) this.statements.clear();
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return { stmt, values: values.map(encode) };
  }

  all<Row>(statement: Sql): Promise<Row[]> {
    return this.turn(() => {
      const { stmt, values } = this.prepare(statement);
      if (stmt.reader) return stmt.all(values) as Row[];
      stmt.run(values);
      return [];
    });
  }

  run(statement: Sql): Promise<number> {
    return this.turn(() => {
      const { stmt, values } = this.prepare(statement);
      return stmt.run(values).changes;
    });
  }

  exec(text: string): Promise<void> {
    return this.turn(() => void this.db.exec(text));
  }

  /**
   * BEGIN IMMEDIATE takes the write lock at once, so two processes on one file queue on it (busy_timeout) instead
   * of failing with SQLITE_BUSY when a read transaction tries to upgrade.
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const tx = new Connection(this.db, this.turns, this.statements, this.depth + 1);
    return this.turn(() =>
      nested(
        (text) => this.db.exec(text),
        this.depth,
        'BEGIN IMMEDIATE',
        () => fn(tx),
      ),
    );
  }
}

export class SqliteDriver extends Connection implements Driver {
  readonly kind = 'sqlite';
  /** One process owns a SQLite file's serving. */
  readonly shared = false;
  readonly types = { text: 'TEXT', integer: 'INTEGER', time: 'INTEGER', boolean: 'INTEGER', tableOptions: ' STRICT' };
  /** A transaction already holds the database's one write lock from its first statement (BEGIN IMMEDIATE). */
  readonly forUpdate = empty;
  readonly skipLocked = empty;
  /** Reload wake-ups reach the subscribers of this process: no other process serves this file. */
  readonly #subscribers = new Set<(generation: number) => void>();

  constructor(db: Database.Database) {
    super(db, turnsFor(db), new Map(), 0);
  }

  /** `:memory:` or a file path, whose missing parent directory is created readable by its owner only. */
  static open(path: string, onNotice?: (message: string) => void): SqliteDriver {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      keepPrivate(path, onNotice);
    }
    const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteDriver(db);
  }

  /** One immediate transaction: a second process starting at the same moment waits, then finds nothing to do. */
  exclusive<T>(fn: (db: Executor) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  isForeignKeyViolation(err: unknown): boolean {
    return (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
  }

  async wake(generation: number): Promise<void> {
    // After the caller has the generation, as a NOTIFY arrives after its transaction commits.
    for (const notify of this.#subscribers) queueMicrotask(() => notify(generation));
  }

  async subscribe(onWake: (generation: number) => void): Promise<{ close(): Promise<void> }> {
    const listener = (generation: number) => onWake(generation);
    this.#subscribers.add(listener);
    return { close: async () => void this.#subscribers.delete(listener) };
  }

  async close(): Promise<void> {
    this.#subscribers.clear();
    if (this.db.open) this.db.close();
  }
}
