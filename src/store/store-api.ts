import type { RateWindowDraw, RateWindowGrant, RateWindowSettle, RateWindowState } from '../front';
import type { Keyring } from './crypto';

// The shared rate window's shapes belong to the budget that draws from it; the store keeps its rows.
export type { RateWindowDraw, RateWindowGrant, RateWindowSettle, RateWindowState };

/** A tenant as everyone but `getTenantToken` sees it: never the token. */
export interface TenantInfo {
  name: string;
  companyId: string | null;
  companyName: string | null;
  /** null: never checked (or the token was replaced since). */
  scopes: string[] | null;
  checkedAt: Date | null;
  addedBy: string | null;
  addedAt: Date;
  updatedAt: Date;
  /** Which key of the keyring encrypts the token; tells an operator whether a rotation is complete. */
  tokenKeyId: string;
}

export interface NewTenant {
  name: string;
  token: string;
  companyId?: string;
  companyName?: string;
  scopes?: string[];
  checkedAt?: Date;
  addedBy?: string;
}

export interface TenantCheck {
  companyId: string | null;
  companyName: string | null;
  scopes: string[];
  checkedAt: Date;
}

export interface ChannelBinding {
  teamId: string;
  channelId: string;
  tenant: string;
  boundBy: string;
  boundAt: Date;
}

export interface ChannelSettings {
  listen: boolean;
  allowExternal: boolean;
}

/** What a watch leaves in the activity log: one start, any number of changes, and one end. */
export const WATCH_ACTIVITY_ACTIONS = [
  'watch.start',
  'watch.changed',
  'watch.fixed',
  'watch.expired',
  'watch.stop',
] as const;

export const KNOWN_ACTIVITY_ACTIONS = [
  'diagnose',
  'explain',
  'audit',
  'tenant.add',
  'tenant.remove',
  'tenant.bind',
  'tenant.unbind',
  'tenant.check',
  'tenant.token.replace',
  'channel.settings',
  'key.rotate',
  ...WATCH_ACTIVITY_ACTIONS,
  'audit.schedule',
  'audit.scheduled',
  'audit.notice',
] as const;

/** Open-ended so a new command can record its activity without touching the store; the known ones autocomplete. */
export type ActivityAction = (typeof KNOWN_ACTIVITY_ACTIONS)[number] | (string & {});

export interface NewActivityEntry {
  at: Date;
  actor: string;
  teamId?: string;
  channelId?: string;
  tenant?: string;
  action: ActivityAction;
  target?: string;
  cause?: string;
  detail?: string;
}

export interface ActivityEntry {
  id: number;
  at: Date;
  actor: string;
  teamId: string | null;
  channelId: string | null;
  tenant: string | null;
  action: string;
  target: string | null;
  cause: string | null;
  detail: string | null;
}

export interface ActivityQuery {
  tenant?: string;
  since?: Date;
  /** Only these actions. */
  actions?: string[];
  /** Entries older than this one (newest-first paging: pass the last entry of the previous page). */
  before?: { at: Date; id: number };
  /** Default 100, at most 1000. */
  limit?: number;
}

export type WatchState = 'active' | 'fixed' | 'stopped' | 'expired';
export type WatchEnd = Exclude<WatchState, 'active'>;

export interface NewWatch {
  tenant: string;
  teamId: string;
  channelId: string;
  threadTs: string;
  /** What is re-checked: a cnv_ ID, an app link or a paste. Anything token-shaped is redacted before it is written. */
  target: string;
  /** How the thread names it ("cnv_yo1kg5q"). */
  label: string;
  /** The cause when the watch started. */
  cause: string;
  /** Who or what the cause concerned at the start ("Bo Kim <bo@acme.example>"), to say later what changed. */
  owner?: string;
  startedBy: string;
  startedAt: Date;
  nextCheckAt: Date;
  expiresAt: Date;
}

export interface Watch {
  id: string;
  tenant: string;
  teamId: string;
  channelId: string;
  threadTs: string;
  target: string;
  label: string;
  cause: string;
  owner: string | null;
  state: WatchState;
  startedBy: string;
  startedAt: Date;
  nextCheckAt: Date;
  /** Re-checks made so far (postponed ones do not count). */
  attempts: number;
  expiresAt: Date;
  /** The cause the latest re-check found (the start's cause until one found another). */
  lastCause: string | null;
  lastResult: string | null;
  lastCheckedAt: Date | null;
  endedAt: Date | null;
  endedBy: string | null;
  leaseHolder: string | null;
  leaseUntil: Date | null;
}

export const AUDIT_CADENCES = ['daily', 'weekly', 'off'] as const;
export type AuditCadence = (typeof AUDIT_CADENCES)[number];

export interface AuditSchedule {
  tenant: string;
  cadence: AuditCadence;
  setBy: string;
  setAt: Date;
  /** null when the cadence is off. */
  nextRunAt: Date | null;
  /** Which replica is running it now, until `leaseUntil`; a lease past its time is free to take over. */
  leaseHolder: string | null;
  leaseUntil: Date | null;
}

export interface WatchQuery {
  teamId?: string;
  channelId?: string;
  tenant?: string;
  /** Default `active`. */
  state?: WatchState | 'any';
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface WatchCheckUpdate {
  checkedAt: Date;
  nextCheckAt: Date;
  /** The cause found; absent when the re-check could not tell (the last cause is kept). */
  cause?: string;
  result: string;
}

export interface NewAuditSchedule {
  tenant: string;
  cadence: AuditCadence;
  setBy: string;
  /** Ignored (stored as null) when the cadence is off. */
  nextRunAt: Date | null;
}

export interface AuditTeammate {
  id: string;
  name: string;
}

/** What a tenant's last audit found: what the next one is compared with. */
export interface AuditResult {
  tenant: string;
  ranAt: Date;
  /** true: Front accepted the token; false: it refused it; null: could not tell. */
  tokenWorks: boolean | null;
  /** A short kind when it did not work ("refused", "unreachable", "http_500"); never the token. */
  tokenError: string | null;
  /** Teammates with "Allow access to my individual resources via the API" off. */
  preferenceOff: AuditTeammate[];
  checked: number;
  total: number;
  complete: boolean;
}

export interface RotationResult {
  keyId: string;
  /** Tokens re-encrypted; those already under the current key are left as they are. */
  rotated: number;
  total: number;
}

/** A running `serve`, as the others see it through the store. */
export interface ReplicaInfo {
  id: string;
  startedAt: Date;
  seenAt: Date;
}

export interface RulesReloadRequest {
  /** What asked: slack, SIGHUP, cli. */
  trigger: string;
  /** Who asked (a Slack user, a replica, the CLI user); shown to operators, never a secret. */
  requestedBy: string;
}

/** How one replica's reload of one generation went. */
export interface RulesReloadOutcome {
  generation: number;
  replica: string;
  ok: boolean;
  /** ok: the rules now serving; not ok: the rules that keep serving. */
  rules: number;
  /** Not ok: the first error lines, as `front-why rules lint` prints them. */
  error?: string;
  at: Date;
}

/** A listener on rule-reload requests; `close` stops it. */
export interface ReloadSubscription {
  close(): Promise<void>;
}

/**
 * Every argument is validated on every call: a malformed tenant name or Slack id throws `invalid_input`
 * (rather than reading as "not found"), so a typo is reported as one.
 */
export interface Store {
  /** Throws `invalid_input` (bad name, empty token) or `tenant_exists`. */
  addTenant(tenant: NewTenant): Promise<TenantInfo>;
  getTenant(name: string): Promise<TenantInfo | null>;
  /**
   * The only way a token leaves the store. null when the tenant does not exist; throws `decrypt_failed`
   * or `key_unknown` rather than ever returning a wrong token.
   */
  getTenantToken(name: string): Promise<string | null>;
  listTenants(): Promise<TenantInfo[]>;
  /** Also drops the tenant's channel bindings. false when there was no such tenant. */
  removeTenant(name: string): Promise<boolean>;
  /** Throws `tenant_not_found`. */
  updateTenantCheck(name: string, check: TenantCheck): Promise<TenantInfo>;
  /**
   * Throws `tenant_not_found`. The last check described the old token, so without `check` the scopes and
   * check time are cleared (company kept); pass the new token's check to record it in the same write.
   */
  replaceTenantToken(name: string, token: string, check?: TenantCheck): Promise<TenantInfo>;

  /** Replaces any earlier binding of the channel. Throws `tenant_not_found`. */
  bindChannel(binding: { teamId: string; channelId: string; tenant: string; boundBy: string }): Promise<ChannelBinding>;
  /** false when the channel was not bound. */
  unbindChannel(teamId: string, channelId: string): Promise<boolean>;
  getChannelBinding(teamId: string, channelId: string): Promise<ChannelBinding | null>;
  /** Every bound channel, or those of one tenant; ordered by tenant, team, channel. */
  listChannelBindings(query?: { tenant?: string }): Promise<ChannelBinding[]>;

  /** Fields left out keep their value. Returns the settings now in force. */
  setChannelSettings(teamId: string, channelId: string, settings: Partial<ChannelSettings>): Promise<ChannelSettings>;
  /** Defaults: listen false, allowExternal false. */
  getChannelSettings(teamId: string, channelId: string): Promise<ChannelSettings>;

  /** Anything shaped like a bearer token or JWT in the text fields is redacted before it is written. */
  recordActivity(entry: NewActivityEntry): Promise<void>;
  /** Newest first. */
  listActivity(query?: ActivityQuery): Promise<ActivityEntry[]>;

  /**
   * true for the first caller only, across every process sharing the database, until the key expires.
   * Expired keys can be claimed again and are purged lazily.
   */
  claimEvent(key: string, ttlSeconds: number): Promise<boolean>;

  /**
   * Starts watching, or returns the watch already active for the same thread and target (`created` false).
   * Throws `invalid_input`.
   */
  startWatch(watch: NewWatch): Promise<{ watch: Watch; created: boolean }>;
  getWatch(id: string): Promise<Watch | null>;
  /** Oldest first. */
  listWatches(query?: WatchQuery): Promise<Watch[]>;
  /** Active watches across every replica sharing the database (what GET /metrics reports). */
  countActiveWatches(): Promise<number>;
  /**
   * Leases up to `limit` active watches that are due (next check or expiry reached) and not leased by anyone
   * else, to `holder` until `now + leaseMs`. Across every replica sharing the database, a watch is leased to
   * one holder at a time; a lease that ran out (its holder crashed) is taken over.
   */
  claimDueWatches(claim: { holder: string; now: Date; leaseMs: number; limit: number }): Promise<Watch[]>;
  /**
   * Records a re-check by the lease's holder and releases the lease; one more attempt is counted. Returns the
   * cause recorded before (so the caller can tell whether it changed), or `undefined` when `holder` no longer
   * holds an active watch's lease (the watch ended, or its lease ran out and another replica took it).
   */
  recordWatchCheck(
    id: string,
    holder: string,
    update: WatchCheckUpdate,
  ): Promise<{ previousCause: string | null } | undefined>;
  /** Moves the next check without counting an attempt (the tenant's Front budget was busy); releases the lease. */
  postponeWatch(id: string, holder: string, nextCheckAt: Date): Promise<boolean>;
  /**
   * Ends an active watch. Only the first caller, across every replica, gets the ended watch back; everyone
   * else gets null, so exactly one of them tells the thread.
   */
  endWatch(id: string, end: { state: WatchEnd; at: Date; by?: string; result?: string }): Promise<Watch | null>;

  /**
   * The store's part in Front's rate budget (src/front/shared-budget.ts): one window per `key` (a tenant name, or
   * "(default)" for FRONT_API_TOKEN) for every process on this database. A draw counts a request in flight when
   * Front's last count less the requests in flight stays above `reserve`, or when no count is known and nothing
   * else is in flight; otherwise it returns the state that refused it. One statement, atomic across processes.
   */
  drawRateWindow(key: string, draw: RateWindowDraw): Promise<RateWindowGrant>;
  /** Returns a draw and records what Front's headers said. A missing window is left missing. */
  settleRateWindow(key: string, settle: RateWindowSettle): Promise<void>;
  /** null when nothing was ever drawn for `key`. */
  readRateWindow(key: string, now: number): Promise<RateWindowState | null>;

  /** A cheap round trip to the database: resolves when it can be used, throws when it cannot (readiness). */
  ping(): Promise<void>;
  /** true on PostgreSQL: several processes may share this store, so shared state must live in it. */
  readonly shared: boolean;

  /** Records that replica `id` is alive now (started at `startedAt`). */
  heartbeat(id: string, startedAt: Date): Promise<void>;
  /** A replica stopping cleanly: the others stop waiting for it. */
  removeReplica(id: string): Promise<void>;
  /** Replicas seen at or after `since`, oldest first. */
  liveReplicas(since: Date): Promise<ReplicaInfo[]>;

  /**
   * Asks every replica to load its rules again: records a new generation and wakes every subscriber (PostgreSQL:
   * NOTIFY; SQLite: the subscribers of this instance). Returns the generation.
   */
  requestRulesReload(request: RulesReloadRequest): Promise<number>;
  /** The newest generation asked for, 0 when none: what a replica that missed a wake-up compares with. */
  latestRulesReload(): Promise<number>;
  recordRulesReload(outcome: RulesReloadOutcome): Promise<void>;
  /** Every replica's outcome for `generation`, in the order they arrived. */
  rulesReloadOutcomes(generation: number): Promise<RulesReloadOutcome[]>;
  /**
   * Calls `onRequest` with each generation asked for from now on. PostgreSQL: LISTEN on a connection of its own,
   * re-established when it drops; `onRequest(latest)` is called after each reconnection so nothing missed is lost.
   * `onError` hears connection problems (the store never logs).
   */
  subscribeRulesReloads(
    onRequest: (generation: number) => void,
    onError?: (err: Error) => void,
  ): Promise<ReloadSubscription>;

  /**
   * Sets (or replaces) a tenant's audit schedule; a lease already held stays with its holder. Throws
   * `tenant_not_found`.
   */
  setAuditSchedule(schedule: NewAuditSchedule): Promise<AuditSchedule>;
  getAuditSchedule(tenant: string): Promise<AuditSchedule | null>;
  /** Ordered by tenant. */
  listAuditSchedules(): Promise<AuditSchedule[]>;
  /**
   * Takes the lease of one due audit (cadence not off, next run at or before now, no live lease), the one due
   * longest first, for `leaseMs`. Across every process sharing the database, one caller gets a given audit
   * until the lease runs out. null: nothing is due.
   */
  claimDueAudit(holder: string, leaseMs: number): Promise<AuditSchedule | null>;
  /**
   * Gives the lease back and sets the next run, unless the schedule was changed since `claim` (its new next
   * run stands) or the lease was lost meanwhile. false when the lease was no longer `claim`'s.
   */
  finishAudit(claim: AuditSchedule, nextRunAt: Date): Promise<boolean>;
  /** Replaces the tenant's last audit result. Throws `tenant_not_found`. */
  saveAuditResult(result: AuditResult): Promise<void>;
  getAuditResult(tenant: string): Promise<AuditResult | null>;

  /**
   * Re-encrypts every token under `newKeyring`'s current key, in one transaction; all or nothing. Old keys
   * may be listed in either keyring. Afterwards this instance writes under the new key and, until closed,
   * still reads rows a replica on the old keyring writes meanwhile. Throws `key_mismatch` if the new keyring
   * gives a known key id other bytes.
   */
  rotateKey(newKeyring: Keyring): Promise<RotationResult>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Source of time for added/bound/updated stamps and event-claim expiry. */
  clock?: () => Date;
  /**
   * Postgres only: errors on idle pooled connections (the server restarting, say). Without a handler
   * node-postgres would crash the process; the store never logs, so it hands them here.
   */
  onBackgroundError?: (err: Error) => void;
}
