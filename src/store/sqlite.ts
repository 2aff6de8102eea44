import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Keyring } from './crypto';
import { StoreError } from './store-error';
import { migrateSqlite } from './migrations';
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
  checkHolder,
  checkLeaseMs,
  checkClaim,
  checkNewTenant,
  checkSettings,
  checkSlackId,
  checkTenantCheck,
  checkTenantName,
  checkToken,
  checkDate,
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
import {
  DRAW_SQL,
  forSqlite,
  READ_SQL,
  SETTLE_SQL,
  sqliteParams,
  toWindowState,
  type RateWindowRow,
} from './rate-window-sql';
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

const DRAW = forSqlite(DRAW_SQL);
const SETTLE = forSqlite(SETTLE_SQL);
const READ = forSqlite(READ_SQL);

/**
 * Creates a missing database file readable by its owner only, before SQLite would create it with 0644 in
 * a directory others may read. SQLite gives its -wal and -shm files the database file's permissions. An
 * existing file keeps the operator's choice.
 */
function createPrivately(path: string): void {
  try {
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Times are stored as epoch milliseconds. */
const storedDate = (ms: number) => new Date(ms);

/** Long enough to ride out another process's migration or rotation; a claim or activity write takes microseconds. */
const BUSY_TIMEOUT_MS = 10_000;
const PURGE_EVERY_MS = 60_000;

interface TenantRow {
  name: string;
  company_id: string | null;
  company_name: string | null;
  scopes: string | null;
  checked_at: number | null;
  added_by: string | null;
  added_at: number;
  updated_at: number;
  token_key_id: string;
}

function toTenant(row: TenantRow): TenantInfo {
  return {
    name: row.name,
    companyId: row.company_id,
    companyName: row.company_name,
    scopes: row.scopes === null ? null : (JSON.parse(row.scopes) as string[]),
    checkedAt: row.checked_at === null ? null : new Date(row.checked_at),
    addedBy: row.added_by,
    addedAt: new Date(row.added_at),
    updatedAt: new Date(row.updated_at),
    tokenKeyId: row.token_key_id,
  };
}

/**
 * better-sqlite3 is synchronous; the methods are async only to share the Store interface with Postgres.
 * Every multi-statement write is BEGIN IMMEDIATE so that two processes on one file queue on the write lock
 * (busy_timeout) instead of failing with SQLITE_BUSY when a read transaction tries to upgrade.
 */
export class SqliteStore implements Store {
  #lastPurge = Number.NEGATIVE_INFINITY;
  #keyRegistered = false;
  /** One process owns a SQLite file's serving: reload requests reach the subscribers of this instance. */
  readonly #reloadSubscribers = new Set<(generation: number) => void>();
  readonly shared = false;

  private constructor(
    private readonly db: Database.Database,
    private keyring: Keyring,
    private readonly clock: () => Date,
  ) {}

  static open(path: string, keyring: Keyring, options: StoreOptions = {}): SqliteStore {
    const clock = options.clock ?? (() => new Date());
    // Only a directory the store creates gets 0700; one that exists keeps the operator's choice.
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      createPrivately(path);
    }
    const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrateSqlite(db, clock());
      const store = new SqliteStore(db, keyring, clock);
      store.checkKeys(keyring, false);
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Fails if a key id in the keyring names different bytes than the ones this database was written with.
   * `register` records the current key id: only writes under it and a rotation do, so a command that only
   * reads, run with a mistyped new key, leaves nothing behind that would refuse the right key later.
   */
  private checkKeys(keyring: Keyring, register: boolean): void {
    this.db
      .transaction(() => {
        const rows = this.db
          .prepare(
            'SELECT key_id, check_nonce AS nonce, check_ciphertext AS ciphertext, check_tag AS tag FROM encryption_keys',
          )
          .all() as SealedRow[];
        const known = rows.map((r) => r.key_id);
        for (const row of rows) verifyKeyCheck(keyring, toSealed(row), known);
        if (register && !known.includes(keyring.currentId)) {
          const check = sealKeyCheck(keyring);
          this.db
            .prepare(
              `INSERT INTO encryption_keys (key_id, check_nonce, check_ciphertext, check_tag, created_at)
               VALUES (?, ?, ?, ?, ?)`,
            )
            .run(check.keyId, check.nonce, check.ciphertext, check.tag, this.clock().getTime());
        }
      })
      .immediate();
  }

  private registerCurrentKey(): void {
    if (this.#keyRegistered) return;
    this.checkKeys(this.keyring, true);
    this.#keyRegistered = true;
  }

  private tenantRow(name: string): TenantRow | undefined {
    return this.db.prepare(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE name = ?`).get(name) as TenantRow | undefined;
  }

  async addTenant(tenant: NewTenant): Promise<TenantInfo> {
    const t = checkNewTenant(tenant);
    this.registerCurrentKey();
    const sealed = sealTenantToken(this.keyring, t.name, t.token);
    const now = this.clock().getTime();
    const info = this.db
      .prepare(
        `INSERT INTO tenants (name, company_id, company_name, scopes, checked_at, added_by, added_at, updated_at,
           token_key_id, token_nonce, token_ciphertext, token_tag)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO NOTHING`,
      )
      .run(
        t.name,
        t.companyId,
        t.companyName,
        t.scopes === null ? null : JSON.stringify(t.scopes),
        t.checkedAt?.getTime() ?? null,
        t.addedBy,
        now,
        now,
        sealed.keyId,
        sealed.nonce,
        sealed.ciphertext,
        sealed.tag,
      );
    if (info.changes === 0) throw new StoreError('tenant_exists', `a tenant named "${t.name}" already exists`);
    return toTenant(this.tenantRow(t.name) as TenantRow);
  }

  async getTenant(name: string): Promise<TenantInfo | null> {
    const row = this.tenantRow(checkTenantName(name));
    return row ? toTenant(row) : null;
  }

  async getTenantToken(name: string): Promise<string | null> {
    checkTenantName(name);
    const row = this.db.prepare(`SELECT ${SEALED_COLUMNS} FROM tenants WHERE name = ?`).get(name) as
      SealedRow | undefined;
    return row ? openTenantToken(this.keyring, name, toSealed(row)) : null;
  }

  async listTenants(): Promise<TenantInfo[]> {
    const rows = this.db.prepare(`SELECT ${TENANT_COLUMNS} FROM tenants ORDER BY name`).all() as TenantRow[];
    return rows.map(toTenant);
  }

  async removeTenant(name: string): Promise<boolean> {
    checkTenantName(name);
    // Bindings go with it through ON DELETE CASCADE (foreign_keys is on for every connection).
    return this.db.prepare('DELETE FROM tenants WHERE name = ?').run(name).changes > 0;
  }

  async updateTenantCheck(name: string, check: TenantCheck): Promise<TenantInfo> {
    checkTenantName(name);
    const c = checkTenantCheck(check);
    const info = this.db
      .prepare(
        `UPDATE tenants SET company_id = ?, company_name = ?, scopes = ?, checked_at = ?, updated_at = ?
         WHERE name = ?`,
      )
      .run(c.companyId, c.companyName, JSON.stringify(c.scopes), c.checkedAt.getTime(), this.clock().getTime(), name);
    if (info.changes === 0) throw notFound(name);
    return toTenant(this.tenantRow(name) as TenantRow);
  }

  async replaceTenantToken(name: string, token: string, check?: TenantCheck): Promise<TenantInfo> {
    checkTenantName(name);
    this.registerCurrentKey();
    const sealed = sealTenantToken(this.keyring, name, checkToken(token));
    const c = check === undefined ? undefined : checkTenantCheck(check);
    const info = this.db
      .prepare(
        `UPDATE tenants SET token_key_id = ?, token_nonce = ?, token_ciphertext = ?, token_tag = ?,
           scopes = ?, checked_at = ?, company_id = coalesce(?, company_id), company_name = coalesce(?, company_name),
           updated_at = ?
         WHERE name = ?`,
      )
      .run(
        sealed.keyId,
        sealed.nonce,
        sealed.ciphertext,
        sealed.tag,
        c ? JSON.stringify(c.scopes) : null,
        c ? c.checkedAt.getTime() : null,
        c?.companyId ?? null,
        c?.companyName ?? null,
        this.clock().getTime(),
        name,
      );
    if (info.changes === 0) throw notFound(name);
    return toTenant(this.tenantRow(name) as TenantRow);
  }

  async bindChannel(binding: {
    teamId: string;
    channelId: string;
    tenant: string;
    boundBy: string;
  }): Promise<ChannelBinding> {
    const b = checkBinding(binding);
    const boundAt = this.clock().getTime();
    // The existence check and the write share one immediate transaction so a concurrent removeTenant cannot slip between.
    this.db
      .transaction(() => {
        if (!this.tenantRow(b.tenant)) throw notFound(b.tenant);
        this.db
          .prepare(
            `INSERT INTO channel_bindings (team_id, channel_id, tenant, bound_by, bound_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (team_id, channel_id) DO UPDATE SET
               tenant = excluded.tenant, bound_by = excluded.bound_by, bound_at = excluded.bound_at`,
          )
          .run(b.teamId, b.channelId, b.tenant, b.boundBy, boundAt);
      })
      .immediate();
    return { ...b, boundAt: new Date(boundAt) };
  }

  async unbindChannel(teamId: string, channelId: string): Promise<boolean> {
    checkSlackId('teamId', teamId);
    checkSlackId('channelId', channelId);
    return (
      this.db.prepare('DELETE FROM channel_bindings WHERE team_id = ? AND channel_id = ?').run(teamId, channelId)
        .changes > 0
    );
  }

  async getChannelBinding(teamId: string, channelId: string): Promise<ChannelBinding | null> {
    checkSlackId('teamId', teamId);
    checkSlackId('channelId', channelId);
    const row = this.db
      .prepare(
        'SELECT team_id, channel_id, tenant, bound_by, bound_at FROM channel_bindings WHERE team_id = ? AND channel_id = ?',
      )
      .get(teamId, channelId) as BindingRow<number> | undefined;
    return row ? toBinding(row, storedDate) : null;
  }

  async listChannelBindings(query: { tenant?: string } = {}): Promise<ChannelBinding[]> {
    const tenant = query.tenant === undefined ? null : checkTenantName(query.tenant);
    const rows = this.db
      .prepare(
        `SELECT team_id, channel_id, tenant, bound_by, bound_at FROM channel_bindings
         WHERE (@tenant IS NULL OR tenant = @tenant) ORDER BY tenant, team_id, channel_id`,
      )
      .all({ tenant }) as BindingRow<number>[];
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
    const toInt = (v: boolean | undefined) => (v === undefined ? null : v ? 1 : 0);
    // NULL means "leave as it is": the upsert merges in one statement, so two partial updates never undo each other.
    const row = this.db
      .prepare(
        `INSERT INTO channel_settings (team_id, channel_id, listen, allow_external, updated_at)
         VALUES (@teamId, @channelId, coalesce(@listen, 0), coalesce(@allowExternal, 0), @now)
         ON CONFLICT (team_id, channel_id) DO UPDATE SET listen = coalesce(@listen, listen),
           allow_external = coalesce(@allowExternal, allow_external), updated_at = excluded.updated_at
         RETURNING listen, allow_external`,
      )
      .get({
        teamId,
        channelId,
        listen: toInt(s.listen),
        allowExternal: toInt(s.allowExternal),
        now: this.clock().getTime(),
      }) as { listen: number; allow_external: number };
    return { listen: row.listen === 1, allowExternal: row.allow_external === 1 };
  }

  async getChannelSettings(teamId: string, channelId: string): Promise<ChannelSettings> {
    checkSlackId('teamId', teamId);
    checkSlackId('channelId', channelId);
    const row = this.db
      .prepare('SELECT listen, allow_external FROM channel_settings WHERE team_id = ? AND channel_id = ?')
      .get(teamId, channelId) as { listen: number; allow_external: number } | undefined;
    return { listen: row?.listen === 1, allowExternal: row?.allow_external === 1 };
  }

  async recordActivity(entry: NewActivityEntry): Promise<void> {
    const e = checkActivity(entry);
    this.db
      .prepare(
        `INSERT INTO activity_log (at, actor, team_id, channel_id, tenant, action, target, cause, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.at.getTime(), e.actor, e.teamId, e.channelId, e.tenant, e.action, e.target, e.cause, e.detail);
  }

  async listActivity(query: ActivityQuery = {}): Promise<ActivityEntry[]> {
    const q = checkActivityQuery(query);
    const rows = this.db
      .prepare(
        `SELECT id, at, actor, team_id, channel_id, tenant, action, target, cause, detail FROM activity_log
         WHERE (@tenant IS NULL OR tenant = @tenant) AND (@since IS NULL OR at >= @since)
           AND (@actions IS NULL OR action IN (SELECT value FROM json_each(@actions)))
           AND (@beforeAt IS NULL OR at < @beforeAt OR (at = @beforeAt AND id < @beforeId))
         ORDER BY at DESC, id DESC LIMIT @limit`,
      )
      .all({
        tenant: q.tenant,
        since: q.since?.getTime() ?? null,
        actions: q.actions === null ? null : JSON.stringify(q.actions),
        beforeAt: q.before?.at.getTime() ?? null,
        beforeId: q.before?.id ?? null,
        limit: q.limit,
      }) as ActivityRow<number>[];
    return rows.map((row) => toActivity(row, storedDate));
  }

  async claimEvent(key: string, ttlSeconds: number): Promise<boolean> {
    const c = checkClaim(key, ttlSeconds);
    const now = this.clock().getTime();
    if (now - this.#lastPurge >= PURGE_EVERY_MS) {
      this.#lastPurge = now;
      this.db.prepare('DELETE FROM event_claims WHERE expires_at <= ?').run(now);
    }
    // One statement decides: a fresh key inserts, an expired one is taken over, a live one changes nothing.
    const info = this.db
      .prepare(
        `INSERT INTO event_claims (key, claimed_at, expires_at) VALUES (@key, @now, @expires)
         ON CONFLICT (key) DO UPDATE SET claimed_at = excluded.claimed_at, expires_at = excluded.expires_at
         WHERE event_claims.expires_at <= @now`,
      )
      .run({ key: c.key, now, expires: now + c.ttlMs });
    return info.changes === 1;
  }

  private watchRow(id: string): Watch | null {
    const row = this.db.prepare(`SELECT ${WATCH_COLUMNS} FROM watches WHERE id = ?`).get(id) as
      WatchRow<number> | undefined;
    return row ? toWatch(row, storedDate) : null;
  }

  async startWatch(watch: NewWatch): Promise<{ watch: Watch; created: boolean }> {
    const w = checkNewWatch(watch);
    const id = `w${randomBytes(8).toString('hex')}`;
    return this.db
      .transaction(() => {
        // The partial unique index keeps one active watch per thread and target: a double click starts one.
        const info = this.db
          .prepare(
            `INSERT INTO watches (id, tenant, team_id, channel_id, thread_ts, target, label, cause, owner, state,
               started_by, started_at, next_check_at, attempts, expires_at, last_cause)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, 0, ?, ?)
             ON CONFLICT (team_id, channel_id, thread_ts, target) WHERE state = 'active' DO NOTHING`,
          )
          .run(
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
            w.startedAt.getTime(),
            w.nextCheckAt.getTime(),
            w.expiresAt.getTime(),
            w.cause,
          );
        if (info.changes === 1) return { watch: this.watchRow(id) as Watch, created: true };
        const row = this.db
          .prepare(
            `SELECT ${WATCH_COLUMNS} FROM watches WHERE team_id = ? AND channel_id = ? AND thread_ts = ? AND target = ?
             AND state = 'active'`,
          )
          .get(w.teamId, w.channelId, w.threadTs, w.target) as WatchRow<number>;
        return { watch: toWatch(row, storedDate), created: false };
      })
      .immediate();
  }

  async getWatch(id: string): Promise<Watch | null> {
    return this.watchRow(checkWatchId(id));
  }

  async listWatches(query: WatchQuery = {}): Promise<Watch[]> {
    const q = checkWatchQuery(query);
    const rows = this.db
      .prepare(
        `SELECT ${WATCH_COLUMNS} FROM watches
         WHERE (@teamId IS NULL OR team_id = @teamId) AND (@channelId IS NULL OR channel_id = @channelId)
           AND (@tenant IS NULL OR tenant = @tenant) AND (@state IS NULL OR state = @state)
         ORDER BY started_at, id LIMIT @limit`,
      )
      .all(q) as WatchRow<number>[];
    return rows.map((row) => toWatch(row, storedDate));
  }

  async countActiveWatches(): Promise<number> {
    const row = this.db.prepare("SELECT count(*) AS n FROM watches WHERE state = 'active'").get() as { n: number };
    return row.n;
  }

  async claimDueWatches(claim: { holder: string; now: Date; leaseMs: number; limit: number }): Promise<Watch[]> {
    const c = checkWatchClaim(claim);
    const now = c.now.getTime();
    // One immediate transaction: another process waits on the write lock, then finds these leased.
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare(
            `UPDATE watches SET lease_holder = @holder, lease_until = @until
             WHERE id IN (
               SELECT id FROM watches
               WHERE state = 'active' AND (next_check_at <= @now OR expires_at <= @now)
                 AND (lease_until IS NULL OR lease_until <= @now)
               ORDER BY next_check_at, id LIMIT @limit)
             RETURNING ${WATCH_COLUMNS}`,
          )
          .all({ holder: c.holder, until: now + c.leaseMs, now, limit: c.limit }) as WatchRow<number>[];
        return rows.map((row) => toWatch(row, storedDate)).sort((a, b) => +a.nextCheckAt - +b.nextCheckAt);
      })
      .immediate();
  }

  async recordWatchCheck(
    id: string,
    holder: string,
    update: WatchCheckUpdate,
  ): Promise<{ previousCause: string | null } | undefined> {
    checkWatchId(id);
    checkWatchHolder(holder);
    const u = checkWatchCheckUpdate(update);
    return this.db
      .transaction(() => {
        const before = this.db
          .prepare(`SELECT last_cause FROM watches WHERE id = ? AND state = 'active' AND lease_holder = ?`)
          .get(id, holder) as { last_cause: string | null } | undefined;
        if (!before) return undefined;
        this.db
          .prepare(
            `UPDATE watches SET attempts = attempts + 1, last_checked_at = ?, next_check_at = ?,
               last_cause = coalesce(?, last_cause), last_result = ?, lease_holder = NULL, lease_until = NULL
             WHERE id = ?`,
          )
          .run(u.checkedAt.getTime(), u.nextCheckAt.getTime(), u.cause, u.result, id);
        return { previousCause: before.last_cause };
      })
      .immediate();
  }

  async postponeWatch(id: string, holder: string, nextCheckAt: Date): Promise<boolean> {
    checkWatchId(id);
    checkWatchHolder(holder);
    const next = checkDate('nextCheckAt', nextCheckAt);
    const info = this.db
      .prepare(
        `UPDATE watches SET next_check_at = ?, lease_holder = NULL, lease_until = NULL
         WHERE id = ? AND state = 'active' AND lease_holder = ?`,
      )
      .run(next.getTime(), id, holder);
    return info.changes === 1;
  }

  async endWatch(id: string, end: { state: WatchEnd; at: Date; by?: string; result?: string }): Promise<Watch | null> {
    checkWatchId(id);
    const e = checkWatchEnd(end);
    // Conditional on still being active: of several replicas (or a replica and a Stop click), one ends it.
    const row = this.db
      .prepare(
        `UPDATE watches SET state = ?, ended_at = ?, ended_by = ?, last_result = coalesce(?, last_result),
           lease_holder = NULL, lease_until = NULL
         WHERE id = ? AND state = 'active'
         RETURNING ${WATCH_COLUMNS}`,
      )
      .get(e.state, e.at.getTime(), e.by, e.result, id) as WatchRow<number> | undefined;
    return row ? toWatch(row, storedDate) : null;
  }

  async setAuditSchedule(schedule: NewAuditSchedule): Promise<AuditSchedule> {
    const s = checkAuditSchedule(schedule);
    const row = this.db
      .transaction(() => {
        if (!this.tenantRow(s.tenant)) throw notFound(s.tenant);
        return this.db
          .prepare(
            `INSERT INTO audit_schedules (tenant, cadence, set_by, set_at, next_run_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (tenant) DO UPDATE SET cadence = excluded.cadence, set_by = excluded.set_by,
               set_at = excluded.set_at, next_run_at = excluded.next_run_at
             RETURNING ${SCHEDULE_COLUMNS}`,
          )
          .get(
            s.tenant,
            s.cadence,
            s.setBy,
            this.clock().getTime(),
            s.nextRunAt?.getTime() ?? null,
          ) as ScheduleRow<number>;
      })
      .immediate();
    return toSchedule(row, storedDate);
  }

  async getAuditSchedule(tenant: string): Promise<AuditSchedule | null> {
    checkTenantName(tenant);
    const row = this.db.prepare(`SELECT ${SCHEDULE_COLUMNS} FROM audit_schedules WHERE tenant = ?`).get(tenant) as
      ScheduleRow<number> | undefined;
    return row ? toSchedule(row, storedDate) : null;
  }

  async listAuditSchedules(): Promise<AuditSchedule[]> {
    const rows = this.db
      .prepare(`SELECT ${SCHEDULE_COLUMNS} FROM audit_schedules ORDER BY tenant`)
      .all() as ScheduleRow<number>[];
    return rows.map((row) => toSchedule(row, storedDate));
  }

  async claimDueAudit(holder: string, leaseMs: number): Promise<AuditSchedule | null> {
    const h = checkHolder(holder);
    const ms = checkLeaseMs(leaseMs);
    const now = this.clock().getTime();
    // One statement under SQLite's write lock: two processes cannot both see the same audit as free.
    const row = this.db
      .prepare(
        `UPDATE audit_schedules SET lease_holder = @holder, lease_until = @until
         WHERE tenant = (
           SELECT tenant FROM audit_schedules
           WHERE cadence <> 'off' AND next_run_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
           ORDER BY next_run_at, tenant LIMIT 1)
         RETURNING ${SCHEDULE_COLUMNS}`,
      )
      .get({ holder: h, until: now + ms, now }) as ScheduleRow<number> | undefined;
    return row ? toSchedule(row, storedDate) : null;
  }

  async finishAudit(claim: AuditSchedule, nextRunAt: Date): Promise<boolean> {
    const c = checkClaimed(claim);
    const next = checkDate('nextRunAt', nextRunAt);
    const info = this.db
      .prepare(
        `UPDATE audit_schedules SET lease_holder = NULL, lease_until = NULL,
           next_run_at = CASE WHEN set_at = @setAt AND cadence <> 'off' THEN @next ELSE next_run_at END
         WHERE tenant = @tenant AND lease_holder = @holder`,
      )
      .run({ tenant: c.tenant, holder: c.holder, setAt: c.setAt.getTime(), next: next.getTime() });
    return info.changes > 0;
  }

  async saveAuditResult(result: AuditResult): Promise<void> {
    const r = checkAuditResult(result);
    const toInt = (v: boolean) => (v ? 1 : 0);
    this.db
      .transaction(() => {
        if (!this.tenantRow(r.tenant)) throw notFound(r.tenant);
        this.db
          .prepare(
            `INSERT INTO audit_results (${RESULT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (tenant) DO UPDATE SET ran_at = excluded.ran_at, token_works = excluded.token_works,
               token_error = excluded.token_error, preference_off = excluded.preference_off,
               checked = excluded.checked, total = excluded.total, complete = excluded.complete`,
          )
          .run(
            r.tenant,
            r.ranAt.getTime(),
            r.tokenWorks === null ? null : toInt(r.tokenWorks),
            r.tokenError,
            JSON.stringify(r.preferenceOff),
            r.checked,
            r.total,
            toInt(r.complete),
          );
      })
      .immediate();
  }

  async getAuditResult(tenant: string): Promise<AuditResult | null> {
    checkTenantName(tenant);
    const row = this.db.prepare(`SELECT ${RESULT_COLUMNS} FROM audit_results WHERE tenant = ?`).get(tenant) as
      ResultRow<number, number, string> | undefined;
    return row
      ? toResult(
          row,
          storedDate,
          (v) => v === 1,
          (j) => JSON.parse(j) as AuditTeammate[],
        )
      : null;
  }

  async rotateKey(newKeyring: Keyring): Promise<RotationResult> {
    const keyring = newKeyring.extendedWith(this.keyring);
    const result = this.db
      .transaction((): RotationResult => {
        this.checkKeys(keyring, true);
        const rows = this.db.prepare(`SELECT name, ${SEALED_COLUMNS} FROM tenants`).all() as (SealedRow & {
          name: string;
        })[];
        const update = this.db.prepare(
          'UPDATE tenants SET token_key_id = ?, token_nonce = ?, token_ciphertext = ?, token_tag = ? WHERE name = ?',
        );
        let rotated = 0;
        for (const row of rows) {
          if (row.key_id === keyring.currentId) continue;
          const token = openTenantToken(keyring, row.name, toSealed(row));
          const sealed = sealTenantToken(keyring, row.name, token);
          update.run(sealed.keyId, sealed.nonce, sealed.ciphertext, sealed.tag, row.name);
          rotated += 1;
        }
        return { keyId: keyring.currentId, rotated, total: rows.length };
      })
      .immediate();
    this.keyring = keyring;
    this.#keyRegistered = true;
    return result;
  }

  async drawRateWindow(key: string, draw: RateWindowDraw): Promise<RateWindowGrant> {
    checkWindowKey(key);
    const d = checkDraw(draw);
    const granted = this.db.prepare(DRAW).get(sqliteParams([key, d.now, d.reserve, d.leaseMs]));
    if (granted) return { ok: true };
    return { ok: false, state: (await this.readRateWindow(key, d.now)) as RateWindowState };
  }

  async settleRateWindow(key: string, settle: RateWindowSettle): Promise<void> {
    checkWindowKey(key);
    this.db.prepare(SETTLE).run(sqliteParams([key, ...settleParams(settle)]));
  }

  async readRateWindow(key: string, now: number): Promise<RateWindowState | null> {
    checkWindowKey(key);
    const row = this.db.prepare(READ).get(sqliteParams([key])) as RateWindowRow | undefined;
    return row ? toWindowState(row, now) : null;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async heartbeat(id: string, startedAt: Date): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO replicas (id, started_at, seen_at) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`,
      )
      .run(checkReplicaId(id), startedAt.getTime(), this.clock().getTime());
  }

  async removeReplica(id: string): Promise<void> {
    this.db.prepare('DELETE FROM replicas WHERE id = ?').run(checkReplicaId(id));
  }

  async liveReplicas(since: Date): Promise<ReplicaInfo[]> {
    const rows = this.db
      .prepare('SELECT id, started_at, seen_at FROM replicas WHERE seen_at >= ? ORDER BY started_at, id')
      .all(since.getTime()) as { id: string; started_at: number; seen_at: number }[];
    return rows.map((r) => ({ id: r.id, startedAt: new Date(r.started_at), seenAt: new Date(r.seen_at) }));
  }

  async requestRulesReload(request: RulesReloadRequest): Promise<number> {
    const r = checkReloadRequest(request);
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO rule_reloads (requested_at, requested_by, trigger) VALUES (?, ?, ?)')
      .run(this.clock().getTime(), r.requestedBy, r.trigger);
    const generation = Number(lastInsertRowid);
    // After the caller has the generation, as a NOTIFY arrives after its transaction commits.
    for (const notify of this.#reloadSubscribers) queueMicrotask(() => notify(generation));
    return generation;
  }

  async latestRulesReload(): Promise<number> {
    const row = this.db.prepare('SELECT max(generation) AS g FROM rule_reloads').get() as { g: number | null };
    return row.g ?? 0;
  }

  async recordRulesReload(outcome: RulesReloadOutcome): Promise<void> {
    const o = checkReloadOutcome(outcome);
    this.db
      .prepare(
        `INSERT INTO rule_reload_outcomes (generation, replica, ok, rules, error, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (generation, replica) DO UPDATE SET
           ok = excluded.ok, rules = excluded.rules, error = excluded.error, at = excluded.at`,
      )
      .run(o.generation, o.replica, o.ok ? 1 : 0, o.rules, o.error ?? null, o.at.getTime());
  }

  async rulesReloadOutcomes(generation: number): Promise<RulesReloadOutcome[]> {
    const rows = this.db
      .prepare(
        'SELECT generation, replica, ok, rules, error, at FROM rule_reload_outcomes WHERE generation = ? ORDER BY at, replica',
      )
      .all(checkGeneration(generation)) as {
      generation: number;
      replica: string;
      ok: number;
      rules: number;
      error: string | null;
      at: number;
    }[];
    return rows.map((r) => ({
      generation: r.generation,
      replica: r.replica,
      ok: r.ok === 1,
      rules: r.rules,
      ...(r.error !== null ? { error: r.error } : {}),
      at: new Date(r.at),
    }));
  }

  async subscribeRulesReloads(onRequest: (generation: number) => void): Promise<ReloadSubscription> {
    const listener = (generation: number) => onRequest(generation);
    this.#reloadSubscribers.add(listener);
    return {
      close: async () => {
        this.#reloadSubscribers.delete(listener);
      },
    };
  }

  async close(): Promise<void> {
    this.#reloadSubscribers.clear();
    if (this.db.open) this.db.close();
  }
}
