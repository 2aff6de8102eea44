import type { Keyring } from './crypto';

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
  'audit.schedule',
  'audit.scheduled',
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
