import type { Sealed } from './crypto';
import { StoreError } from './store-error';
import type {
  ActivityEntry,
  AuditCadence,
  AuditResult,
  AuditSchedule,
  AuditTeammate,
  ChannelBinding,
  Watch,
  WatchState,
} from './store-api';

/**
 * Row shapes and mappers both dialects share. They differ only in how a time is stored (Postgres: timestamptz,
 * read as a Date; SQLite: epoch milliseconds), so the mappers take that conversion.
 */

export type ToDate<T> = (stored: T) => Date;

export interface SealedRow {
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export interface BindingRow<T> {
  team_id: string;
  channel_id: string;
  tenant: string;
  bound_by: string;
  bound_at: T;
}

export interface ActivityRow<T> {
  /** Postgres returns a bigint identity as text. */
  id: string | number;
  at: T;
  actor: string;
  team_id: string | null;
  channel_id: string | null;
  tenant: string | null;
  action: string;
  target: string | null;
  cause: string | null;
  detail: string | null;
}

export const TENANT_COLUMNS =
  'name, company_id, company_name, scopes, checked_at, added_by, added_at, updated_at, token_key_id';
export const SEALED_COLUMNS =
  'token_key_id AS key_id, token_nonce AS nonce, token_ciphertext AS ciphertext, token_tag AS tag';

export function toSealed(row: SealedRow): Sealed {
  return { keyId: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext, tag: row.tag };
}

export function toBinding<T>(row: BindingRow<T>, toDate: ToDate<T>): ChannelBinding {
  return {
    teamId: row.team_id,
    channelId: row.channel_id,
    tenant: row.tenant,
    boundBy: row.bound_by,
    boundAt: toDate(row.bound_at),
  };
}

export function toActivity<T>(row: ActivityRow<T>, toDate: ToDate<T>): ActivityEntry {
  return {
    id: Number(row.id),
    at: toDate(row.at),
    actor: row.actor,
    teamId: row.team_id,
    channelId: row.channel_id,
    tenant: row.tenant,
    action: row.action,
    target: row.target,
    cause: row.cause,
    detail: row.detail,
  };
}

export function notFound(name: string): StoreError {
  return new StoreError('tenant_not_found', `there is no tenant named "${name}"`);
}

export interface WatchRow<T> {
  id: string;
  tenant: string;
  team_id: string;
  channel_id: string;
  thread_ts: string;
  target: string;
  label: string;
  cause: string;
  owner: string | null;
  state: WatchState;
  started_by: string;
  started_at: T;
  next_check_at: T;
  attempts: number;
  expires_at: T;
  last_cause: string | null;
  last_result: string | null;
  last_checked_at: T | null;
  ended_at: T | null;
  ended_by: string | null;
  lease_holder: string | null;
  lease_until: T | null;
}

export interface ScheduleRow<T> {
  tenant: string;
  cadence: string;
  set_by: string;
  set_at: T;
  next_run_at: T | null;
  lease_holder: string | null;
  lease_until: T | null;
}

export const WATCH_COLUMNS =
  'id, tenant, team_id, channel_id, thread_ts, target, label, cause, owner, state, started_by, started_at, ' +
  'next_check_at, attempts, expires_at, last_cause, last_result, last_checked_at, ended_at, ended_by, ' +
  'lease_holder, lease_until';

export function toWatch<T>(row: WatchRow<T>, toDate: ToDate<T>): Watch {
  const maybe = (v: T | null) => (v === null ? null : toDate(v));
  return {
    id: row.id,
    tenant: row.tenant,
    teamId: row.team_id,
    channelId: row.channel_id,
    threadTs: row.thread_ts,
    target: row.target,
    label: row.label,
    cause: row.cause,
    owner: row.owner,
    state: row.state,
    startedBy: row.started_by,
    startedAt: toDate(row.started_at),
    nextCheckAt: toDate(row.next_check_at),
    attempts: Number(row.attempts),
    expiresAt: toDate(row.expires_at),
    lastCause: row.last_cause,
    lastResult: row.last_result,
    lastCheckedAt: maybe(row.last_checked_at),
    endedAt: maybe(row.ended_at),
    endedBy: row.ended_by,
    leaseHolder: row.lease_holder,
    leaseUntil: maybe(row.lease_until),
  };
}

export const SCHEDULE_COLUMNS = 'tenant, cadence, set_by, set_at, next_run_at, lease_holder, lease_until';

export function toSchedule<T>(row: ScheduleRow<T>, toDate: ToDate<T>): AuditSchedule {
  return {
    tenant: row.tenant,
    cadence: row.cadence as AuditCadence,
    setBy: row.set_by,
    setAt: toDate(row.set_at),
    nextRunAt: row.next_run_at === null ? null : toDate(row.next_run_at),
    leaseHolder: row.lease_holder,
    leaseUntil: row.lease_until === null ? null : toDate(row.lease_until),
  };
}

/** SQLite keeps booleans as 0/1 and the teammate list as JSON text; Postgres as boolean and jsonb. */
export interface ResultRow<T, B, J> {
  tenant: string;
  ran_at: T;
  token_works: B | null;
  token_error: string | null;
  preference_off: J;
  checked: number;
  total: number;
  complete: B;
}

export const RESULT_COLUMNS = 'tenant, ran_at, token_works, token_error, preference_off, checked, total, complete';

export function toResult<T, B, J>(
  row: ResultRow<T, B, J>,
  toDate: ToDate<T>,
  toBool: (stored: B) => boolean,
  toList: (stored: J) => AuditTeammate[],
): AuditResult {
  return {
    tenant: row.tenant,
    ranAt: toDate(row.ran_at),
    tokenWorks: row.token_works === null ? null : toBool(row.token_works),
    tokenError: row.token_error,
    preferenceOff: toList(row.preference_off),
    checked: row.checked,
    total: row.total,
    complete: toBool(row.complete),
  };
}
