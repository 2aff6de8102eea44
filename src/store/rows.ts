import type { AuditCadence, AuditTeammate, TeammateSource, WatchState } from './inputs';
import { raw, type Sql } from './sql';

/**
 * What the store hands back, each shape declared once as its columns: a field's column is its name in snake_case,
 * and its reader accepts either database's form (SQLite: epoch milliseconds, 0/1, JSON text; PostgreSQL: Date,
 * boolean, arrays and jsonb; bigint as text).
 */
type Read<T> = (stored: unknown) => T;

const text: Read<string> = (v) => String(v);
const int: Read<number> = (v) => Number(v);
const time: Read<Date> = (v) => (v instanceof Date ? v : new Date(Number(v)));
const bool: Read<boolean> = (v) => v === true || v === 1;
const parsed = <T>() => ((v) => (typeof v === 'string' ? JSON.parse(v) : v)) as Read<T>;
/** Text the store itself wrote, from a fixed list (a CHECK constraint or the code keeps it there). */
const oneOf = <T extends string>() => text as Read<T>;
function maybe<T>(read: Read<T>): Read<T | null> {
  return (v) => (v === null || v === undefined ? null : read(v));
}

type Columns<S extends Record<string, Read<unknown>>> = {
  /** The select list, in the order of the fields. */
  list: Sql;
  read(row: Record<string, unknown>): { [K in keyof S]: ReturnType<S[K]> };
};

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function columns<S extends Record<string, Read<unknown>>>(spec: S): Columns<S> {
  const fields = Object.entries(spec).map(([field, read]) => [field, snakeCase(field), read] as const);
  return {
    list: raw(fields.map(([, column]) => column).join(', ')),
    read: (row) => {
      const out: Record<string, unknown> = {};
      for (const [field, column, read] of fields) out[field] = read(row[column]);
      return out as never;
    },
  };
}

export type RowOf<C> = C extends Columns<infer S> ? ReturnType<Columns<S>['read']> : never;

/** A tenant as everyone but `getTenantToken` sees it: never the token. */
export const TENANT = columns({
  /**
   * Who the tenant is, for good: a name removed and added back (perhaps with another company's token) is another
   * tenant with another id. What outlives a request holds this, never the name.
   */
  id: text,
  name: text,
  companyId: maybe(text),
  companyName: maybe(text),
  /** null: never checked (or the token was replaced since). */
  scopes: maybe(parsed<string[]>()),
  checkedAt: maybe(time),
  addedBy: maybe(text),
  addedAt: time,
  updatedAt: time,
  /** Which key of the keyring encrypts the token; tells an operator whether a rotation is complete. */
  tokenKeyId: text,
});

export const BINDING = columns({ teamId: text, channelId: text, tenant: text, boundBy: text, boundAt: time });

export const SETTINGS = columns({ listen: bool, allowExternal: bool });

export const CUSTOMER_CHANNEL = columns({
  teamId: text,
  channelId: text,
  /** The internal channel that gets the full answer, with a link to the customer's thread. */
  mirrorChannelId: maybe(text),
  setBy: text,
  setAt: time,
});

/** One customer question (a thread) as `stats` and the Home tab count it. */
export const CUSTOMER_QUESTION = columns({
  tenant: text,
  askedAt: time,
  /** When someone of the vendor first posted in the thread; null: nobody did. */
  agentPostedAt: maybe(time),
  /** When a watch of the thread ended fixed; null: none did (yet). */
  fixedAt: maybe(time),
});

export const ACTIVITY = columns({
  id: int,
  at: time,
  actor: text,
  teamId: maybe(text),
  channelId: maybe(text),
  tenant: maybe(text),
  action: text,
  target: maybe(text),
  cause: maybe(text),
  detail: maybe(text),
});

export const WATCH = columns({
  id: text,
  /** The tenant's name when the watch started: how the thread and the activity log name it. */
  tenant: text,
  /**
   * The tenant re-checked with: a tenant's id, or DEFAULT_TOKEN_TENANT_ID for FRONT_API_TOKEN. null: its tenant
   * was gone (or could not be told) when the schema learnt ids; such a watch ends at its next check.
   */
  tenantId: maybe(text),
  teamId: text,
  channelId: text,
  threadTs: text,
  /** What is re-checked: a cnv_ ID, an app link or a paste, with anything token-shaped redacted. */
  target: text,
  /** How the thread names it ("cnv_yo1kg5q"). */
  label: text,
  /** The cause when the watch started. */
  cause: text,
  /** Who or what the cause concerned at the start ("Bo Kim <bo@acme.example>"), to say later what changed. */
  owner: maybe(text),
  state: oneOf<WatchState>(),
  startedBy: text,
  startedAt: time,
  nextCheckAt: time,
  /** Re-checks made so far (postponed ones do not count). */
  attempts: int,
  expiresAt: time,
  /** The cause the latest re-check found (the start's cause until one found another). */
  lastCause: maybe(text),
  lastResult: maybe(text),
  lastCheckedAt: maybe(time),
  endedAt: maybe(time),
  endedBy: maybe(text),
  leaseHolder: maybe(text),
  leaseUntil: maybe(time),
});

export const SCHEDULE = columns({
  tenant: text,
  cadence: oneOf<AuditCadence>(),
  setBy: text,
  setAt: time,
  /** null when the cadence is off. */
  nextRunAt: maybe(time),
  /** Which replica is running it now, until `leaseUntil`; a lease past its time is free to take over. */
  leaseHolder: maybe(text),
  leaseUntil: maybe(time),
});

/** What a tenant's last audit found: what the next one is compared with. */
export const AUDIT_RESULT = columns({
  tenant: text,
  ranAt: time,
  /** true: Front accepted the token; false: it refused it; null: could not tell. */
  tokenWorks: maybe(bool),
  /** A short kind when it did not work ("refused", "unreachable", "http_500"); never the token. */
  tokenError: maybe(text),
  /** Teammates with "Allow access to my individual resources via the API" off. */
  preferenceOff: parsed<AuditTeammate[]>(),
  checked: int,
  total: int,
  complete: bool,
});

/** A thread waiting for the owner of a private resource, while the rest of the company's teammates are checked. */
export const OWNER_SWEEP = columns({
  id: text,
  /** The tenant's name when the sweep started; the sweep goes on only while that name is still that tenant's. */
  tenant: text,
  tenantId: text,
  teamId: text,
  channelId: text,
  threadTs: text,
  /** The conversation (or other Front ID) whose owner is sought. */
  target: text,
  startedAt: time,
  nextRunAt: time,
  /** What the sweep has found so far, as its runner wrote it (JSON). */
  progress: text,
});

/** A running `serve`, as the others see it through the store. */
export const REPLICA = columns({ id: text, startedAt: time, seenAt: time });

/** How one replica's reload of one generation went. */
export const RELOAD_OUTCOME = columns({
  generation: int,
  replica: text,
  ok: bool,
  rules: int,
  error: maybe(text),
  at: time,
});

export const RATE_WINDOW = columns({
  remaining: maybe(int),
  rateLimit: maybe(int),
  untilMs: maybe(int),
  pausedUntilMs: maybe(int),
  inFlight: int,
  leaseUntilMs: int,
});

/** A Front error wording no rule explained, as a template (IDs, numbers, emails and secrets masked). */
export const UNKNOWN_WORDING = columns({
  /** "u" and 12 hex digits of the template's hash: the same wording gets the same id everywhere. */
  id: text,
  template: text,
  /** The HTTP status the error showed or implied; null when none. */
  status: maybe(int),
  count: int,
  firstSeen: time,
  lastSeen: time,
});

/** One teammate's "Allow access to my individual resources via the API", as a private-resource probe found it. */
export const TEAMMATE_PREFERENCE = columns({
  teammateId: text,
  /** "First Last <email>", as Front listed them. */
  name: text,
  /** true: their private resources read fine; false: Front refused them for the preference. */
  apiAccess: bool,
  seenAt: time,
  seenBy: oneOf<TeammateSource>(),
});

/** When every teammate of a tenant was last checked in one go, and how many there were. */
export const TEAMMATE_SWEEP = columns({
  completeAt: time,
  seenBy: oneOf<TeammateSource>(),
  total: int,
});

/** A diagnosis API key as `front-why keys list` shows it: its hash never leaves the store. */
export const API_KEY = columns({
  id: text,
  name: text,
  /** Space-separated tenant names; '' for every tenant (read through `apiKeyTenants`). */
  tenants: text,
  notifyChannel: maybe(text),
  perMinute: int,
  createdBy: text,
  createdAt: time,
  /** null while the key works. */
  revokedAt: maybe(time),
});

/** One fingerprint's failures in a channel on one day, and its thread. */
export const API_ALERT = columns({
  count: int,
  /** The thread's parent message; null until the first replica to see it has posted. */
  ts: maybe(text),
  firstSeen: time,
  lastSeen: time,
  /** The replica updating the thread now, until `leaseUntil`. */
  leaseHolder: maybe(text),
});
