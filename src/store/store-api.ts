import type { z } from 'zod';
import type { RateWindowDraw, RateWindowGrant, RateWindowSettle, RateWindowState } from '../front';
import type { Keyring } from './crypto';
import type * as input from './inputs';
import type * as rows from './rows';

/**
 * The store, area by area: a caller names the areas it uses (`Pick`-free: `TenantStore & WatchStore`), and a test
 * fake, where one is still needed, implements only those. Every argument is validated on every call: a malformed
 * tenant name or Slack id throws `invalid_input` (rather than reading as "not found"), so a typo is reported as one.
 */

// The shared rate window's shapes belong to the budget that draws from it; the store keeps its rows.
export type { RateWindowDraw, RateWindowGrant, RateWindowSettle, RateWindowState };
export { DEFAULT_TOKEN_TENANT_ID, newTenantNameProblem, RESERVED_TENANT_NAMES } from './inputs';
export {
  AUDIT_CADENCES,
  type AuditCadence,
  type AuditTeammate,
  type TeammateSource,
  type WatchEnd,
  type WatchState,
} from './rows';

export type TenantInfo = rows.RowOf<typeof rows.TENANT>;
export type ChannelBinding = rows.RowOf<typeof rows.BINDING>;
export type ChannelSettings = rows.RowOf<typeof rows.SETTINGS>;
export type CustomerChannel = rows.RowOf<typeof rows.CUSTOMER_CHANNEL>;
export type CustomerQuestion = rows.RowOf<typeof rows.CUSTOMER_QUESTION>;
export type NewCustomerChannel = z.input<typeof input.customerChannel>;
export type NewCustomerCheck = z.input<typeof input.customerCheck>;
export type CustomerThread = z.input<typeof input.customerThread>;
export type ActivityEntry = rows.RowOf<typeof rows.ACTIVITY>;
export type Watch = rows.RowOf<typeof rows.WATCH>;
export type AuditSchedule = rows.RowOf<typeof rows.SCHEDULE>;
export type AuditResult = rows.RowOf<typeof rows.AUDIT_RESULT>;
export type ReplicaInfo = rows.RowOf<typeof rows.REPLICA>;
export type RulesReloadOutcome = z.output<typeof input.reloadOutcome>;
/** An unknown wording and the tenants that hit it (sorted by name). */
export type UnknownWording = rows.RowOf<typeof rows.UNKNOWN_WORDING> & { tenants: string[] };
export type TeammatePreference = rows.RowOf<typeof rows.TEAMMATE_PREFERENCE>;
/** A tenant's teammate map: each teammate as last seen, and the last time every one was checked in one go. */
export interface TeammateMap {
  sweep: rows.RowOf<typeof rows.TEAMMATE_SWEEP> | null;
  /** Ordered by teammate id. */
  teammates: TeammatePreference[];
}
export type TeammatePreferencesUpdate = z.input<typeof input.teammatePreferences>;

export type NewTenant = z.input<typeof input.newTenant>;
export type TenantCheck = z.input<typeof input.tenantCheck>;
export type NewBinding = z.input<typeof input.newBinding>;
export type NewActivityEntry = z.input<typeof input.newActivity>;
export type ActivityQuery = z.input<typeof input.activityQuery>;
export type NewWatch = z.input<typeof input.newWatch>;
export type WatchQuery = z.input<typeof input.watchQuery>;
export type WatchClaim = z.input<typeof input.watchClaim>;
export type WatchCheckUpdate = z.input<typeof input.watchCheckUpdate>;
export type WatchEnding = z.input<typeof input.watchEnd>;
export type NewAuditSchedule = z.input<typeof input.newAuditSchedule>;
export type RulesReloadRequest = z.input<typeof input.reloadRequest>;
export type UnknownSighting = z.input<typeof input.unknownSighting>;
export type UnknownWordingQuery = z.input<typeof input.unknownWordingQuery>;

/** What a watch leaves in the activity log: one start, any number of changes, and one end. */
export const WATCH_ACTIVITY_ACTIONS = [
  'watch.start',
  'watch.changed',
  'watch.fixed',
  'watch.expired',
  'watch.stop',
] as const;

export interface RotationResult {
  keyId: string;
  /** Tokens re-encrypted; those already under the current key are left as they are. */
  rotated: number;
  total: number;
}

export interface ReloadSubscription {
  close(): Promise<void>;
}

export interface TenantStore {
  /**
   * Gives the tenant a new id every time: a name removed and added back is another tenant. Throws `invalid_input`
   * (bad or reserved name, empty token) or `tenant_exists`.
   */
  addTenant(tenant: NewTenant): Promise<TenantInfo>;
  getTenant(name: string): Promise<TenantInfo | null>;
  /**
   * The only way a token leaves the store. null when the tenant does not exist, or, given `id`, when the name now
   * belongs to another tenant (removed and added back): one read, so never the other tenant's token. Throws
   * `decrypt_failed` or `key_unknown` rather than ever returning a wrong token.
   */
  getTenantToken(name: string, id?: string): Promise<string | null>;
  listTenants(): Promise<TenantInfo[]>;
  /**
   * Also drops the tenant's channel bindings, audit schedule and result; its watches keep its id, which no tenant
   * has any more, so they end at their next check. false when there was no such tenant.
   */
  removeTenant(name: string): Promise<boolean>;
  /** Throws `tenant_not_found`. */
  updateTenantCheck(name: string, check: TenantCheck): Promise<TenantInfo>;
  /**
   * Throws `tenant_not_found`. The last check described the old token, so without `check` the scopes and
   * check time are cleared (company kept); pass the new token's check to record it in the same write.
   */
  replaceTenantToken(name: string, token: string, check?: TenantCheck): Promise<TenantInfo>;
  /**
   * Re-encrypts every token under `newKeyring`'s current key, in one transaction; all or nothing. Old keys
   * may be listed in either keyring. Afterwards this instance writes under the new key and, until closed,
   * still reads rows a replica on the old keyring writes meanwhile. Throws `key_mismatch` if the new keyring
   * gives a known key id other bytes.
   */
  rotateKey(newKeyring: Keyring): Promise<RotationResult>;
}

export interface ChannelStore {
  /** Replaces any earlier binding of the channel. Throws `tenant_not_found`. */
  bindChannel(binding: NewBinding): Promise<ChannelBinding>;
  /** false when the channel was not bound. */
  unbindChannel(teamId: string, channelId: string): Promise<boolean>;
  getChannelBinding(teamId: string, channelId: string): Promise<ChannelBinding | null>;
  /** Every bound channel, or those of one tenant; ordered by tenant, team, channel. */
  listChannelBindings(query?: { tenant?: string }): Promise<ChannelBinding[]>;
  /** Fields left out keep their value. Returns the settings now in force. */
  setChannelSettings(teamId: string, channelId: string, settings: Partial<ChannelSettings>): Promise<ChannelSettings>;
  /** Defaults: listen false, allowExternal false. */
  getChannelSettings(teamId: string, channelId: string): Promise<ChannelSettings>;
}

export interface CustomerStore {
  /** Turns customer mode on for the channel, or changes its mirror channel. */
  setCustomerChannel(channel: NewCustomerChannel): Promise<CustomerChannel>;
  /** false when customer mode was not on. */
  clearCustomerChannel(teamId: string, channelId: string): Promise<boolean>;
  getCustomerChannel(teamId: string, channelId: string): Promise<CustomerChannel | null>;
  /** The workspace's customer channels, by channel id. */
  listCustomerChannels(teamId: string): Promise<CustomerChannel[]>;
  /**
   * Counts a check a customer asked for, unless the asker or the channel already reached its limit within the
   * window; then nothing is written and `over` says which (the person's limit first). One statement: two checks of
   * one process never both pass the last free place (concurrent replicas on PostgreSQL may pass it by one each).
   */
  recordCustomerCheck(
    check: NewCustomerCheck,
  ): Promise<{ recorded: true } | { recorded: false; over: 'person' | 'channel' }>;
  /** Whether a customer asked in this thread. */
  isCustomerThread(thread: CustomerThread): Promise<boolean>;
  /** Someone of the vendor posted in a customer's thread; the first time is kept. */
  markAgentPosted(thread: CustomerThread, at: Date): Promise<void>;
  /** Each customer thread asked in at or after `since`, oldest first, with its tenant, first check and outcome. */
  listCustomerQuestions(since: Date): Promise<CustomerQuestion[]>;
}

export interface ActivityStore {
  /** Anything shaped like a bearer token or JWT in the text fields is redacted before it is written. */
  recordActivity(entry: NewActivityEntry): Promise<void>;
  /** Newest first; default 100 entries, at most 1000. */
  listActivity(query?: ActivityQuery): Promise<ActivityEntry[]>;
}

export interface ClaimStore {
  /**
   * true for the first caller only, across every process sharing the database, until the key expires.
   * Expired keys can be claimed again and are purged lazily.
   */
  claimEvent(key: string, ttlSeconds: number): Promise<boolean>;
}

export interface WatchStore {
  /**
   * Starts watching, or returns the watch already active for the same thread and target (`created` false).
   * Anything token-shaped in the target is redacted before it is written. The watch holds the id of the tenant
   * `tenant` names at that moment (or DEFAULT_TOKEN_TENANT_ID with `defaultToken`). Throws `invalid_input` or
   * `tenant_not_found`.
   */
  startWatch(watch: NewWatch): Promise<{ watch: Watch; created: boolean }>;
  getWatch(id: string): Promise<Watch | null>;
  /** Oldest first; default: the active ones. */
  listWatches(query?: WatchQuery): Promise<Watch[]>;
  /** Active watches across every replica sharing the database (what GET /metrics reports). */
  countActiveWatches(): Promise<number>;
  /**
   * Leases up to `limit` active watches that are due (next check or expiry reached) and not leased by anyone
   * else, to `holder` until `now + leaseMs`. Across every replica sharing the database, a watch is leased to
   * one holder at a time; a lease that ran out (its holder crashed) is taken over.
   */
  claimDueWatches(claim: WatchClaim): Promise<Watch[]>;
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
  endWatch(id: string, end: WatchEnding): Promise<Watch | null>;
}

export interface AuditStore {
  /** Sets (or replaces) a tenant's audit schedule; a lease already held stays with its holder. Throws `tenant_not_found`. */
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
}

/**
 * The store's part in Front's rate budget (src/front/shared-budget.ts): one window per `key` (a tenant name, or
 * "(default)" for FRONT_API_TOKEN) for every process on this database.
 */
export interface RateWindowStore {
  /**
   * Counts a request in flight when no per-minute 429 pauses the window and either Front's last count less the
   * requests in flight stays above `reserve`, or no count is known and nothing else is in flight (the first request
   * learns the count for all); otherwise returns the state that refused it. One statement, atomic across processes.
   */
  drawRateWindow(key: string, draw: RateWindowDraw): Promise<RateWindowGrant>;
  /** Returns a draw and records what Front's headers said. A missing window is left missing. */
  settleRateWindow(key: string, settle: RateWindowSettle): Promise<void>;
  /** null when nothing was ever drawn for `key`. */
  readRateWindow(key: string, now: number): Promise<RateWindowState | null>;
}

export interface ReplicaStore {
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
}

/**
 * Front errors no rule explains yet, by wording template. Holds no secret: it needs no keyring
 * (`openKeylessStore`). Templates are redacted and refused with an email address in them.
 */
export interface UnknownWordingStore {
  /**
   * Counts one sighting of the wording `id`: the first one creates it (`created` true) with `template` and
   * `status`, later ones add one to its count and move its last-seen time forward; `tenant`, when given, joins
   * the wording's tenants. One statement decides creation, so across processes exactly one sighting creates it.
   */
  recordUnknownWording(sighting: UnknownSighting): Promise<{ wording: UnknownWording; created: boolean }>;
  /** Most frequent first, then the most recently seen; `since` keeps those last seen at or after it. */
  listUnknownWordings(query?: UnknownWordingQuery): Promise<UnknownWording[]>;
  getUnknownWording(id: string): Promise<UnknownWording | null>;
  /** Wordings first seen at or after `since`: what the admins' Home tab calls new. */
  countNewUnknownWordings(since: Date): Promise<number>;
}

/**
 * Per tenant (by id), whose "Allow access to my individual resources via the API" is on or off, and when that was
 * seen. Removing the tenant drops its map.
 */
export interface TeammateMapStore {
  /**
   * Records what a probe of teammates found; a complete sweep replaces the map (teammates it did not list are
   * dropped) and stamps when the whole company was checked. A teammate's older finding never replaces a newer one.
   * false, writing nothing, when the tenant is gone.
   */
  recordTeammatePreferences(update: TeammatePreferencesUpdate): Promise<boolean>;
  /** null: nothing is known about the tenant's teammates. */
  getTeammateMap(tenantId: string): Promise<TeammateMap | null>;
}

export interface Store
  extends
    TenantStore,
    ChannelStore,
    CustomerStore,
    ActivityStore,
    ClaimStore,
    WatchStore,
    AuditStore,
    RateWindowStore,
    ReplicaStore,
    UnknownWordingStore,
    TeammateMapStore {
  /** true on PostgreSQL: several processes may share this store, so shared state must live in it. */
  readonly shared: boolean;
  /** A cheap round trip to the database: resolves when it can be used, throws when it cannot (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Source of time for added/bound/updated stamps and event-claim expiry. */
  clock?: () => Date;
  /**
   * PostgreSQL only: errors on idle pooled connections (the server restarting, say). Without a handler
   * node-postgres would crash the process; the store never logs, so it hands them here.
   */
  onBackgroundError?: (err: Error) => void;
  /** Something the operator should know that is not an error (a database file made private); the store never logs. */
  onNotice?: (message: string) => void;
}
