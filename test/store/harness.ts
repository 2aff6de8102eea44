import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { Keyring, MIGRATIONS, openStore, type Store, type StoreOptions } from '../../src/store';
import { migrate } from '../../src/store/migrations';
import { PostgresDriver } from '../../src/store/postgres-driver';
import { SqliteDriver } from '../../src/store/sqlite-driver';

/** One fresh database location, reopenable as often as a test wants, inspectable below the Store API. */
export interface Harness {
  kind: 'sqlite' | 'postgres';
  /** What `openStore` takes; also handed to child processes. */
  location: string;
  open(keyring: Keyring, options?: StoreOptions): Promise<Store>;
  /** Every byte the database holds for this location (SQLite: the file, WAL and SHM; Postgres: each row as text). */
  rawDump(): Promise<Buffer>;
  /** Writes tenant `from`'s encrypted token onto tenant `to`'s row, as an attacker with DB access could. */
  copySealedToken(from: string, to: string): Promise<void>;
  count(table: string): Promise<number>;
  migrationVersions(): Promise<number[]>;
  addMigrationRow(version: number): Promise<void>;
  /** Builds the schema as a release that knew versions up to `version` left it, as an upgrade finds it. */
  migrateTo(version: number): Promise<void>;
  /** Runs SQL below the Store API, in this location's schema. */
  exec(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

abstract class BaseHarness {
  private readonly stores: Store[] = [];

  abstract readonly location: string;

  async open(keyring: Keyring, options?: StoreOptions): Promise<Store> {
    const store = await openStore(this.location, keyring, options);
    this.stores.push(store);
    return store;
  }

  protected async closeStores(): Promise<void> {
    await Promise.all(this.stores.map((s) => s.close().catch(() => undefined)));
  }
}

export class SqliteHarness extends BaseHarness implements Harness {
  readonly kind = 'sqlite';
  readonly location: string;
  private readonly root: string;
  private readonly dir: string;

  constructor() {
    super();
    this.root = mkdtempSync(join(tmpdir(), 'fw-store-'));
    // A directory that does not exist yet: the store must create it.
    this.dir = join(this.root, 'data');
    this.location = join(this.dir, 'front-why.db');
  }

  private withDb<T>(fn: (db: Database.Database) => T): T {
    const db = new Database(this.location, { timeout: 10_000 });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  async rawDump(): Promise<Buffer> {
    if (!existsSync(this.dir)) return Buffer.alloc(0);
    return Buffer.concat(readdirSync(this.dir).map((f) => readFileSync(join(this.dir, f))));
  }

  async copySealedToken(from: string, to: string): Promise<void> {
    this.withDb((db) =>
      db
        .prepare(
          `UPDATE tenants SET (token_key_id, token_nonce, token_ciphertext, token_tag) =
             (SELECT token_key_id, token_nonce, token_ciphertext, token_tag FROM tenants WHERE name = ?)
           WHERE name = ?`,
        )
        .run(from, to),
    );
  }

  async count(table: string): Promise<number> {
    return this.withDb((db) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
  }

  async migrationVersions(): Promise<number[]> {
    return this.withDb((db) =>
      (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
  }

  async addMigrationRow(version: number): Promise<void> {
    this.withDb((db) =>
      db
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(version, 'future', 0),
    );
  }

  async migrateTo(version: number): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const driver = SqliteDriver.open(this.location);
    try {
      await migrate(
        driver,
        new Date(),
        MIGRATIONS.filter((m) => m.version <= version),
      );
    } finally {
      await driver.close();
    }
  }

  async exec(sql: string): Promise<void> {
    this.withDb((db) => db.exec(sql));
  }

  async dispose(): Promise<void> {
    await this.closeStores();
    rmSync(this.root, { recursive: true, force: true });
  }
}

export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function testPostgresUrl(): string {
  return process.env.FRONT_WHY_TEST_POSTGRES_URL || DEFAULT_TEST_POSTGRES_URL;
}

/**
 * Jest collects `describe` blocks synchronously, so reachability is decided by a short-lived child process
 * before any test is declared.
 */
export function probePostgres(url: string): { ok: true } | { ok: false; reason: string } {
  const script = `
    const { Client } = require('pg');
    const c = new Client({ connectionString: process.env.PROBE_URL, connectionTimeoutMillis: 3000 });
    c.connect().then(() => c.query('SELECT 1')).then(() => c.end()).then(
      () => process.exit(0),
      (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, PROBE_URL: url },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.status === 0 ? { ok: true } : { ok: false, reason: (r.stderr || r.error?.message || 'no answer').trim() };
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export class PostgresHarness extends BaseHarness implements Harness {
  readonly kind = 'postgres';
  readonly location: string;
  readonly schema = `fw_test_${randomBytes(6).toString('hex')}`;

  private constructor(
    private readonly admin: Client,
    url: string,
  ) {
    super();
    this.location = withSearchPath(url, this.schema);
  }

  static async create(url: string): Promise<PostgresHarness> {
    const admin = new Client({ connectionString: url });
    await admin.connect();
    const h = new PostgresHarness(admin, url);
    await admin.query(`CREATE SCHEMA ${h.schema}`);
    return h;
  }

  private get s(): string {
    return this.schema;
  }

  async rawDump(): Promise<Buffer> {
    const { rows: tables } = await this.admin.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [this.s],
    );
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const { rows } = await this.admin.query<{ t: string }>(`SELECT r::text AS t FROM ${this.s}.${table_name} r`);
      parts.push(...rows.map((r) => r.t));
    }
    return Buffer.from(parts.join('\n'), 'utf8');
  }

  async copySealedToken(from: string, to: string): Promise<void> {
    await this.admin.query(
      `UPDATE ${this.s}.tenants t SET token_key_id = f.token_key_id, token_nonce = f.token_nonce,
         token_ciphertext = f.token_ciphertext, token_tag = f.token_tag
       FROM ${this.s}.tenants f WHERE f.name = $1 AND t.name = $2`,
      [from, to],
    );
  }

  async count(table: string): Promise<number> {
    const { rows } = await this.admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.${table}`);
    return Number(rows[0]?.n);
  }

  async migrationVersions(): Promise<number[]> {
    const { rows } = await this.admin.query<{ version: number }>(
      `SELECT version FROM ${this.s}.schema_migrations ORDER BY version`,
    );
    return rows.map((r) => r.version);
  }

  async addMigrationRow(version: number): Promise<void> {
    await this.admin.query(
      `INSERT INTO ${this.s}.schema_migrations (version, name, applied_at) VALUES ($1, 'future', now())`,
      [version],
    );
  }

  async migrateTo(version: number): Promise<void> {
    const driver = await PostgresDriver.open(this.location);
    try {
      await migrate(
        driver,
        new Date(),
        MIGRATIONS.filter((m) => m.version <= version),
      );
    } finally {
      await driver.close();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.withClient((c) => c.query(sql));
  }

  private async withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.location });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  /** Ends the rule-reload listeners of this schema's stores, as a database restart or a network cut would. */
  async terminateListeners(): Promise<number> {
    const { rowCount } = await this.admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = left('front-why reloads ' || $1, 63)`,
      [this.s],
    );
    return rowCount ?? 0;
  }

  async dispose(): Promise<void> {
    await this.closeStores();
    await this.admin.query(`DROP SCHEMA IF EXISTS ${this.s} CASCADE`);
    await this.admin.end();
  }
}

/** A Front-like token: a JWT whose signature part is random, so every test token is unique. */
export function fakeToken(): string {
  const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');
  const payload = { iss: 'front', sub: randomBytes(8).toString('hex'), scopes: ['shared:*'] };
  return `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify(payload))}.${b64(randomBytes(32))}`;
}

export function newKey(): string {
  return randomBytes(32).toString('base64');
}

export function keyring(text: string): Keyring {
  return Keyring.parse(text);
}
