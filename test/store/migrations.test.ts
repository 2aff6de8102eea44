import Database from 'better-sqlite3';
import { MIGRATIONS, isStoreError, type Migration } from '../../src/store';
import { migrateSqlite } from '../../src/store/migrations';

const extra: Migration = {
  version: 2,
  name: 'test: a column',
  sqlite: 'ALTER TABLE tenants ADD COLUMN note TEXT;',
  postgres: 'ALTER TABLE tenants ADD COLUMN note text;',
};

describe('migrateSqlite', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => db.close());

  it('applies pending versions once, in order, and records them', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    expect(migrateSqlite(db, now)).toEqual([1]);
    expect(migrateSqlite(db, now)).toEqual([]);
    expect(migrateSqlite(db, now, [extra, ...MIGRATIONS])).toEqual([2]);
    expect(db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all()).toEqual([
      { version: 1, applied_at: now.getTime() },
      { version: 2, applied_at: now.getTime() },
    ]);
  });

  it('rolls back a failed migration entirely', () => {
    const broken: Migration = { ...extra, sqlite: 'ALTER TABLE tenants ADD COLUMN note TEXT; THIS IS NOT SQL;' };
    expect(() => migrateSqlite(db, new Date(), [...MIGRATIONS, broken])).toThrow();
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables).toEqual([]);
  });

  it('refuses a schema newer than the build', () => {
    migrateSqlite(db, new Date(), [...MIGRATIONS, extra]);
    let caught: unknown;
    try {
      migrateSqlite(db, new Date());
    } catch (err) {
      caught = err;
    }
    expect(isStoreError(caught, 'schema_too_new')).toBe(true);
  });
});
