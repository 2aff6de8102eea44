import type { Sql } from './sql';

/** Runs statements on one connection (or, for a driver, on whichever connection is free). */
export interface Executor {
  /** The rows a statement returns (a SELECT, or a write with RETURNING). */
  all<Row = Record<string, unknown>>(statement: Sql): Promise<Row[]>;
  /** How many rows a write changed. */
  run(statement: Sql): Promise<number>;
  /** Statements without values, several at once: a migration's DDL. */
  exec(text: string): Promise<void>;
  /** All of `fn` or none of it; nested calls are savepoints. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
}

/** Column types for a migration written once; each driver names its database's own. */
export interface ColumnTypes {
  text: string;
  integer: string;
  /** A point in time: epoch milliseconds on SQLite, timestamptz on PostgreSQL. */
  time: string;
  boolean: string;
  /** Written after a CREATE TABLE's closing parenthesis: SQLite's STRICT, nothing on PostgreSQL. */
  tableOptions: string;
}

/**
 * What the store needs of a database, and the only place where the two databases differ. A value handed to a
 * statement is encoded by the driver (a Date, a boolean, a list of strings); rows are decoded by the column lists
 * in rows.ts, which read either database's form.
 */
export interface Driver extends Executor {
  readonly kind: 'sqlite' | 'postgres';
  /** true when several processes may share the database, so state shared between replicas must live in it. */
  readonly shared: boolean;
  readonly types: ColumnTypes;
  /** Appended to a SELECT of rows the same transaction then writes; see each driver for why. */
  readonly forUpdate: Sql;
  /** Appended to a SELECT that picks rows to lease, so concurrent pickers take different rows. */
  readonly skipLocked: Sql;
  /** Runs `fn` while no other process sharing the database runs its own `exclusive` (migrations). */
  exclusive<T>(fn: (db: Executor) => Promise<T>): Promise<T>;
  isForeignKeyViolation(err: unknown): boolean;
  /** Tells every subscriber, in every process sharing the database, that `generation` was asked for. */
  wake(generation: number): Promise<void>;
  subscribe(
    onWake: (generation: number) => void,
    latest: () => Promise<number>,
    onError: (err: Error) => void,
  ): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
}

/** BEGIN (as the driver says) at the top, savepoints below: all of `fn` or none of it. */
export async function nested<T>(
  exec: (text: string) => unknown,
  depth: number,
  begin: string,
  fn: () => Promise<T>,
): Promise<T> {
  const savepoint = `sp${depth}`;
  await exec(depth === 0 ? begin : `SAVEPOINT ${savepoint}`);
  try {
    const result = await fn();
    await exec(depth === 0 ? 'COMMIT' : `RELEASE SAVEPOINT ${savepoint}`);
    return result;
  } catch (err) {
    // A database that already ended the transaction (SQLite after some errors) refuses the rollback: nothing is lost.
    await (async () => exec(depth === 0 ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}`))().catch(() => undefined);
    throw err;
  }
}
