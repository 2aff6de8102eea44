import { randomBytes } from 'node:crypto';
import { Client, Pool, type PoolClient } from 'pg';
import type { Keyring } from './crypto';
import { StoreError } from './store-error';
import { migratePostgres } from './migrations';
import { openTenantToken, sealKeyCheck, sealTenantToken, verifyKeyCheck } from './secrets';
import type {
  ActivityEntry,
  ActivityQuery,
  AuditResult,
  AuditSchedule,
  AuditTeammate,
  ChannelBinding,
  ChannelSettings,
  NewActivityEntry,
  NewAuditSchedule,
  NewTenant,
  RateWindowDraw,
  RateWindowGrant,
  RateWindowSettle,
  RateWindowState,
  ReloadSubscription,
  ReplicaInfo,
  RotationResult,
  RulesReloadOutcome,
  RulesReloadRequest,
  Store,
  StoreOptions,
  NewWatch,
  TenantCheck,
  TenantInfo,
  Watch,
  WatchCheckUpdate,
  WatchEnd,
  WatchQuery,
} from './store-api';
import {
  checkActivity,
  checkActivityQuery,
  checkAuditResult,
  checkAuditSchedule,
  checkBinding,
  checkClaimed,
  checkDate,
  checkHolder,
  checkLeaseMs,
  checkClaim,
  checkNewTenant,
  checkSettings,
  checkSlackId,
  checkTenantCheck,
  checkTenantName,
  checkToken,
  checkNewWatch,
  checkWatchCheckUpdate,
  checkWatchClaim,
  checkWatchEnd,
  checkWatchHolder,
  checkWatchId,
  checkWatchQuery,
  checkDraw,
  checkGeneration,
  checkReloadOutcome,
  checkReloadRequest,
  checkReplicaId,
  checkWindowKey,
  settleParams,
} from './validate';
import { DRAW_SQL, forPostgres, READ_SQL, SETTLE_SQL, toWindowState, type RateWindowRow } from './rate-window-sql';
import { listenForReloads, RELOAD_CHANNEL } from './postgres-listen';
import {
  notFound,
  RESULT_COLUMNS,
  SCHEDULE_COLUMNS,
  SEALED_COLUMNS,
  TENANT_COLUMNS,
  toActivity,
  toBinding,
  toResult,
  toSchedule,
  toSealed,
  toWatch,
  WATCH_COLUMNS,
  type WatchRow,
  type ActivityRow,
  type BindingRow,
  type ResultRow,
  type ScheduleRow,
  type SealedRow,
} from './rows';

/** node-postgres reads timestamptz as a Date already. */
const storedDate = (d: Date) => d;

const PURGE_EVERY_MS = 60_000;
/** node-postgres waits forever by default; a start-up against a blackholed host should fail instead. */
const CONNECT_TIMEOUT_MS = 10_000;
const FOREIGN_KEY_VIOLATION = '23503';

interface TenantRow {
  name: string;
  company_id: string | null;
  company_name: string | null;
  scopes: string[] | null;
  checked_at: Date | null;
  added_by: string | null;
  added_at: Date;
  updated_at: Date;
  token_key_id: string;
}

function toTenant(row: TenantRow): TenantInfo {
  return {
    name: row.name,
    companyId: row.company_id,
    companyName: row.company_name,
    scopes: row.scopes,
    checkedAt: row.checked_at,
    addedBy: row.added_by,
    addedAt: row.added_at,
    updatedAt: row.updated_at,
    tokenKeyId: row.token_key_id,
  };
}

/** Where we tried to connect, without the user or password the URL may carry. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'the configured PostgreSQL URL';
  }
}

const DRAW = forPostgres(DRAW_SQL);
const SETTLE = forPostgres(SETTLE_SQL);
const READ = forPostgres(READ_SQL);

export class PostgresStore implements Store {
  #lastPurge = Number.NEGATIVE_INFINITY;
  #closed = false;
  #keyRegistered = false;
  readonly #subscriptions = new Set<ReloadSubscription>();
  readonly shared = true;

  private constructor(
    private readonly pool: Pool,
    private keyring: Keyring,
    private readonly clock: () => Date,
    private readonly url: string,
  ) {}

  static async open(url: string, keyring: Keyring, options: StoreOptions = {}): Promise<PostgresStore> {
    const clock = options.clock ?? (() => new Date());
    const pool = new Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    const onError = options.onBackgroundError;
    pool.on('error', (err) => onError?.(err));
    try {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw new StoreError(
          'connection_failed',
          `cannot connect to PostgreSQL at ${describePostgresUrl(url)}: ${(err as Error).message}`,
        );
      }
      try {
        await migratePostgres(client, clock());
      } finally {
        client.release();
      }
      const store = new PostgresStore(pool, keyring, clock, url);
      await store.tx((c) => store.checkKeys(c, keyring, false));
      return store;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  private async tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Fails if a key id in the keyring names different bytes than the ones this database was written with.
   * `register` records the current key id: only writes under it and a rotation do, so a command that only
   * reads, run with a mistyped new key, leaves nothing behind that would refuse the right key later.
   */
  private async checkKeys(client: PoolClient, keyring: Keyring, register: boolean): Promise<void> {
    const select = () =>
      client.query<SealedRow>(
        'SELECT key_id, check_nonce AS nonce, check_ciphertext AS ciphertext, check_tag AS tag FROM encryption_keys',
      );
    let { rows } = await select();
    const verify = () => {
      const known = rows.map((r) => r.key_id);
      for (const row of rows) verifyKeyCheck(keyring, toSealed(row), known);
    };
    verify();
    if (!register || rows.some((r) => r.key_id === keyring.currentId)) return;
    const check = sealKeyCheck(keyring);
    const inserted = await client.query(
      `INSERT INTO encryption_keys (key_id, check_nonce, check_ciphertext, check_tag, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key_id) DO NOTHING`,
      [check.keyId, check.nonce, check.ciphertext, check.tag, this.clock()],
    );
    if (inserted.rowCount === 0) {
      // Another replica recorded this key id a moment ago; make sure it was the same key.
      ({ rows } = await select());
      verify();
    }
  }

  private async registerCurrentKey(): Promise<void> {
    if (this.#keyRegistered) return;
    await this.tx((c) => this.checkKeys(c, this.keyring, true));
    this.#keyRegistered = true;
  }

  private async tenantRow(name: string): Promise<TenantRow | undefined> {
    const { rows } = await this.pool.query<TenantRow>(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE name = $1`, [name]);
    return rows[0];
  }

  async addTenant(tenant: NewTenant): Promise<TenantInfo> {
    const t = checkNewTenant(tenant);
    await this.registerCurrentKey();
    const sealed = sealTenantToken(this.keyring, t.name, t.token);
    const now = this.clock();
    const { rows } = await this.pool.query<TenantRow>(
      `INSERT INTO tenants (name, company_id, company_name, scopes, checked_at, added_by, added_at, updated_at,
         token_key_id, token_nonce, token_ciphertext, token_tag)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11)
       ON CONFLICT (name) DO NOTHING
       RETURNING ${TENANT_COLUMNS}`,
      [
        t.name,
        t.companyId,
        t.companyName,
        t.scopes,
        t.checkedAt,
        t.addedBy,
        now,
        sealed.keyId,
        sealed.nonce,
        sealed.ciphertext,
        sealed.tag,
      ],
    );
    const row = rows[0];
    if (!row) throw new StoreError('tenant_exists', `a tenant named "${t.name}" already exists`);
    return toTenant(row);
  }

  async getTenant(name: string): Promise<TenantInfo | null> {
    const row = await this.tenantRow(checkTenantName(name));
    return row ? toTenant(row) : null;
  }

  async getTenantToken(name: string): Promise<string | null> {
    checkTenantName(name);
    const { rows } = await this.pool.query<SealedRow>(`SELECT ${SEALED_COLUMNS} FROM tenants WHERE name = $1`, [name]);
    const row = rows[0];
    return row ? openTenantToken(this.keyring, name, toSealed(row)) : null;
  }

  async listTenants(): Promise<TenantInfo[]> {
    const { rows } = await this.pool.query<TenantRow>(`SELECT ${TENANT_COLUMNS} FROM tenants ORDER BY name`);
    return rows.map(toTenant);
  }

  async removeTenant(name: string): Promise<boolean> {
    checkTenantName(name);
    // Bindings go with it through ON DELETE CASCADE.
    const { rowCount } = await this.pool.query('DELETE FROM tenants WHERE name = $1', [name]);
    return (rowCount ?? 0) > 0;
  }

  async updateTenantCheck(name: string, check: TenantCheck): Promise<TenantInfo> {
    checkTenantName(name);
    const c = checkTenantCheck(check);
    const { rows } = await this.pool.query<TenantRow>(
      `UPDATE tenants SET company_id = $1, company_name = $2, scopes = $3, checked_at = $4, updated_at = $5
       WHERE name = $6 RETURNING ${TENANT_COLUMNS}`,
      [c.companyId, c.companyName, c.scopes, c.checkedAt, this.clock(), name],
    );
    const row = rows[0];
    if (!row) throw notFound(name);
    return toTenant(row);
  }

  async replaceTenantToken(name: string, token: string, check?: TenantCheck): Promise<TenantInfo> {
    checkTenantName(name);
    await this.registerCurrentKey();
    const sealed = sealTenantToken(this.keyring, name, checkToken(token));
    const c = check === undefined ? undefined : checkTenantCheck(check);
    const { rows } = await this.pool.query<TenantRow>(
      `UPDATE tenants SET token_key_id = $1, token_nonce = $2, token_ciphertext = $3, token_tag = $4,
         scopes = $5, checked_at = $6, company_id = coalesce($7, company_id),
         company_name = coalesce($8, company_name), updated_at = $9
       WHERE name = $10 RETURNING ${TENANT_COLUMNS}`,
      [
        sealed.keyId,
        sealed.nonce,
        sealed.ciphertext,
        sealed.tag,
        c ? c.scopes : null,
        c ? c.checkedAt : null,
        c?.companyId ?? null,
        c?.companyName ?? null,
        this.clock(),
        name,
      ],
    );
    const row = rows[0];
    if (!row) throw notFound(name);
    return toTenant(row);
  }

  async bindChannel(binding: {
    teamId: string;
    channelId: string;
    tenant: string;
    boundBy: string;
  }): Promise<ChannelBinding> {
    const b = checkBinding(binding);
    try {
      // Selecting from tenants makes a missing tenant insert nothing; the foreign key covers a concurrent removal.
      const { rows } = await this.pool.query<BindingRow<Date>>(
        `INSERT INTO channel_bindings (team_id, channel_id, tenant, bound_by, bound_at)
         SELECT $1, $2, name, $4, $5 FROM tenants WHERE name = $3
         ON CONFLICT (team_id, channel_id) DO UPDATE SET
           tenant = EXCLUDED.tenant, bound_by = EXCLUDED.bound_by, bound_at = EXCLUDED.bound_at
         RETURNING team_id, channel_id, tenant, bound_by, bound_at`,
        [b.teamId, b.channelId, b.tenant, b.boundBy, this.clock()],
      );
      const row = rows[0];
      if (!row) throw notFound(b.tenant);
      return toBinding(row, storedDate);
    } catch (err) {
      if ((err as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) throw notFound(b.tenant);
      throw err;
    }
  }

  async unbindChannel(teamId: string, channelId: string): Promise<boolean> {
    checkSlackId('teamId', teamId);
    checkSlackId('channelId', channelId);
    const { rowCount } = await this.pool.query('DELETE FROM channel_bindings WHERE team_id = $1 AND channel_id = $2', [
      teamId,
      channelId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async getChannelBinding(teamId: string, channelId: string): Promise<ChannelBinding | null> {
    checkSlackId('teamId', teamId);
    checkSlackId('channelId', channelId);
    const { rows } = await this.pool.query<BindingRow<Date>>(
      `SELECT team_id, channel_id, tenant, bound_by, bound_at FROM channel_bindings
       WHERE team_id = $1 AND channel_id = $2`,
      [teamId, channelId],
    );
    const row = rows[0];
    return row ? toBinding(row, storedDate) : null;
  }

  async listChannelBindings(query: { tenant?: string } = {}): Promise<ChannelBinding[]> {
    const tenant = query.tenant === undefined ? null : checkTenantName(query.tenant);
    const { rows } = await this.pool.query<BindingRow<Date>>(
      `SELECT team_id, channel_id, tenant, bound_by, bound_at FROM channel_bindings
       WHERE ($1::text IS NULL OR tenant = $1) ORDER BY tenant, team_id, channel_id`,
      [tenant],
    );
    return rows.map((row) => toBinding(row, storedDate));
  }

  async setChannelSettings(
    teamId: string,
    channelId: string,
    settings: Partial<ChannelSettings>,
  ): Promise<ChannelSettings> {
    checkSlackId('teamId', teamId);
    checkSlackId('channelId', channelId);
    const s = checkSettings(settings);
    // NULL means "leave as it is": the upsert merges in one statement, so two partial updates never undo each other.
    const { rows } = await this.pool.query<{ listen: boolean; allow_external: boolean }>(
      `INSERT INTO channel_settings (team_id, channel_id, listen, allow_external, updated_at)
       VALUES ($1, $2, coalesce($3::boolean, false), coalesce($4::boolean, false), $5)
       ON CONFLICT (team_id, channel_id) DO UPDATE SET
         listen = coalesce($3::boolean, channel_settings.listen),
         allow_external = coalesce($4::boolean, channel_settings.allow_external),
         updated_at = EXCLUDED.updated_at
       RETURNING listen, allow_external`,
      [teamId, channelId, s.listen ?? null, s.allowExternal ?? null, this.clock()],
    );
    const row = rows[0] as { listen: boolean; allow_external: boolean };
    return { listen: row.listen, allowExternal: row.allow_external };
  }

  async getChannelSettings(teamId: string, channelId: string): Promise<ChannelSettings> {
    checkSlackId('teamId', teamId);
    checkSlackId('channelId', channelId);
    const { rows } = await this.pool.query<{ listen: boolean; allow_external: boolean }>(
      'SELECT listen, allow_external FROM channel_settings WHERE team_id = $1 AND channel_id = $2',
      [teamId, channelId],
    );
    const row = rows[0];
    return { listen: row?.listen ?? false, allowExternal: row?.allow_external ?? false };
  }

  async recordActivity(entry: NewActivityEntry): Promise<void> {
    const e = checkActivity(entry);
    await this.pool.query(
      `INSERT INTO activity_log (at, actor, team_id, channel_id, tenant, action, target, cause, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.at, e.actor, e.teamId, e.channelId, e.tenant, e.action, e.target, e.cause, e.detail],
    );
  }

  async listActivity(query: ActivityQuery = {}): Promise<ActivityEntry[]> {
    const q = checkActivityQuery(query);
    const { rows } = await this.pool.query<ActivityRow<Date>>(
      `SELECT id, at, actor, team_id, channel_id, tenant, action, target, cause, detail FROM activity_log
       WHERE ($1::text IS NULL OR tenant = $1) AND ($2::timestamptz IS NULL OR at >= $2)
         AND ($4::text[] IS NULL OR action = ANY($4))
         AND ($5::timestamptz IS NULL OR at < $5 OR (at = $5 AND id < $6))
       ORDER BY at DESC, id DESC LIMIT $3`,
      [q.tenant, q.since, q.limit, q.actions, q.before?.at ?? null, q.before?.id ?? null],
    );
    return rows.map((row) => toActivity(row, storedDate));
  }

  async claimEvent(key: string, ttlSeconds: number): Promise<boolean> {
    const c = checkClaim(key, ttlSeconds);
    const now = this.clock();
    if (now.getTime() - this.#lastPurge >= PURGE_EVERY_MS) {
      this.#lastPurge = now.getTime();
      await this.pool.query('DELETE FROM event_claims WHERE expires_at <= $1', [now]);
    }
    // One statement decides: a fresh key inserts, an expired one is taken over, a live one changes nothing.
    // Concurrent inserts of one key wait on the unique index, then see the winner's row as live.
    const { rowCount } = await this.pool.query(
      `INSERT INTO event_claims (key, claimed_at, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
       WHERE event_claims.expires_at <= $2`,
      [c.key, now, new Date(now.getTime() + c.ttlMs)],
    );
    return rowCount === 1;
  }

  async startWatch(watch: NewWatch): Promise<{ watch: Watch; created: boolean }> {
    const w = checkNewWatch(watch);
    const id = `w${randomBytes(8).toString('hex')}`;
    // The partial unique index keeps one active watch per thread and target: a double click starts one.
    const { rows } = await this.pool.query<WatchRow<Date>>(
      `INSERT INTO watches (id, tenant, team_id, channel_id, thread_ts, target, label, cause, owner, state,
         started_by, started_at, next_check_at, attempts, expires_at, last_cause)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11, $12, 0, $13, $8)
       ON CONFLICT (team_id, channel_id, thread_ts, target) WHERE state = 'active' DO NOTHING
       RETURNING ${WATCH_COLUMNS}`,
      [
        id,
        w.tenant,
        w.teamId,
        w.channelId,
        w.threadTs,
        w.target,
        w.label,
        w.cause,
        w.owner,
        w.startedBy,
        w.startedAt,
        w.nextCheckAt,
        w.expiresAt,
      ],
    );
    if (rows[0]) return { watch: toWatch(rows[0], storedDate), created: true };
    const existing = await this.pool.query<WatchRow<Date>>(
      `SELECT ${WATCH_COLUMNS} FROM watches
       WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3 AND target = $4 AND state = 'active'`,
      [w.teamId, w.channelId, w.threadTs, w.target],
    );
    const row = existing.rows[0];
    // Ended between the two statements: start afresh.
    if (!row) return this.startWatch(watch);
    return { watch: toWatch(row, storedDate), created: false };
  }

  async getWatch(id: string): Promise<Watch | null> {
    checkWatchId(id);
    const { rows } = await this.pool.query<WatchRow<Date>>(`SELECT ${WATCH_COLUMNS} FROM watches WHERE id = $1`, [id]);
    return rows[0] ? toWatch(rows[0], storedDate) : null;
  }

  async listWatches(query: WatchQuery = {}): Promise<Watch[]> {
    const q = checkWatchQuery(query);
    const { rows } = await this.pool.query<WatchRow<Date>>(
      `SELECT ${WATCH_COLUMNS} FROM watches
       WHERE ($1::text IS NULL OR team_id = $1) AND ($2::text IS NULL OR channel_id = $2)
         AND ($3::text IS NULL OR tenant = $3) AND ($4::text IS NULL OR state = $4)
       ORDER BY started_at, id LIMIT $5`,
      [q.teamId, q.channelId, q.tenant, q.state, q.limit],
    );
    return rows.map((row) => toWatch(row, storedDate));
  }

  async countActiveWatches(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>("SELECT count(*) AS n FROM watches WHERE state = 'active'");
    return Number(rows[0]?.n ?? 0);
  }

  async claimDueWatches(claim: { holder: string; now: Date; leaseMs: number; limit: number }): Promise<Watch[]> {
    const c = checkWatchClaim(claim);
    // SKIP LOCKED: replicas claiming at the same moment each take different rows instead of queueing on them;
    // the lease condition is checked again on the locked row, so a row another claim just leased is left alone.
    const { rows } = await this.pool.query<WatchRow<Date>>(
      `UPDATE watches SET lease_holder = $1, lease_until = $2
       WHERE id IN (
         SELECT id FROM watches
         WHERE state = 'active' AND (next_check_at <= $3 OR expires_at <= $3)
           AND (lease_until IS NULL OR lease_until <= $3)
         ORDER BY next_check_at, id LIMIT $4
         FOR UPDATE SKIP LOCKED)
       AND state = 'active' AND (lease_until IS NULL OR lease_until <= $3)
       RETURNING ${WATCH_COLUMNS}`,
      [c.holder, new Date(c.now.getTime() + c.leaseMs), c.now, c.limit],
    );
    return rows.map((row) => toWatch(row, storedDate)).sort((a, b) => +a.nextCheckAt - +b.nextCheckAt);
  }

  async recordWatchCheck(
    id: string,
    holder: string,
    update: WatchCheckUpdate,
  ): Promise<{ previousCause: string | null } | undefined> {
    checkWatchId(id);
    checkWatchHolder(holder);
    const u = checkWatchCheckUpdate(update);
    // The row lock taken by the CTE makes the cause read and the update one step for every replica.
    const { rows } = await this.pool.query<{ previous: string | null }>(
      `WITH old AS (
         SELECT id, last_cause FROM watches WHERE id = $1 AND state = 'active' AND lease_holder = $2 FOR UPDATE)
       UPDATE watches w SET attempts = w.attempts + 1, last_checked_at = $3, next_check_at = $4,
         last_cause = coalesce($5, w.last_cause), last_result = $6, lease_holder = NULL, lease_until = NULL
       FROM old WHERE w.id = old.id
       RETURNING old.last_cause AS previous`,
      [id, holder, u.checkedAt, u.nextCheckAt, u.cause, u.result],
    );
    const row = rows[0];
    return row ? { previousCause: row.previous } : undefined;
  }

  async postponeWatch(id: string, holder: string, nextCheckAt: Date): Promise<boolean> {
    checkWatchId(id);
    checkWatchHolder(holder);
    const next = checkDate('nextCheckAt', nextCheckAt);
    const { rowCount } = await this.pool.query(
      `UPDATE watches SET next_check_at = $1, lease_holder = NULL, lease_until = NULL
       WHERE id = $2 AND state = 'active' AND lease_holder = $3`,
      [next, id, holder],
    );
    return rowCount === 1;
  }

  async endWatch(id: string, end: { state: WatchEnd; at: Date; by?: string; result?: string }): Promise<Watch | null> {
    checkWatchId(id);
    const e = checkWatchEnd(end);
    // Conditional on still being active: of several replicas (or a replica and a Stop click), one ends it.
    const { rows } = await this.pool.query<WatchRow<Date>>(
      `UPDATE watches SET state = $1, ended_at = $2, ended_by = $3, last_result = coalesce($4, last_result),
         lease_holder = NULL, lease_until = NULL
       WHERE id = $5 AND state = 'active'
       RETURNING ${WATCH_COLUMNS}`,
      [e.state, e.at, e.by, e.result, id],
    );
    return rows[0] ? toWatch(rows[0], storedDate) : null;
  }

  async setAuditSchedule(schedule: NewAuditSchedule): Promise<AuditSchedule> {
    const s = checkAuditSchedule(schedule);
    try {
      // Selecting from tenants makes a missing tenant insert nothing; the foreign key covers a concurrent removal.
      const { rows } = await this.pool.query<ScheduleRow<Date>>(
        `INSERT INTO audit_schedules (tenant, cadence, set_by, set_at, next_run_at)
         SELECT name, $2, $3, $4, $5 FROM tenants WHERE name = $1
         ON CONFLICT (tenant) DO UPDATE SET cadence = EXCLUDED.cadence, set_by = EXCLUDED.set_by,
           set_at = EXCLUDED.set_at, next_run_at = EXCLUDED.next_run_at
         RETURNING ${SCHEDULE_COLUMNS}`,
        [s.tenant, s.cadence, s.setBy, this.clock(), s.nextRunAt],
      );
      const row = rows[0];
      if (!row) throw notFound(s.tenant);
      return toSchedule(row, storedDate);
    } catch (err) {
      if ((err as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) throw notFound(s.tenant);
      throw err;
    }
  }

  async getAuditSchedule(tenant: string): Promise<AuditSchedule | null> {
    checkTenantName(tenant);
    const { rows } = await this.pool.query<ScheduleRow<Date>>(
      `SELECT ${SCHEDULE_COLUMNS} FROM audit_schedules WHERE tenant = $1`,
      [tenant],
    );
    const row = rows[0];
    return row ? toSchedule(row, storedDate) : null;
  }

  async listAuditSchedules(): Promise<AuditSchedule[]> {
    const { rows } = await this.pool.query<ScheduleRow<Date>>(
      `SELECT ${SCHEDULE_COLUMNS} FROM audit_schedules ORDER BY tenant`,
    );
    return rows.map((row) => toSchedule(row, storedDate));
  }

  async claimDueAudit(holder: string, leaseMs: number): Promise<AuditSchedule | null> {
    const h = checkHolder(holder);
    const ms = checkLeaseMs(leaseMs);
    const now = this.clock();
    // SKIP LOCKED: a replica claiming at the same moment takes another due audit, or none. The outer WHERE is
    // evaluated again on the row it locks, so a lease taken meanwhile is never taken twice.
    const { rows } = await this.pool.query<ScheduleRow<Date>>(
      `UPDATE audit_schedules SET lease_holder = $1, lease_until = $2
       WHERE tenant = (
         SELECT tenant FROM audit_schedules
         WHERE cadence <> 'off' AND next_run_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
         ORDER BY next_run_at, tenant LIMIT 1 FOR UPDATE SKIP LOCKED)
         AND cadence <> 'off' AND next_run_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
       RETURNING ${SCHEDULE_COLUMNS}`,
      [h, new Date(now.getTime() + ms), now],
    );
    const row = rows[0];
    return row ? toSchedule(row, storedDate) : null;
  }

  async finishAudit(claim: AuditSchedule, nextRunAt: Date): Promise<boolean> {
    const c = checkClaimed(claim);
    const next = checkDate('nextRunAt', nextRunAt);
    const { rowCount } = await this.pool.query(
      `UPDATE audit_schedules SET lease_holder = NULL, lease_until = NULL,
         next_run_at = CASE WHEN set_at = $3 AND cadence <> 'off' THEN $4 ELSE next_run_at END
       WHERE tenant = $1 AND lease_holder = $2`,
      [c.tenant, c.holder, c.setAt, next],
    );
    return (rowCount ?? 0) > 0;
  }

  async saveAuditResult(result: AuditResult): Promise<void> {
    const r = checkAuditResult(result);
    try {
      const { rowCount } = await this.pool.query(
        `INSERT INTO audit_results (${RESULT_COLUMNS})
         SELECT name, $2, $3, $4, $5::jsonb, $6, $7, $8 FROM tenants WHERE name = $1
         ON CONFLICT (tenant) DO UPDATE SET ran_at = EXCLUDED.ran_at, token_works = EXCLUDED.token_works,
           token_error = EXCLUDED.token_error, preference_off = EXCLUDED.preference_off,
           checked = EXCLUDED.checked, total = EXCLUDED.total, complete = EXCLUDED.complete`,
        [
          r.tenant,
          r.ranAt,
          r.tokenWorks,
          r.tokenError,
          JSON.stringify(r.preferenceOff),
          r.checked,
          r.total,
          r.complete,
        ],
      );
      if (rowCount === 0) throw notFound(r.tenant);
    } catch (err) {
      if ((err as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) throw notFound(r.tenant);
      throw err;
    }
  }

  async getAuditResult(tenant: string): Promise<AuditResult | null> {
    checkTenantName(tenant);
    const { rows } = await this.pool.query<ResultRow<Date, boolean, AuditTeammate[]>>(
      `SELECT ${RESULT_COLUMNS} FROM audit_results WHERE tenant = $1`,
      [tenant],
    );
    const row = rows[0];
    return row
      ? toResult(
          row,
          storedDate,
          (v) => v,
          (j) => j,
        )
      : null;
  }

  async rotateKey(newKeyring: Keyring): Promise<RotationResult> {
    const keyring = newKeyring.extendedWith(this.keyring);
    const result = await this.tx(async (client): Promise<RotationResult> => {
      await this.checkKeys(client, keyring, true);
      // FOR UPDATE keeps another replica's replaceTenantToken from being overwritten with the old token.
      const { rows } = await client.query<SealedRow & { name: string }>(
        `SELECT name, ${SEALED_COLUMNS} FROM tenants ORDER BY name FOR UPDATE`,
      );
      let rotated = 0;
      for (const row of rows) {
        if (row.key_id === keyring.currentId) continue;
        const token = openTenantToken(keyring, row.name, toSealed(row));
        const sealed = sealTenantToken(keyring, row.name, token);
        await client.query(
          'UPDATE tenants SET token_key_id = $1, token_nonce = $2, token_ciphertext = $3, token_tag = $4 WHERE name = $5',
          [sealed.keyId, sealed.nonce, sealed.ciphertext, sealed.tag, row.name],
        );
        rotated += 1;
      }
      return { keyId: keyring.currentId, rotated, total: rows.length };
    });
    this.keyring = keyring;
    this.#keyRegistered = true;
    return result;
  }

  async drawRateWindow(key: string, draw: RateWindowDraw): Promise<RateWindowGrant> {
    checkWindowKey(key);
    const d = checkDraw(draw);
    const { rowCount } = await this.pool.query(DRAW, [key, d.now, d.reserve, d.leaseMs]);
    if (rowCount === 1) return { ok: true };
    return { ok: false, state: (await this.readRateWindow(key, d.now)) as RateWindowState };
  }

  async settleRateWindow(key: string, settle: RateWindowSettle): Promise<void> {
    checkWindowKey(key);
    await this.pool.query(SETTLE, [key, ...settleParams(settle)]);
  }

  async readRateWindow(key: string, now: number): Promise<RateWindowState | null> {
    checkWindowKey(key);
    const { rows } = await this.pool.query<RateWindowRow>(READ, [key]);
    return rows[0] ? toWindowState(rows[0], now) : null;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async heartbeat(id: string, startedAt: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO replicas (id, started_at, seen_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET seen_at = EXCLUDED.seen_at`,
      [checkReplicaId(id), startedAt, this.clock()],
    );
  }

  async removeReplica(id: string): Promise<void> {
    await this.pool.query('DELETE FROM replicas WHERE id = $1', [checkReplicaId(id)]);
  }

  async liveReplicas(since: Date): Promise<ReplicaInfo[]> {
    const { rows } = await this.pool.query<{ id: string; started_at: Date; seen_at: Date }>(
      'SELECT id, started_at, seen_at FROM replicas WHERE seen_at >= $1 ORDER BY started_at, id',
      [since],
    );
    return rows.map((r) => ({ id: r.id, startedAt: r.started_at, seenAt: r.seen_at }));
  }

  async requestRulesReload(request: RulesReloadRequest): Promise<number> {
    const r = checkReloadRequest(request);
    // One statement: the NOTIFY goes out when the row is committed, never before it can be read.
    const { rows } = await this.pool.query<{ generation: string }>(
      `WITH g AS (
         INSERT INTO rule_reloads (requested_at, requested_by, trigger) VALUES ($1, $2, $3) RETURNING generation)
       SELECT generation, pg_notify('${RELOAD_CHANNEL}', current_schema() || ':' || generation) FROM g`,
      [this.clock(), r.requestedBy, r.trigger],
    );
    return Number(rows[0]?.generation);
  }

  async latestRulesReload(): Promise<number> {
    const { rows } = await this.pool.query<{ g: string | null }>('SELECT max(generation) AS g FROM rule_reloads');
    return Number(rows[0]?.g ?? 0);
  }

  async recordRulesReload(outcome: RulesReloadOutcome): Promise<void> {
    const o = checkReloadOutcome(outcome);
    await this.pool.query(
      `INSERT INTO rule_reload_outcomes (generation, replica, ok, rules, error, at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (generation, replica) DO UPDATE SET
         ok = EXCLUDED.ok, rules = EXCLUDED.rules, error = EXCLUDED.error, at = EXCLUDED.at`,
      [o.generation, o.replica, o.ok, o.rules, o.error ?? null, o.at],
    );
  }

  async rulesReloadOutcomes(generation: number): Promise<RulesReloadOutcome[]> {
    const { rows } = await this.pool.query<{
      generation: string;
      replica: string;
      ok: boolean;
      rules: number;
      error: string | null;
      at: Date;
    }>(
      'SELECT generation, replica, ok, rules, error, at FROM rule_reload_outcomes WHERE generation = $1 ORDER BY at, replica',
      [checkGeneration(generation)],
    );
    return rows.map((r) => ({
      generation: Number(r.generation),
      replica: r.replica,
      ok: r.ok,
      rules: r.rules,
      ...(r.error !== null ? { error: r.error } : {}),
      at: r.at,
    }));
  }

  async subscribeRulesReloads(
    onRequest: (generation: number) => void,
    onError?: (err: Error) => void,
  ): Promise<ReloadSubscription> {
    if (this.#closed) throw new StoreError('connection_failed', 'the store is closed');
    const subscription = await listenForReloads({
      connect: () => new Client({ connectionString: this.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }),
      latest: () => this.latestRulesReload(),
      onRequest,
      onError: (err) => onError?.(err),
    });
    const tracked: ReloadSubscription = {
      close: async () => {
        this.#subscriptions.delete(tracked);
        await subscription.close();
      },
    };
    this.#subscriptions.add(tracked);
    return tracked;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#subscriptions].map((s) => s.close()));
    await this.pool.end();
  }
}
