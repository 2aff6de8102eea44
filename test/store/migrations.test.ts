import Database from 'better-sqlite3';
import { MIGRATIONS, isStoreError, type Migration } from '../../src/store';
import { migrate } from '../../src/store/migrations';
import { SqliteDriver } from '../../src/store/sqlite-driver';

/** Every version this build knows, and one it does not know yet. */
const KNOWN = MIGRATIONS.map((m) => m.version).sort((a, b) => a - b);
const NEXT = Math.max(...KNOWN) + 1;

const extra: Migration = {
  version: NEXT,
  name: 'test: a column',
  sqlite: 'ALTER TABLE tenants ADD COLUMN note TEXT;',
  postgres: 'ALTER TABLE tenants ADD COLUMN note text;',
};

describe('migrate on SQLite', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => db.close());
  const migrateSqlite = (on: Database.Database, now: Date, migrations?: readonly Migration[]) =>
    migrate(new SqliteDriver(on), now, migrations);

  it('applies pending versions once, in order, and records them', async () => {
    const now = new Date('2025-01-01T00:00:00Z');
    expect(await migrateSqlite(db, now)).toEqual(KNOWN);
    expect(await migrateSqlite(db, now)).toEqual([]);
    expect(await migrateSqlite(db, now, [extra, ...MIGRATIONS])).toEqual([NEXT]);
    expect(db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all()).toEqual(
      [...KNOWN, NEXT].map((version) => ({ version, applied_at: now.getTime() })),
    );
  });

  it('rolls back a failed migration entirely', async () => {
    const broken: Migration = { ...extra, sqlite: 'ALTER TABLE tenants ADD COLUMN note TEXT; THIS IS NOT SQL;' };
    await expect(migrateSqlite(db, new Date(), [...MIGRATIONS, broken])).rejects.toMatchObject({
      message: expect.stringMatching(/syntax error/),
    });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables).toEqual([]);
  });

  it('renames audit_log to activity_log keeping its rows, indexes and ids', async () => {
    await migrateSqlite(
      db,
      new Date(),
      MIGRATIONS.filter((m) => m.version === 1),
    );
    db.exec(
      "INSERT INTO audit_log (at, actor, tenant, action) VALUES (1, 'U1', 'acme', 'diagnose'), (2, 'U2', 'acme', 'tenant.add')",
    );
    db.exec('DELETE FROM audit_log WHERE id = 2');
    expect(await migrateSqlite(db, new Date())).toEqual(KNOWN.filter((v) => v > 1));
    expect(db.prepare('SELECT id, actor, action FROM activity_log').all()).toEqual([
      { id: 1, actor: 'U1', action: 'diagnose' },
    ]);
    const objects = db.prepare("SELECT type, name FROM sqlite_master WHERE name LIKE '%_log%' ORDER BY name").all();
    expect(objects).toEqual([
      { type: 'table', name: 'activity_log' },
      { type: 'index', name: 'activity_log_at' },
      { type: 'index', name: 'activity_log_tenant_at' },
    ]);
    // AUTOINCREMENT's high-water mark moved with the table: a deleted id is never handed out again.
    db.exec("INSERT INTO activity_log (at, actor, action) VALUES (3, 'U3', 'audit')");
    expect(db.prepare("SELECT id FROM activity_log WHERE actor = 'U3'").get()).toEqual({ id: 3 });
  });

  it('refuses a schema newer than the build', async () => {
    await migrateSqlite(db, new Date(), [...MIGRATIONS, extra]);
    let caught: unknown;
    try {
      await migrateSqlite(db, new Date());
    } catch (err) {
      caught = err;
    }
    expect(isStoreError(caught, 'schema_too_new')).toBe(true);
  });
});
