import { redactSecrets as redactText } from '../redact';
import { StoreError } from './store-error';
import {
  AUDIT_CADENCES,
  type ActivityEntry,
  type ActivityQuery,
  type AuditCadence,
  type AuditResult,
  type AuditSchedule,
  type NewAuditSchedule,
  type ChannelSettings,
  type NewActivityEntry,
  type NewTenant,
  type TenantCheck,
  type NewWatch,
  type RateWindowDraw,
  type RateWindowSettle,
  type RulesReloadOutcome,
  type RulesReloadRequest,
  type WatchCheckUpdate,
  type WatchEnd,
  type WatchQuery,
  type WatchState,
} from './store-api';

const TENANT_NAME = /^[a-z0-9-]{1,40}$/;
const SLACK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ACTION = /^[a-z][a-z0-9_.-]{0,63}$/;
const MAX_TOKEN_CHARS = 8192;
const MAX_EVENT_KEY_CHARS = 512;
const MAX_TEXT_CHARS = 4000;
const DEFAULT_ACTIVITY_LIMIT = 100;
const MAX_ACTIVITY_LIMIT = 1000;

function invalid(message: string): StoreError {
  return new StoreError('invalid_input', message);
}

export function checkTenantName(name: unknown): string {
  if (typeof name === 'string' && TENANT_NAME.test(name)) return name;
  // Someone who swaps the arguments pastes a token here; a long value is never echoed back.
  let shown = `(${typeof name})`;
  if (typeof name === 'string') shown = name.length <= 40 ? `"${name}"` : `(${name.length} characters)`;
  throw invalid(`tenant name ${shown} is not valid: use 1–40 lowercase letters, digits or dashes, e.g. "acme-prod"`);
}

export function checkToken(token: unknown): string {
  if (typeof token !== 'string' || token.trim() === '') throw invalid('the Front API token is empty');
  if (token.length > MAX_TOKEN_CHARS) {
    throw invalid(`the Front API token is ${token.length} characters long; that is not a Front token`);
  }
  return token;
}

export function checkSlackId(what: string, value: unknown): string {
  if (typeof value === 'string' && SLACK_ID.test(value)) return value;
  throw invalid(`${what} must be a Slack ID (letters, digits, '_' or '-', at most 64 characters)`);
}

function checkText(what: string, value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '' && value.length <= 200) return value;
  throw invalid(`${what} must be a non-empty text of at most 200 characters`);
}

export function checkDate(what: string, value: unknown): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  throw invalid(`${what} must be a valid Date`);
}

function checkScopes(value: unknown): string[] {
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return [...(value as string[])];
  throw invalid('scopes must be a list of strings');
}

function optionalText(what: string, value: unknown): string | null {
  return value === undefined || value === null ? null : checkText(what, value);
}

export interface TenantRowInput {
  name: string;
  token: string;
  companyId: string | null;
  companyName: string | null;
  scopes: string[] | null;
  checkedAt: Date | null;
  addedBy: string | null;
}

export function checkNewTenant(t: NewTenant): TenantRowInput {
  return {
    name: checkTenantName(t.name),
    token: checkToken(t.token),
    companyId: optionalText('companyId', t.companyId),
    companyName: optionalText('companyName', t.companyName),
    scopes: t.scopes === undefined ? null : checkScopes(t.scopes),
    checkedAt: t.checkedAt === undefined ? null : checkDate('checkedAt', t.checkedAt),
    addedBy: optionalText('addedBy', t.addedBy),
  };
}

export function checkTenantCheck(c: TenantCheck): TenantCheck {
  return {
    companyId: optionalText('companyId', c.companyId),
    companyName: optionalText('companyName', c.companyName),
    scopes: checkScopes(c.scopes),
    checkedAt: checkDate('checkedAt', c.checkedAt),
  };
}

export function checkBinding(b: { teamId: string; channelId: string; tenant: string; boundBy: string }) {
  return {
    teamId: checkSlackId('teamId', b.teamId),
    channelId: checkSlackId('channelId', b.channelId),
    tenant: checkTenantName(b.tenant),
    boundBy: checkText('boundBy', b.boundBy),
  };
}

export function checkSettings(s: Partial<ChannelSettings>): Partial<ChannelSettings> {
  for (const key of Object.keys(s)) {
    if (key !== 'listen' && key !== 'allowExternal') throw invalid(`unknown channel setting "${key}"`);
  }
  for (const key of ['listen', 'allowExternal'] as const) {
    if (s[key] !== undefined && typeof s[key] !== 'boolean')
      throw invalid(`channel setting ${key} must be true or false`);
  }
  return s;
}

/**
 * Front API tokens are JWTs; an activity line is free text written by many callers. Anything shaped like a
 * JWT or a bearer credential is cut out here, the one place every activity write passes.
 */
export function redactSecrets(text: string): string {
  return redactText(text);
}

function activityText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid('activity fields must be text');
  const clean = redactSecrets(value);
  return clean.length > MAX_TEXT_CHARS ? `${clean.slice(0, MAX_TEXT_CHARS - 1)}…` : clean;
}

/** An activity entry as it is written: everything but the id the database gives it. */
export type ActivityRowInput = Omit<ActivityEntry, 'id'>;

export function checkActivity(e: NewActivityEntry): ActivityRowInput {
  if (typeof e.action !== 'string' || !ACTION.test(e.action)) {
    throw invalid('activity action must be lowercase words joined by dots, e.g. "tenant.add"');
  }
  const actor = activityText(e.actor);
  if (!actor) throw invalid('activity actor is required');
  return {
    at: checkDate('at', e.at),
    actor,
    teamId: activityText(e.teamId),
    channelId: activityText(e.channelId),
    tenant: activityText(e.tenant),
    action: e.action,
    target: activityText(e.target),
    cause: activityText(e.cause),
    detail: activityText(e.detail),
  };
}

export interface CheckedActivityQuery {
  tenant: string | null;
  since: Date | null;
  actions: string[] | null;
  before: { at: Date; id: number } | null;
  limit: number;
}

export function checkActivityQuery(q: ActivityQuery): CheckedActivityQuery {
  const limit = q.limit ?? DEFAULT_ACTIVITY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw invalid('activity limit must be a positive whole number');
  if (q.actions !== undefined && !(Array.isArray(q.actions) && q.actions.every((a) => typeof a === 'string')))
    throw invalid('activity actions must be a list of action names');
  let before: CheckedActivityQuery['before'] = null;
  if (q.before !== undefined) {
    if (!Number.isInteger(q.before.id)) throw invalid('activity before.id must be a whole number');
    before = { at: checkDate('before.at', q.before.at), id: q.before.id };
  }
  return {
    tenant: q.tenant ?? null,
    since: q.since === undefined ? null : checkDate('since', q.since),
    actions: q.actions === undefined ? null : [...q.actions],
    before,
    limit: Math.min(limit, MAX_ACTIVITY_LIMIT),
  };
}

function checkCadence(value: unknown): AuditCadence {
  if (typeof value === 'string' && (AUDIT_CADENCES as readonly string[]).includes(value)) return value as AuditCadence;
  throw invalid(`audit cadence must be one of ${AUDIT_CADENCES.join(', ')}`);
}

export function checkAuditSchedule(s: NewAuditSchedule): NewAuditSchedule {
  const cadence = checkCadence(s.cadence);
  return {
    tenant: checkTenantName(s.tenant),
    cadence,
    setBy: checkText('setBy', s.setBy),
    nextRunAt: cadence === 'off' || s.nextRunAt === null ? null : checkDate('nextRunAt', s.nextRunAt),
  };
}

export function checkHolder(holder: unknown): string {
  return checkText('lease holder', holder);
}

export function checkLeaseMs(ms: unknown): number {
  if (typeof ms === 'number' && Number.isInteger(ms) && ms > 0) return ms;
  throw invalid('lease duration must be a positive whole number of milliseconds');
}

export function checkClaimed(claim: AuditSchedule): { tenant: string; holder: string; setAt: Date } {
  return {
    tenant: checkTenantName(claim.tenant),
    holder: checkHolder(claim.leaseHolder),
    setAt: checkDate('setAt', claim.setAt),
  };
}

function count(what: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw invalid(`${what} must be a whole number, 0 or more`);
}

export function checkAuditResult(r: AuditResult): AuditResult {
  if (r.tokenWorks !== null && typeof r.tokenWorks !== 'boolean')
    throw invalid('tokenWorks must be true, false or null');
  if (!Array.isArray(r.preferenceOff)) throw invalid('preferenceOff must be a list of teammates');
  const preferenceOff = r.preferenceOff.map((t) => {
    if (typeof t?.id !== 'string' || typeof t.name !== 'string' || t.id === '')
      throw invalid('each teammate with the preference off needs an id and a name');
    return { id: redactSecrets(t.id).slice(0, 200), name: redactSecrets(t.name).slice(0, 200) };
  });
  if (typeof r.complete !== 'boolean') throw invalid('complete must be true or false');
  const tokenError = r.tokenError === null ? null : activityText(r.tokenError);
  return {
    tenant: checkTenantName(r.tenant),
    ranAt: checkDate('ranAt', r.ranAt),
    tokenWorks: r.tokenWorks,
    tokenError: tokenError === null ? null : tokenError.slice(0, 200),
    preferenceOff,
    checked: count('checked', r.checked),
    total: count('total', r.total),
    complete: r.complete,
  };
}

export function checkClaim(key: unknown, ttlSeconds: unknown): { key: string; ttlMs: number } {
  if (typeof key !== 'string' || key === '' || key.length > MAX_EVENT_KEY_CHARS) {
    throw invalid(`event key must be a non-empty text of at most ${MAX_EVENT_KEY_CHARS} characters`);
  }
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw invalid('event claim ttlSeconds must be a positive number');
  }
  return { key, ttlMs: Math.ceil(ttlSeconds * 1000) };
}

const WATCH_ID = /^w[0-9a-f]{16}$/;
const THREAD_TS = /^\d{1,12}\.\d{1,9}$/;
const MAX_WATCH_TARGET_CHARS = 2000;
const WATCH_STATES: readonly WatchState[] = ['active', 'fixed', 'stopped', 'expired'];
const WATCH_ENDS: readonly WatchEnd[] = ['fixed', 'stopped', 'expired'];
/** A lease longer than a day would keep a crashed replica's watches unchecked for that long. */
const MAX_LEASE_MS = 24 * 60 * 60 * 1000;

export function checkWatchId(id: unknown): string {
  if (typeof id === 'string' && WATCH_ID.test(id)) return id;
  throw invalid('a watch id is "w" and 16 hexadecimal digits, as front-why gives them');
}

function redactedText(what: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${what} must be a non-empty text`);
  const clean = redactSecrets(value);
  if (clean.length > max) throw invalid(`${what} is ${clean.length} characters long; at most ${max} are kept`);
  return clean;
}

function optionalRedacted(what: string, value: unknown, max: number): string | null {
  return value === undefined || value === null ? null : redactedText(what, value, max);
}

export function checkWatchHolder(holder: unknown): string {
  return checkText('lease holder', holder);
}

export function checkNewWatch(w: NewWatch): Omit<NewWatch, 'owner'> & { owner: string | null } {
  if (typeof w.threadTs !== 'string' || !THREAD_TS.test(w.threadTs)) {
    throw invalid('threadTs must be a Slack message timestamp such as "1710000000.000100"');
  }
  const startedAt = checkDate('startedAt', w.startedAt);
  const expiresAt = checkDate('expiresAt', w.expiresAt);
  if (expiresAt.getTime() <= startedAt.getTime()) throw invalid('a watch must expire after it starts');
  return {
    tenant: checkTenantName(w.tenant),
    teamId: checkSlackId('teamId', w.teamId),
    channelId: checkSlackId('channelId', w.channelId),
    threadTs: w.threadTs,
    // A paste may hold the customer's token: it is cut out before anything is written.
    target: redactedText('the watched target', w.target, MAX_WATCH_TARGET_CHARS),
    label: redactedText('the watch label', w.label, 200),
    cause: checkText('cause', w.cause),
    owner: optionalRedacted('owner', w.owner, 1000),
    startedBy: checkText('startedBy', w.startedBy),
    startedAt,
    nextCheckAt: checkDate('nextCheckAt', w.nextCheckAt),
    expiresAt,
  };
}

export function checkWatchQuery(q: WatchQuery): {
  teamId: string | null;
  channelId: string | null;
  tenant: string | null;
  state: WatchState | null;
  limit: number;
} {
  const state = q.state ?? 'active';
  if (state !== 'any' && !WATCH_STATES.includes(state)) {
    throw invalid(`watch state must be one of ${WATCH_STATES.join(', ')} or "any"`);
  }
  const limit = q.limit ?? DEFAULT_ACTIVITY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw invalid('watch limit must be a positive whole number');
  return {
    teamId: q.teamId === undefined ? null : checkSlackId('teamId', q.teamId),
    channelId: q.channelId === undefined ? null : checkSlackId('channelId', q.channelId),
    tenant: q.tenant === undefined ? null : checkTenantName(q.tenant),
    state: state === 'any' ? null : state,
    limit: Math.min(limit, MAX_ACTIVITY_LIMIT),
  };
}

export function checkWatchClaim(c: { holder: string; now: Date; leaseMs: number; limit: number }) {
  if (!Number.isInteger(c.leaseMs) || c.leaseMs <= 0 || c.leaseMs > MAX_LEASE_MS) {
    throw invalid('leaseMs must be a whole number of milliseconds from 1 to a day');
  }
  if (!Number.isInteger(c.limit) || c.limit < 1 || c.limit > 100) throw invalid('limit must be from 1 to 100');
  return { holder: checkWatchHolder(c.holder), now: checkDate('now', c.now), leaseMs: c.leaseMs, limit: c.limit };
}

export function checkWatchCheckUpdate(u: WatchCheckUpdate): {
  checkedAt: Date;
  nextCheckAt: Date;
  cause: string | null;
  result: string;
} {
  return {
    checkedAt: checkDate('checkedAt', u.checkedAt),
    nextCheckAt: checkDate('nextCheckAt', u.nextCheckAt),
    cause: u.cause === undefined ? null : checkText('cause', u.cause),
    result: redactedText('result', u.result, MAX_TEXT_CHARS),
  };
}

export function checkWatchEnd(e: { state: WatchEnd; at: Date; by?: string; result?: string }) {
  if (!WATCH_ENDS.includes(e.state)) throw invalid(`a watch ends as one of ${WATCH_ENDS.join(', ')}`);
  return {
    state: e.state,
    at: checkDate('at', e.at),
    by: e.by === undefined ? null : checkText('by', e.by),
    result: optionalRedacted('result', e.result, MAX_TEXT_CHARS),
  };
}

/** The default tenant (FRONT_API_TOKEN) has a window too; no tenant name contains parentheses. */
export const DEFAULT_WINDOW_KEY = '(default)';

export function checkWindowKey(key: unknown): string {
  return key === DEFAULT_WINDOW_KEY ? key : checkTenantName(key);
}

function checkMs(what: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw invalid(`${what} must be a whole number of milliseconds`);
}

function optionalCount(what: string, value: unknown): number | null {
  if (value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
  throw invalid(`${what} must be a number of requests`);
}

export function checkDraw(d: RateWindowDraw): RateWindowDraw {
  return { now: checkMs('now', d.now), reserve: checkMs('reserve', d.reserve), leaseMs: checkMs('leaseMs', d.leaseMs) };
}

/** Positional values of SETTLE_SQL after the key. */
export function settleParams(
  s: RateWindowSettle,
): [number, 0 | 1, number | null, number | null, number | null, number | null] {
  if (s.returning !== 0 && s.returning !== 1) throw invalid('returning must be 0 or 1');
  const remaining = optionalCount('remaining', s.remaining);
  return [
    checkMs('now', s.now),
    s.returning,
    remaining,
    optionalCount('limit', s.limit),
    remaining === null ? null : checkMs('until', s.until),
    s.pauseUntil === undefined ? null : checkMs('pauseUntil', s.pauseUntil),
  ];
}

export function checkReplicaId(id: unknown): string {
  if (typeof id === 'string' && /^[\x21-\x7e]{1,120}$/.test(id)) return id;
  throw invalid('a replica id must be 1–120 printable characters without spaces');
}

export function checkReloadRequest(r: RulesReloadRequest): RulesReloadRequest {
  return { trigger: checkText('trigger', r.trigger), requestedBy: checkText('requestedBy', r.requestedBy) };
}

export function checkGeneration(generation: unknown): number {
  if (typeof generation === 'number' && Number.isSafeInteger(generation) && generation > 0) return generation;
  throw invalid('a reload generation is a positive whole number');
}

export function checkReloadOutcome(o: RulesReloadOutcome): RulesReloadOutcome {
  const error = o.error === undefined ? undefined : redactText(String(o.error)).slice(0, MAX_TEXT_CHARS);
  return {
    generation: checkGeneration(o.generation),
    replica: checkReplicaId(o.replica),
    ok: o.ok === true,
    rules: optionalCount('rules', o.rules) ?? 0,
    ...(error !== undefined ? { error } : {}),
    at: checkDate('at', o.at),
  };
}
