import type { ActivityStore, ClaimStore } from './areas/activity';
import type { ApiStore } from './areas/api';
import type { AuditStore } from './areas/audits';
import type { ChannelStore } from './areas/channels';
import type { CustomerStore } from './areas/customer';
import type { OwnerSweepStore } from './areas/owner-sweeps';
import type { RateWindowStore } from './areas/rate-windows';
import type { ReplicaStore } from './areas/replicas';
import type { TeammateMapStore } from './areas/teammates';
import type { TenantStore } from './areas/tenants';
import type { UnknownWordingStore } from './areas/unknown-wordings';
import type { WatchStore } from './areas/watches';

/**
 * The store, area by area: each area's type is what its file in `areas/` implements, with what each method promises
 * written there, once. A caller names the areas it uses (`TenantStore & WatchStore`), and a test fake, where one is
 * still needed, implements only those. Every argument is validated on every call: a malformed tenant name or Slack id
 * throws `invalid_input` (rather than reading as "not found"), so a typo is reported as one.
 */
export type { ActivityEntry, ActivityStore, ClaimStore, NewActivityEntry } from './areas/activity';
export type { AlertKey, ApiAlert, ApiKey, ApiStore, IdempotencyState } from './areas/api';
export type { AuditResult, AuditSchedule, AuditStore } from './areas/audits';
export type { ChannelBinding, ChannelStore } from './areas/channels';
export type { CustomerChannel, CustomerQuestion, CustomerStore } from './areas/customer';
export type { OwnerSweep, OwnerSweepStore } from './areas/owner-sweeps';
export type { RateWindowStore } from './areas/rate-windows';
export type { ReloadSubscription, ReplicaStore, RulesReloadOutcome } from './areas/replicas';
export type { TeammateMapStore } from './areas/teammates';
export type { TenantCheck, TenantStore } from './areas/tenants';
export type { UnknownWording, UnknownWordingStore } from './areas/unknown-wordings';
export { WATCH_ACTIVITY_ACTIONS, type Watch, type WatchStore } from './areas/watches';
export { DEFAULT_TOKEN_TENANT_ID, newTenantNameProblem, RESERVED_TENANT_NAMES } from './inputs';
export type { AuditCadence, AuditTeammate, TeammateSource, WatchEnd } from './inputs';

export interface Store
  extends
    ApiStore,
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
    TeammateMapStore,
    OwnerSweepStore {
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
