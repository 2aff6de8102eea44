import type { ColumnTypes, Driver } from './driver';
import { sql } from './sql';
import { StoreError } from './store-error';

/**
 * One entry per schema change, never edited once released: a replica that started on version N must find
 * the same tables N means everywhere. Versions 1–5 were written per database (SQLite keeps times as epoch
 * milliseconds, PostgreSQL as timestamptz) and stay byte for byte; a new one is written once, its column types
 * named by the driver.
 */
export type Migration = { version: number; name: string } & (
  { sqlite: string; postgres: string } | { sql: (types: ColumnTypes) => string }
);

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, bindings, settings, audit log, event claims, key checks',
    sqlite: `
      CREATE TABLE tenants (
        name TEXT PRIMARY KEY,
        company_id TEXT,
        company_name TEXT,
        scopes TEXT,
        checked_at INTEGER,
        added_by TEXT,
        added_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        token_key_id TEXT NOT NULL,
        token_nonce BLOB NOT NULL,
        token_ciphertext BLOB NOT NULL,
        token_tag BLOB NOT NULL
      ) STRICT;
      CREATE TABLE channel_bindings (
        team_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        tenant TEXT NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
        bound_by TEXT NOT NULL,
        bound_at INTEGER NOT NULL,
        PRIMARY KEY (team_id, channel_id)
      ) STRICT;
      CREATE INDEX channel_bindings_tenant ON channel_bindings (tenant);
      CREATE TABLE channel_settings (
        team_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        listen INTEGER NOT NULL DEFAULT 0,
        allow_external INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (team_id, channel_id)
      ) STRICT;
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        team_id TEXT,
        channel_id TEXT,
        tenant TEXT,
        action TEXT NOT NULL,
        target TEXT,
        cause TEXT,
        detail TEXT
      ) STRICT;
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_tenant_at ON audit_log (tenant, at, id);
      CREATE TABLE event_claims (
        key TEXT PRIMARY KEY,
        claimed_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX event_claims_expires ON event_claims (expires_at);
      CREATE TABLE encryption_keys (
        key_id TEXT PRIMARY KEY,
        check_nonce BLOB NOT NULL,
        check_ciphertext BLOB NOT NULL,
        check_tag BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `,
    postgres: `
      CREATE TABLE tenants (
        name text PRIMARY KEY,
        company_id text,
        company_name text,
        scopes text[],
        checked_at timestamptz,
        added_by text,
        added_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        token_key_id text NOT NULL,
        token_nonce bytea NOT NULL,
        token_ciphertext bytea NOT NULL,
        token_tag bytea NOT NULL
      );
      CREATE TABLE channel_bindings (
        team_id text NOT NULL,
        channel_id text NOT NULL,
        tenant text NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
        bound_by text NOT NULL,
        bound_at timestamptz NOT NULL,
        PRIMARY KEY (team_id, channel_id)
      );
      CREATE INDEX channel_bindings_tenant ON channel_bindings (tenant);
      CREATE TABLE channel_settings (
        team_id text NOT NULL,
        channel_id text NOT NULL,
        listen boolean NOT NULL DEFAULT false,
        allow_external boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (team_id, channel_id)
      );
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        team_id text,
        channel_id text,
        tenant text,
        action text NOT NULL,
        target text,
        cause text,
        detail text
      );
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_tenant_at ON audit_log (tenant, at, id);
      CREATE TABLE event_claims (
        key text PRIMARY KEY,
        claimed_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX event_claims_expires ON event_claims (expires_at);
      CREATE TABLE encryption_keys (
        key_id text PRIMARY KEY,
        check_nonce bytea NOT NULL,
        check_ciphertext bytea NOT NULL,
        check_tag bytea NOT NULL,
        created_at timestamptz NOT NULL
      );
    `,
  },
  {
    // The log of who did what is the activity log; "audit" is the teammate sweep. The rows stay as they are.
    version: 2,
    name: 'audit_log renamed activity_log',
    sqlite: `
      ALTER TABLE audit_log RENAME TO activity_log;
      DROP INDEX audit_log_at;
      DROP INDEX audit_log_tenant_at;
      CREATE INDEX activity_log_at ON activity_log (at, id);
      CREATE INDEX activity_log_tenant_at ON activity_log (tenant, at, id);
    `,
    postgres: `
      ALTER TABLE audit_log RENAME TO activity_log;
      ALTER TABLE activity_log RENAME CONSTRAINT audit_log_pkey TO activity_log_pkey;
      ALTER SEQUENCE audit_log_id_seq RENAME TO activity_log_id_seq;
      ALTER INDEX audit_log_at RENAME TO activity_log_at;
      ALTER INDEX audit_log_tenant_at RENAME TO activity_log_tenant_at;
    `,
  },
  {
    // "Watch until fixed": re-checks that outlive a restart. The lease columns let one replica at a time check a
    // watch, and a crashed replica's watches be taken over once its lease runs out.
    version: 3,
    name: 'watches',
    sqlite: `
      CREATE TABLE watches (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        team_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        thread_ts TEXT NOT NULL,
        target TEXT NOT NULL,
        label TEXT NOT NULL,
        cause TEXT NOT NULL,
        owner TEXT,
        state TEXT NOT NULL CHECK (state IN ('active', 'fixed', 'stopped', 'expired')),
        started_by TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        next_check_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        expires_at INTEGER NOT NULL,
        last_cause TEXT,
        last_result TEXT,
        last_checked_at INTEGER,
        ended_at INTEGER,
        ended_by TEXT,
        lease_holder TEXT,
        lease_until INTEGER
      ) STRICT;
      CREATE INDEX watches_due ON watches (state, next_check_at);
      CREATE INDEX watches_channel ON watches (team_id, channel_id, state);
      CREATE UNIQUE INDEX watches_one_active ON watches (team_id, channel_id, thread_ts, target) WHERE state = 'active';
    `,
    postgres: `
      CREATE TABLE watches (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        team_id text NOT NULL,
        channel_id text NOT NULL,
        thread_ts text NOT NULL,
        target text NOT NULL,
        label text NOT NULL,
        cause text NOT NULL,
        owner text,
        state text NOT NULL CHECK (state IN ('active', 'fixed', 'stopped', 'expired')),
        started_by text NOT NULL,
        started_at timestamptz NOT NULL,
        next_check_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL,
        last_cause text,
        last_result text,
        last_checked_at timestamptz,
        ended_at timestamptz,
        ended_by text,
        lease_holder text,
        lease_until timestamptz
      );
      CREATE INDEX watches_due ON watches (state, next_check_at);
      CREATE INDEX watches_channel ON watches (team_id, channel_id, state);
      CREATE UNIQUE INDEX watches_one_active ON watches (team_id, channel_id, thread_ts, target) WHERE state = 'active';
    `,
  },
  {
    // A tenant's audit schedule carries its own lease, so one replica runs a due audit and a crashed one's
    // lease simply runs out. The last result is what the next run compares with, across restarts.
    version: 4,
    name: 'audit schedules and last audit results',
    sqlite: `
      CREATE TABLE audit_schedules (
        tenant TEXT PRIMARY KEY REFERENCES tenants(name) ON DELETE CASCADE,
        cadence TEXT NOT NULL CHECK (cadence IN ('daily', 'weekly', 'off')),
        set_by TEXT NOT NULL,
        set_at INTEGER NOT NULL,
        next_run_at INTEGER,
        lease_holder TEXT,
        lease_until INTEGER
      ) STRICT;
      CREATE INDEX audit_schedules_next_run ON audit_schedules (next_run_at);
      CREATE TABLE audit_results (
        tenant TEXT PRIMARY KEY REFERENCES tenants(name) ON DELETE CASCADE,
        ran_at INTEGER NOT NULL,
        token_works INTEGER,
        token_error TEXT,
        preference_off TEXT NOT NULL,
        checked INTEGER NOT NULL,
        total INTEGER NOT NULL,
        complete INTEGER NOT NULL
      ) STRICT;
    `,
    postgres: `
      CREATE TABLE audit_schedules (
        tenant text PRIMARY KEY REFERENCES tenants(name) ON DELETE CASCADE,
        cadence text NOT NULL CHECK (cadence IN ('daily', 'weekly', 'off')),
        set_by text NOT NULL,
        set_at timestamptz NOT NULL,
        next_run_at timestamptz,
        lease_holder text,
        lease_until timestamptz
      );
      CREATE INDEX audit_schedules_next_run ON audit_schedules (next_run_at);
      CREATE TABLE audit_results (
        tenant text PRIMARY KEY REFERENCES tenants(name) ON DELETE CASCADE,
        ran_at timestamptz NOT NULL,
        token_works boolean,
        token_error text,
        preference_off jsonb NOT NULL,
        checked integer NOT NULL,
        total integer NOT NULL,
        complete boolean NOT NULL
      );
    `,
  },
  {
    // Several replicas on one database share what must be decided once: each tenant's Front rate window (so together
    // they never spend the customer's reserve), and which rules every replica serves. Window times are epoch
    // milliseconds on both databases: they are compared with Front's reset header and the draw's clock, never shown.
    version: 5,
    name: 'shared Front rate windows, replicas, rule reloads',
    sqlite: `
      CREATE TABLE rate_windows (
        key TEXT PRIMARY KEY,
        remaining INTEGER,
        rate_limit INTEGER,
        until_ms INTEGER,
        paused_until_ms INTEGER,
        in_flight INTEGER NOT NULL DEFAULT 0,
        lease_until_ms INTEGER NOT NULL DEFAULT 0,
        updated_ms INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE replicas (
        id TEXT PRIMARY KEY,
        started_at INTEGER NOT NULL,
        seen_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE rule_reloads (
        generation INTEGER PRIMARY KEY AUTOINCREMENT,
        requested_at INTEGER NOT NULL,
        requested_by TEXT NOT NULL,
        trigger TEXT NOT NULL
      ) STRICT;
      CREATE TABLE rule_reload_outcomes (
        generation INTEGER NOT NULL REFERENCES rule_reloads(generation) ON DELETE CASCADE,
        replica TEXT NOT NULL,
        ok INTEGER NOT NULL,
        rules INTEGER NOT NULL,
        error TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (generation, replica)
      ) STRICT;
    `,
    // The window is minutes-long state that Front's next answer restores: UNLOGGED keeps its writes out of the WAL,
    // so a draw does not wait for a disk flush (a crash empties it, which the first request after re-learns).
    postgres: `
      CREATE UNLOGGED TABLE rate_windows (
        key text PRIMARY KEY,
        remaining integer,
        rate_limit integer,
        until_ms bigint,
        paused_until_ms bigint,
        in_flight integer NOT NULL DEFAULT 0,
        lease_until_ms bigint NOT NULL DEFAULT 0,
        updated_ms bigint NOT NULL
      );
      CREATE TABLE replicas (
        id text PRIMARY KEY,
        started_at timestamptz NOT NULL,
        seen_at timestamptz NOT NULL
      );
      CREATE TABLE rule_reloads (
        generation bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        requested_at timestamptz NOT NULL,
        requested_by text NOT NULL,
        trigger text NOT NULL
      );
      CREATE TABLE rule_reload_outcomes (
        generation bigint NOT NULL REFERENCES rule_reloads(generation) ON DELETE CASCADE,
        replica text NOT NULL,
        ok boolean NOT NULL,
        rules integer NOT NULL,
        error text,
        at timestamptz NOT NULL,
        PRIMARY KEY (generation, replica)
      );
    `,
  },
  {
    // A tenant's name can be removed and added back with another company's token, so what outlives a request
    // (a watch) holds the tenant's identity, never its name. Tenants already stored get an id from their name
    // (unique among them, and never of the form addTenant gives: "t" and 16 hex digits), so no random function
    // of either database is needed. A watch gets the id of the tenant it names; the default token
    // (FRONT_API_TOKEN) is "(default)". A watch named "default" while a stored tenant had that name too started
    // with the stored one only if its channel is bound to it now; otherwise which token it used cannot be told,
    // and like a watch whose tenant is gone it gets NULL and ends at its next check.
    version: 6,
    name: 'tenant identity: tenants.id, watches.tenant_id',
    sql: (t) => `
      ALTER TABLE tenants ADD COLUMN id ${t.text};
      UPDATE tenants SET id = 'v5:' || name;
      CREATE UNIQUE INDEX tenants_id ON tenants (id);
      ALTER TABLE watches ADD COLUMN tenant_id ${t.text};
      UPDATE watches SET tenant_id = CASE
        WHEN tenant = 'default' AND NOT EXISTS (SELECT 1 FROM tenants WHERE name = 'default') THEN '(default)'
        WHEN tenant = 'default' AND NOT EXISTS (
          SELECT 1 FROM channel_bindings b
          WHERE b.team_id = watches.team_id AND b.channel_id = watches.channel_id AND b.tenant = 'default') THEN NULL
        ELSE (SELECT id FROM tenants WHERE tenants.name = watches.tenant)
      END;
      CREATE INDEX watches_tenant_id ON watches (tenant_id, state);
    `,
  },
  {
    // Front errors no rule explains yet, kept as redacted wording templates: what a rule author writes the next
    // rule from. The tenants that hit a wording are their names, which are labels and not secrets.
    version: 7,
    name: 'unknown Front error wordings',
    sql: (t) => `
      CREATE TABLE unknown_wordings (
        id ${t.text} PRIMARY KEY,
        template ${t.text} NOT NULL,
        status ${t.integer},
        count ${t.integer} NOT NULL,
        first_seen ${t.time} NOT NULL,
        last_seen ${t.time} NOT NULL
      )${t.tableOptions};
      CREATE INDEX unknown_wordings_last_seen ON unknown_wordings (last_seen);
      CREATE INDEX unknown_wordings_first_seen ON unknown_wordings (first_seen);
      CREATE TABLE unknown_wording_tenants (
        wording_id ${t.text} NOT NULL REFERENCES unknown_wordings(id) ON DELETE CASCADE,
        tenant ${t.text} NOT NULL,
        PRIMARY KEY (wording_id, tenant)
      )${t.tableOptions};
    `,
  },
];

function pending(applied: Set<number>, migrations: readonly Migration[]): Migration[] {
  const newest = Math.max(0, ...migrations.map((m) => m.version));
  const ahead = [...applied].filter((v) => v > newest);
  if (ahead.length > 0) {
    throw new StoreError(
      'schema_too_new',
      `the database schema is at version ${Math.max(...ahead)} but this build of front-why knows versions up ` +
        `to ${newest}; run the newer front-why (or restore a backup taken before the upgrade)`,
    );
  }
  return migrations.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version);
}

/**
 * Applies what is pending, each version in its own transaction, while no other process migrates (the driver's
 * `exclusive`): replicas starting together take turns, and the second finds nothing left to do. A failed version
 * leaves no half-built table behind (DDL is transactional on both databases).
 */
export async function migrate(
  driver: Driver,
  now: Date,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return driver.exclusive(async (db) => {
    const t = driver.types;
    await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version ${t.integer} PRIMARY KEY, name ${t.text} NOT NULL, applied_at ${t.time} NOT NULL)${t.tableOptions}`);
    const rows = await db.all<{ version: unknown }>(sql`SELECT version FROM schema_migrations`);
    const todo = pending(new Set(rows.map((r) => Number(r.version))), migrations);
    for (const m of todo) {
      await db.transaction(async (tx) => {
        await tx.exec('sql' in m ? m.sql(t) : m[driver.kind]);
        await tx.run(
          sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${now})`,
        );
      });
    }
    return todo.map((m) => m.version);
  });
}
