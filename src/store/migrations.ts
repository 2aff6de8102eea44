import type { ColumnTypes, Driver } from './driver';
import { sql } from './sql';
import { StoreError } from './store-error';

/**
 * One entry per schema change, never edited once released: a replica that started on version N must find
 * the same tables N means everywhere. Versions 1–11 were released with a text per database (SQLite keeps times as
 * epoch milliseconds, PostgreSQL as timestamptz) and send it byte for byte; a new one is written once, its column
 * types named by the driver.
 */
export type Migration = { version: number; name: string } & (
  { sqlite: string; postgres: string } | { sql: (types: ColumnTypes) => string }
);

/**
 * The column types versions 1–11 were released with, SQLite's then PostgreSQL's, frozen: a driver's types may change
 * for later versions, these never do. Each released version is written once over them and renders the very text it
 * was released with on each database.
 */
const RELEASED_TYPES = {
  text: ['TEXT', 'text'],
  integer: ['INTEGER', 'integer'],
  bigint: ['INTEGER', 'bigint'],
  time: ['INTEGER', 'timestamptz'],
  boolean: ['INTEGER', 'boolean'],
  false: ['0', 'false'],
  bytes: ['BLOB', 'bytea'],
  list: ['TEXT', 'text[]'],
  json: ['TEXT', 'jsonb'],
  identity: ['INTEGER PRIMARY KEY AUTOINCREMENT', 'bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY'],
  // The rate window is minutes-long state that Front's next answer restores: UNLOGGED keeps its writes out of the
  // WAL, so a draw does not wait for a disk flush (a crash empties it, which the first request after re-learns).
  unlogged: ['', 'UNLOGGED '],
  tableOptions: [' STRICT', ''],
};
type ReleasedTypes = Record<keyof typeof RELEASED_TYPES, string>;

function released(ddl: (t: ReleasedTypes) => string): { sqlite: string; postgres: string } {
  const on = (i: number) => Object.fromEntries(Object.entries(RELEASED_TYPES).map(([k, v]) => [k, v[i]]));
  return { sqlite: ddl(on(0) as ReleasedTypes), postgres: ddl(on(1) as ReleasedTypes) };
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, bindings, settings, audit log, event claims, key checks',
    ...released(
      (t) => `
      CREATE TABLE tenants (
        name ${t.text} PRIMARY KEY,
        company_id ${t.text},
        company_name ${t.text},
        scopes ${t.list},
        checked_at ${t.time},
        added_by ${t.text},
        added_at ${t.time} NOT NULL,
        updated_at ${t.time} NOT NULL,
        token_key_id ${t.text} NOT NULL,
        token_nonce ${t.bytes} NOT NULL,
        token_ciphertext ${t.bytes} NOT NULL,
        token_tag ${t.bytes} NOT NULL
      )${t.tableOptions};
      CREATE TABLE channel_bindings (
        team_id ${t.text} NOT NULL,
        channel_id ${t.text} NOT NULL,
        tenant ${t.text} NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
        bound_by ${t.text} NOT NULL,
        bound_at ${t.time} NOT NULL,
        PRIMARY KEY (team_id, channel_id)
      )${t.tableOptions};
      CREATE INDEX channel_bindings_tenant ON channel_bindings (tenant);
      CREATE TABLE channel_settings (
        team_id ${t.text} NOT NULL,
        channel_id ${t.text} NOT NULL,
        listen ${t.boolean} NOT NULL DEFAULT ${t.false},
        allow_external ${t.boolean} NOT NULL DEFAULT ${t.false},
        updated_at ${t.time} NOT NULL,
        PRIMARY KEY (team_id, channel_id)
      )${t.tableOptions};
      CREATE TABLE audit_log (
        id ${t.identity},
        at ${t.time} NOT NULL,
        actor ${t.text} NOT NULL,
        team_id ${t.text},
        channel_id ${t.text},
        tenant ${t.text},
        action ${t.text} NOT NULL,
        target ${t.text},
        cause ${t.text},
        detail ${t.text}
      )${t.tableOptions};
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_tenant_at ON audit_log (tenant, at, id);
      CREATE TABLE event_claims (
        key ${t.text} PRIMARY KEY,
        claimed_at ${t.time} NOT NULL,
        expires_at ${t.time} NOT NULL
      )${t.tableOptions};
      CREATE INDEX event_claims_expires ON event_claims (expires_at);
      CREATE TABLE encryption_keys (
        key_id ${t.text} PRIMARY KEY,
        check_nonce ${t.bytes} NOT NULL,
        check_ciphertext ${t.bytes} NOT NULL,
        check_tag ${t.bytes} NOT NULL,
        created_at ${t.time} NOT NULL
      )${t.tableOptions};
    `,
    ),
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
    ...released(
      (t) => `
      CREATE TABLE watches (
        id ${t.text} PRIMARY KEY,
        tenant ${t.text} NOT NULL,
        team_id ${t.text} NOT NULL,
        channel_id ${t.text} NOT NULL,
        thread_ts ${t.text} NOT NULL,
        target ${t.text} NOT NULL,
        label ${t.text} NOT NULL,
        cause ${t.text} NOT NULL,
        owner ${t.text},
        state ${t.text} NOT NULL CHECK (state IN ('active', 'fixed', 'stopped', 'expired')),
        started_by ${t.text} NOT NULL,
        started_at ${t.time} NOT NULL,
        next_check_at ${t.time} NOT NULL,
        attempts ${t.integer} NOT NULL DEFAULT 0,
        expires_at ${t.time} NOT NULL,
        last_cause ${t.text},
        last_result ${t.text},
        last_checked_at ${t.time},
        ended_at ${t.time},
        ended_by ${t.text},
        lease_holder ${t.text},
        lease_until ${t.time}
      )${t.tableOptions};
      CREATE INDEX watches_due ON watches (state, next_check_at);
      CREATE INDEX watches_channel ON watches (team_id, channel_id, state);
      CREATE UNIQUE INDEX watches_one_active ON watches (team_id, channel_id, thread_ts, target) WHERE state = 'active';
    `,
    ),
  },
  {
    // A tenant's audit schedule carries its own lease, so one replica runs a due audit and a crashed one's
    // lease simply runs out. The last result is what the next run compares with, across restarts.
    version: 4,
    name: 'audit schedules and last audit results',
    ...released(
      (t) => `
      CREATE TABLE audit_schedules (
        tenant ${t.text} PRIMARY KEY REFERENCES tenants(name) ON DELETE CASCADE,
        cadence ${t.text} NOT NULL CHECK (cadence IN ('daily', 'weekly', 'off')),
        set_by ${t.text} NOT NULL,
        set_at ${t.time} NOT NULL,
        next_run_at ${t.time},
        lease_holder ${t.text},
        lease_until ${t.time}
      )${t.tableOptions};
      CREATE INDEX audit_schedules_next_run ON audit_schedules (next_run_at);
      CREATE TABLE audit_results (
        tenant ${t.text} PRIMARY KEY REFERENCES tenants(name) ON DELETE CASCADE,
        ran_at ${t.time} NOT NULL,
        token_works ${t.boolean},
        token_error ${t.text},
        preference_off ${t.json} NOT NULL,
        checked ${t.integer} NOT NULL,
        total ${t.integer} NOT NULL,
        complete ${t.boolean} NOT NULL
      )${t.tableOptions};
    `,
    ),
  },
  {
    // Several replicas on one database share what must be decided once: each tenant's Front rate window (so together
    // they never spend the customer's reserve), and which rules every replica serves. Window times are epoch
    // milliseconds on both databases: they are compared with Front's reset header and the draw's clock, never shown.
    version: 5,
    name: 'shared Front rate windows, replicas, rule reloads',
    ...released(
      (t) => `
      CREATE ${t.unlogged}TABLE rate_windows (
        key ${t.text} PRIMARY KEY,
        remaining ${t.integer},
        rate_limit ${t.integer},
        until_ms ${t.bigint},
        paused_until_ms ${t.bigint},
        in_flight ${t.integer} NOT NULL DEFAULT 0,
        lease_until_ms ${t.bigint} NOT NULL DEFAULT 0,
        updated_ms ${t.bigint} NOT NULL
      )${t.tableOptions};
      CREATE TABLE replicas (
        id ${t.text} PRIMARY KEY,
        started_at ${t.time} NOT NULL,
        seen_at ${t.time} NOT NULL
      )${t.tableOptions};
      CREATE TABLE rule_reloads (
        generation ${t.identity},
        requested_at ${t.time} NOT NULL,
        requested_by ${t.text} NOT NULL,
        trigger ${t.text} NOT NULL
      )${t.tableOptions};
      CREATE TABLE rule_reload_outcomes (
        generation ${t.bigint} NOT NULL REFERENCES rule_reloads(generation) ON DELETE CASCADE,
        replica ${t.text} NOT NULL,
        ok ${t.boolean} NOT NULL,
        rules ${t.integer} NOT NULL,
        error ${t.text},
        at ${t.time} NOT NULL,
        PRIMARY KEY (generation, replica)
      )${t.tableOptions};
    `,
    ),
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
    ...released(
      (t) => `
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
    ),
  },
  {
    // Front errors no rule explains yet, kept as redacted wording templates: what a rule author writes the next
    // rule from. The tenants that hit a wording are their names, which are labels and not secrets.
    version: 7,
    name: 'unknown Front error wordings',
    ...released(
      (t) => `
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
    ),
  },
  {
    // Whose "Allow access to my individual resources via the API" is on or off, as the last probe of each teammate
    // found it: a diagnosis asks only the teammates this names instead of the whole company. Keyed by the tenant's
    // id, so a tenant removed (and perhaps added back with another company's token) starts with no map.
    // teammate_sweeps holds when every teammate was last checked in one go: only then can the map name an owner
    // by elimination.
    version: 8,
    name: 'teammate preference map',
    ...released(
      (t) => `
      CREATE TABLE teammate_preferences (
        tenant_id ${t.text} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        teammate_id ${t.text} NOT NULL,
        name ${t.text} NOT NULL,
        api_access ${t.boolean} NOT NULL,
        seen_at ${t.time} NOT NULL,
        seen_by ${t.text} NOT NULL,
        PRIMARY KEY (tenant_id, teammate_id)
      )${t.tableOptions};
      CREATE TABLE teammate_sweeps (
        tenant_id ${t.text} PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        complete_at ${t.time} NOT NULL,
        seen_by ${t.text} NOT NULL,
        total ${t.integer} NOT NULL
      )${t.tableOptions};
    `,
    ),
  },
  {
    // A diagnosis of a company too big to check within its share of the rate limit answers at once, and the rest
    // of its teammates are checked here in the background: one row per thread waiting for its owner, leased so one
    // replica at a time works it, its progress kept so a restart goes on where it was. Removing the tenant ends it.
    version: 9,
    name: 'owner sweeps',
    ...released(
      (t) => `
      CREATE TABLE owner_sweeps (
        id ${t.text} PRIMARY KEY,
        tenant ${t.text} NOT NULL,
        tenant_id ${t.text} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        team_id ${t.text} NOT NULL,
        channel_id ${t.text} NOT NULL,
        thread_ts ${t.text} NOT NULL,
        target ${t.text} NOT NULL,
        started_at ${t.time} NOT NULL,
        next_run_at ${t.time} NOT NULL,
        progress ${t.text} NOT NULL,
        lease_holder ${t.text},
        lease_until ${t.time},
        UNIQUE (team_id, channel_id, thread_ts, target)
      )${t.tableOptions};
      CREATE INDEX owner_sweeps_next_run ON owner_sweeps (next_run_at);
    `,
    ),
  },
  {
    // Customer mode: a channel shared with one customer, where their people get the customer answer, and the
    // internal channel that mirrors it. customer_checks holds one row per check a customer asked for there: the
    // per-person and per-channel limits count them, and a thread's rows (with the watch that ended fixed in that
    // thread, and whether an agent posted in it) are what `stats` and the Home tab count as deflected.
    version: 10,
    name: 'customer channels and their checks',
    ...released(
      (t) => `
      CREATE TABLE customer_channels (
        team_id ${t.text} NOT NULL,
        channel_id ${t.text} NOT NULL,
        mirror_channel_id ${t.text},
        set_by ${t.text} NOT NULL,
        set_at ${t.time} NOT NULL,
        PRIMARY KEY (team_id, channel_id)
      )${t.tableOptions};
      CREATE TABLE customer_checks (
        team_id ${t.text} NOT NULL,
        channel_id ${t.text} NOT NULL,
        thread_ts ${t.text} NOT NULL,
        tenant ${t.text} NOT NULL,
        asked_by ${t.text} NOT NULL,
        asked_at ${t.time} NOT NULL,
        agent_posted_at ${t.time}
      )${t.tableOptions};
      CREATE INDEX customer_checks_thread ON customer_checks (team_id, channel_id, thread_ts);
      CREATE INDEX customer_checks_asker ON customer_checks (asked_by, asked_at);
      CREATE INDEX customer_checks_asked ON customer_checks (asked_at);
    `,
    ),
  },
  {
    // The diagnosis API (POST /v1/diagnose). A key is kept as the SHA-256 of itself, never the key: it is 32 random
    // bytes, so a hash cannot be reversed by guessing and needs no salt or slow hash, and a lookup is one indexed
    // read. `tenants` are the names the key may ask about, space-separated ('' for every tenant). api_replays keeps
    // the first answer to an Idempotency-Key for a day (answer null while that first request runs); api_alerts
    // counts the failures of one fingerprint in a channel for a day, and which replica updates its Slack thread.
    version: 11,
    name: 'diagnosis API keys, idempotent answers, grouped alerts',
    ...released(
      (t) => `
      CREATE TABLE api_keys (
        id ${t.text} PRIMARY KEY,
        name ${t.text} NOT NULL UNIQUE,
        key_hash ${t.text} NOT NULL UNIQUE,
        tenants ${t.text} NOT NULL,
        notify_channel ${t.text},
        per_minute ${t.integer} NOT NULL,
        created_by ${t.text} NOT NULL,
        created_at ${t.time} NOT NULL,
        revoked_at ${t.time}
      )${t.tableOptions};
      CREATE TABLE api_replays (
        key_id ${t.text} NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        idempotency_key ${t.text} NOT NULL,
        request_hash ${t.text} NOT NULL,
        answer ${t.text},
        created_at ${t.time} NOT NULL,
        PRIMARY KEY (key_id, idempotency_key)
      )${t.tableOptions};
      CREATE INDEX api_replays_created_at ON api_replays (created_at);
      CREATE TABLE api_alerts (
        channel_id ${t.text} NOT NULL,
        fingerprint ${t.text} NOT NULL,
        day ${t.text} NOT NULL,
        count ${t.integer} NOT NULL,
        ts ${t.text},
        first_seen ${t.time} NOT NULL,
        last_seen ${t.time} NOT NULL,
        lease_holder ${t.text},
        lease_until ${t.time},
        PRIMARY KEY (channel_id, fingerprint, day)
      )${t.tableOptions};
    `,
    ),
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
