import { createHash } from 'node:crypto';
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

  it('version 6: a watch named "default" beside a stored tenant of that name keeps it only where its channel is bound to it', async () => {
    const at = new Date('2025-01-01T00:00:00Z');
    await migrateSqlite(
      db,
      at,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    db.exec(`
      INSERT INTO tenants (name, added_at, updated_at, token_key_id, token_nonce, token_ciphertext, token_tag)
        VALUES ('default', 0, 0, 'k1', X'00', X'00', X'00');
      INSERT INTO channel_bindings (team_id, channel_id, tenant, bound_by, bound_at) VALUES ('T1', 'C1', 'default', 'U1', 0);
    `);
    const watch = db.prepare(
      `INSERT INTO watches (id, tenant, team_id, channel_id, thread_ts, target, label, cause, state, started_by,
         started_at, next_check_at, expires_at) VALUES (?, 'default', 'T1', ?, '1.1', 'cnv_1', 'cnv_1', 'c', 'active', 'U1', 0, 0, 1)`,
    );
    watch.run('w1', 'C1');
    watch.run('w2', 'C2');
    await migrateSqlite(db, at);
    // In C2 it may have used FRONT_API_TOKEN or the stored tenant: which cannot be told, so it ends.
    expect(db.prepare('SELECT id, tenant_id FROM watches ORDER BY id').all()).toEqual([
      { id: 'w1', tenant_id: 'v5:default' },
      { id: 'w2', tenant_id: null },
    ]);
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

describe('released migrations', () => {
  // A database at version N was built by exactly this text: changing it (a column type, a space) would leave
  // databases created before and after the change with different tables under the same version.
  const RELEASED_TEXT = {
    sqlite: [
      '631b49eb0b0f20a4',
      '834b91e13c171999',
      'dccf1f6d86f9617e',
      '17bad0a6108d64f9',
      '6be70d70c0bd4381',
      'e51d8398e4a90bb3',
      '89e47bc1930ffa97',
      'd60ef60eb67d4bea',
      '610a9cab5de5bd73',
      '2ef96b438f9f0a41',
      '477232a6307dd0d0',
    ],
    postgres: [
      '03cf383674d57eef',
      '95ea48c0c12db463',
      '7b85a195da7a5efc',
      'c970d9988d35ad6d',
      'fdf90892dbf46b9b',
      '35b227302b46a185',
      'aaccfd92230dcdee',
      'f433fd3ac6bab179',
      '6b739de8edf85dbf',
      'c9da40b148e9339a',
      '6f78cc9655911abc',
    ],
  };

  it.each(['sqlite', 'postgres'] as const)('versions 1–11 send, on %s, the text they were released with', (kind) => {
    const texts = MIGRATIONS.filter((m) => m.version <= 11).map((m) => ('sql' in m ? '' : m[kind]));
    expect(texts.map((t) => createHash('sha256').update(t).digest('hex').slice(0, 16))).toEqual(RELEASED_TEXT[kind]);
  });
});
