import type { Config } from '../../config';
import type { RateBudgets } from '../../front';
import type { ParseResult } from '../../diagnosis';
import type { Logger } from '../../log';
import type { Rule } from '../../rules';
import type { Store } from '../../store';
import type { WatchSchedule, WatchShare } from '../../watch';
import type { AdminCheck } from './admins';
import type { Identity } from './identity';
import type { InFlight } from './inflight';
import type { UserTeams } from './user-teams';
import type { RequestMetrics } from './request-metrics';
import type { RulesReload } from './rule-book';
import type { ReloadReport } from './rule-sync';

import type { CheckShare } from '../checks/check-share';
import type { HomeViews } from '../checks/home-views';
import type { ConnectFn, TenantConnections } from '../checks/tenant-connections';

/** Everything a listener needs, built once in `createSlackApp` and passed to each handler factory. */
export interface SlackDeps {
  config: Config;
  store: Store;
  /** The rule set in force: read once per diagnosis, since a reload swaps it (never edits it in place). */
  readonly rules: Rule[];
  /** Loads rules/ again; on a broken file the current set keeps serving. Logged, with `fields` added. */
  reloadRules: (trigger: string, fields?: Record<string, unknown>) => RulesReload;
  /** Reloads here and on every replica sharing the store, and says how each went (rule-sync.ts). */
  reloadEverywhere: (
    trigger: string,
    requestedBy: string,
    fields?: Record<string, unknown>,
  ) => Promise<{ local: RulesReload; report: ReloadReport }>;
  logger: Logger;
  clock: () => number;
  tenants: TenantConnections;
  /**
   * Every Front budget of this process, one per tenant (shared with the other replicas on PostgreSQL). Anything
   * that asks Front about a tenant outside a lease (watches, scheduled audits) takes `budgets.forTenant(name)`.
   */
  budgets: RateBudgets;
  /** Only the connect modal uses it directly, to check a new token before anything is stored. */
  connect: ConnectFn;
  admins: AdminCheck;
  /** The team of a message's author when the event does not say it (users.info, kept an hour). */
  userTeams: UserTeams;
  identity: Identity;
  inflight: InFlight;
  /** The paste parser (`parsePaste`). Every message in a listening channel goes through it, so it runs once per message. */
  parse: (text: string) => ParseResult;
  /**
   * The share of each tenant's Front rate limit the checks people start may spend (a command, a paste, a button, an
   * audit by hand); a check that finds it spent tells the person how long to wait.
   */
  share: CheckShare;
  /** "Watch until fixed": the watches' clock, backoff and share of each tenant's Front budget. */
  watch: WatchSettings;
  /** Where a diagnosis is counted (GET /metrics). */
  metrics: RequestMetrics;
  /** The Home tabs this replica published, refreshed when a tenant's audit or schedule changes. */
  homes: HomeViews;
}

/** What a server's watches need besides the SlackDeps: their clock, schedule and share of each tenant's budget. */
export interface WatchSettings {
  now: () => number;
  schedule: WatchSchedule;
  share: WatchShare;
}

/** The person asking and where, as every check and activity line needs it. */
export interface Requester {
  userId: string;
  /** The workspace the app is installed in: bindings and settings are keyed by it, whoever asks. */
  teamId: string;
  channelId: string;
  /** The Slack request being answered (its body): a diagnosis run for it counts towards its time to answer. */
  request?: object;
}
