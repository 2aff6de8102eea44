import { is, type AnySchema, type Message, type Output, type Schema } from './shapes';
import { redactSecrets } from '../redact';
import { StoreError } from './store-error';

/**
 * What the store accepts, each shape declared once: the schema validates every call (a malformed name or Slack id
 * is reported as such, never read as "not found") and gives the argument types. Free text is redacted here, the one
 * place every write passes, so a token pasted anywhere never reaches the database.
 */

/** The first problem, as the message of an `invalid_input` error. */
export function check<S extends AnySchema>(schema: S, value: unknown): Output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.at(-1);
  // Our own messages name their field; zod's generic ones ("Invalid input: …") get the path in front.
  const where = field !== undefined && !issue?.message.includes(String(field)) ? `${issue?.path.join('.')}: ` : '';
  throw new StoreError('invalid_input', `${where}${issue?.message ?? 'invalid input'}`);
}

/** Someone who swaps the arguments pastes a token as the name: a long value is never echoed back. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value})`;
  return value.length <= 40 ? `"${value}"` : `(${value.length} characters)`;
}

export const AUDIT_CADENCES = ['daily', 'weekly', 'off'] as const;
export type AuditCadence = (typeof AUDIT_CADENCES)[number];
export const WATCH_STATES = ['active', 'fixed', 'stopped', 'expired'] as const;
export type WatchState = (typeof WATCH_STATES)[number];
export type WatchEnd = Exclude<WatchState, 'active'>;
export const TEAMMATE_SOURCES = ['audit', 'sweep', 'diagnosis', 'watch'] as const;
/** What probed a teammate's preference: an audit (by hand or scheduled), a diagnosis' sweep, its candidate check, a watch. */
export type TeammateSource = (typeof TEAMMATE_SOURCES)[number];

/** A text matching `re`, refused with `error`. */
const pattern = (re: RegExp, error: Message) => is.string().refine((v) => re.test(v), { error });

export const tenantName = pattern(
  /^[a-z0-9-]{1,40}$/,
  (iss) =>
    `tenant name ${shown(iss.input)} is not valid: use 1–40 lowercase letters, digits or dashes, e.g. "acme-prod"`,
);
export const token = is
  .string()
  .refine((v) => v.trim() !== '', { error: 'the Front API token is empty' })
  .refine((v) => v.length <= 8192, { error: (iss) => `the Front API token is ${shown(iss.input)} long; not a token` });
export const slackId = (what: string) =>
  pattern(/^[A-Za-z0-9_-]{1,64}$/, `${what} must be a Slack ID (letters, digits, '_' or '-', at most 64 characters)`);
const label = (what: string, max = 200) =>
  is.string().refine((v) => v.trim() !== '' && v.length <= max, {
    error: `${what} must be a non-empty text of at most ${max} characters`,
  });
export const date = (what: string) => is.date({ error: `${what} must be a valid Date` });
const whole = (min: number, error: string, max = Number.MAX_SAFE_INTEGER) =>
  is.number({ error }).int({ error }).min(min, { error }).max(max, { error });
const yesNo = (what: string) => is.boolean({ error: `${what} must be true or false` });
const count = (what: string) => whole(0, `${what} must be a whole number, 0 or more`);
const ms = (what: string) => whole(0, `${what} must be a whole number of milliseconds`);
const requests = is.number().min(0).transform(Math.floor);
/** Redacted, then held to `max` characters: cut with an ellipsis, or refused when `refuse` names it. */
const redacted = (max: number, refuse?: string) =>
  is
    .string()
    .transform((v) => redactSecrets(v))
    .refine((v) => !refuse || (v.trim() !== '' && v.length <= max), {
      error: `${refuse} must be a non-empty text of at most ${max} characters`,
    })
    .transform((v) => (v.length > max ? `${v.slice(0, max - 1)}…` : v));
const optional = <O, I>(schema: Schema<O, I>) => schema.nullish().transform((v) => v ?? null);

/**
 * Names a new tenant may not take. "default" is how threads, lists and watches name FRONT_API_TOKEN (the token of
 * unbound channels): a stored tenant of that name would be mistaken for it.
 */
export const RESERVED_TENANT_NAMES: readonly string[] = ['default'];

export const tenantCheck = is.object({
  companyId: optional(label('companyId')),
  companyName: optional(label('companyName')),
  scopes: is.array(is.string(), { error: 'scopes must be a list of strings' }),
  checkedAt: date('checkedAt'),
});

/** A tenant may be added before its token was checked. */
export const newTenant = tenantCheck.extend({
  name: tenantName.refine((v) => !RESERVED_TENANT_NAMES.includes(v), {
    error: (iss) =>
      `tenant name ${shown(iss.input)} is reserved: it names FRONT_API_TOKEN, the token of unbound channels; ` +
      'choose another, e.g. "acme-prod"',
  }),
  token,
  scopes: optional(tenantCheck.shape.scopes),
  checkedAt: optional(tenantCheck.shape.checkedAt),
  addedBy: optional(label('addedBy')),
});

/** Why `name` cannot name a new tenant (the store's own rule), or undefined: for a caller to refuse it first. */
export function newTenantNameProblem(name: string): string | undefined {
  const result = newTenant.shape.name.safeParse(name);
  return result.success ? undefined : (result.error.issues[0]?.message ?? `tenant name "${name}" is not valid`);
}

export const newBinding = is.object({
  teamId: slackId('teamId'),
  channelId: slackId('channelId'),
  tenant: tenantName,
  boundBy: label('boundBy'),
});

export const channelSettings = is.strictObject(
  {
    listen: yesNo('channel setting listen').optional(),
    allowExternal: yesNo('channel setting allowExternal').optional(),
  },
  (key) => `unknown channel setting "${key}"`,
);

const threadTs = pattern(
  /^\d{1,12}\.\d{1,9}$/,
  'threadTs must be a Slack message timestamp such as "1710000000.000100"',
);

export const customerChannel = is.object({
  teamId: slackId('teamId'),
  channelId: slackId('channelId'),
  mirrorChannelId: slackId('mirrorChannelId').nullable().default(null),
  setBy: label('setBy'),
});

export const customerCheck = is.object({
  teamId: slackId('teamId'),
  channelId: slackId('channelId'),
  threadTs,
  tenant: tenantName,
  askedBy: slackId('askedBy'),
  at: date('at'),
  /** The limits: at most this many checks per person, and per channel, within `windowMs` before `at`. */
  perPerson: whole(1, 'perPerson must be a whole number, 1 or more'),
  perChannel: whole(1, 'perChannel must be a whole number, 1 or more'),
  windowMs: ms('windowMs'),
});

export const customerThread = is.object({ teamId: slackId('teamId'), channelId: slackId('channelId'), threadTs });

const activityText = optional(redacted(4000));
export const newActivity = is.object({
  at: date('at'),
  actor: redacted(4000, 'activity actor'),
  teamId: activityText,
  channelId: activityText,
  tenant: activityText,
  action: pattern(
    /^[a-z][a-z0-9_.-]{0,63}$/,
    'activity action must be lowercase words joined by dots, e.g. "tenant.add"',
  ),
  target: activityText,
  cause: activityText,
  detail: activityText,
});

/** Default 100, at most 1000. */
const limit = (what: string) =>
  whole(1, `${what} limit must be a positive whole number`)
    .default(100)
    .transform((v) => Math.min(v, 1000));

export const activityQuery = is.object({
  tenant: is.string().optional(),
  since: date('since').optional(),
  actions: is.array(is.string(), { error: 'activity actions must be a list of action names' }).optional(),
  /** Entries older than this one (newest-first paging: pass the last entry of the previous page). */
  before: is.object({ at: date('before.at'), id: is.number().int() }).optional(),
  limit: limit('activity'),
});

export const eventClaim = is.object({
  key: is.string().min(1).max(512, { error: 'event key must be a non-empty text of at most 512 characters' }),
  ttlSeconds: is.number().positive({ error: 'event claim ttlSeconds must be a positive number' }),
});

export const watchId = pattern(
  /^w[0-9a-f]{16}$/,
  'a watch id is "w" and 16 hexadecimal digits, as front-why gives them',
);

export const newWatch = is
  .object({
    tenant: tenantName,
    /** Re-checked with FRONT_API_TOKEN rather than the stored tenant `tenant` names. */
    defaultToken: yesNo('defaultToken').default(false),
    teamId: slackId('teamId'),
    channelId: slackId('channelId'),
    threadTs: pattern(/^\d{1,12}\.\d{1,9}$/, 'threadTs must be a Slack message timestamp such as "1710000000.000100"'),
    target: redacted(2000, 'the watched target'),
    label: redacted(200, 'the watch label'),
    cause: label('cause'),
    owner: optional(redacted(1000, 'owner')),
    startedBy: label('startedBy'),
    startedAt: date('startedAt'),
    nextCheckAt: date('nextCheckAt'),
    expiresAt: date('expiresAt'),
  })
  .refine((w) => w.expiresAt.getTime() > w.startedAt.getTime(), { error: 'a watch must expire after it starts' });

export const watchQuery = is.object({
  teamId: slackId('teamId').optional(),
  channelId: slackId('channelId').optional(),
  tenant: tenantName.optional(),
  /** Default `active`. */
  state: is
    .enum([...WATCH_STATES, 'any'], { error: `watch state must be one of ${WATCH_STATES.join(', ')} or "any"` })
    .default('active'),
  limit: limit('watch'),
});

/** A lease longer than a day would keep a crashed replica's watches unchecked for that long. */
export const leaseMs = whole(1, 'a lease must be a whole number of milliseconds from 1 to a day', 24 * 60 * 60 * 1000);
export const holder = label('lease holder');

export const watchClaim = is.object({
  holder,
  now: date('now'),
  leaseMs,
  limit: whole(1, 'limit must be a whole number from 1 to 100', 100),
});

export const newOwnerSweep = is.object({
  tenant: tenantName,
  tenantId: label('tenantId'),
  teamId: slackId('teamId'),
  channelId: slackId('channelId'),
  threadTs: pattern(/^\d{1,12}\.\d{1,9}$/, 'threadTs must be a Slack message timestamp such as "1710000000.000100"'),
  target: pattern(/^[a-z]{2,4}_[0-9a-z]{1,24}$/, 'the target must be a Front ID such as "cnv_yo1kg5q"'),
  at: date('at'),
  progress: is.string().max(100_000, { error: 'progress must be at most 100000 characters' }),
});
export const ownerSweepClaim = is.object({ holder, now: date('now'), leaseMs });
export const ownerSweepId = pattern(/^o[0-9a-f]{16}$/, 'an owner sweep id is "o" and 16 hexadecimal digits');
export const ownerSweepUpdate = is.object({
  progress: newOwnerSweep.shape.progress,
  nextRunAt: date('nextRunAt'),
});

export const watchCheckUpdate = is.object({
  checkedAt: date('checkedAt'),
  nextCheckAt: date('nextCheckAt'),
  /** The cause found; absent when the re-check could not tell (the last cause is kept). */
  cause: optional(label('cause')),
  result: redacted(4000, 'result'),
});

export const watchEnd = is.object({
  state: is.enum(['fixed', 'stopped', 'expired'], { error: 'a watch ends as one of fixed, stopped, expired' }),
  at: date('at'),
  by: optional(label('by')),
  result: optional(redacted(4000, 'result')),
});

export const newAuditSchedule = is
  .object({
    tenant: tenantName,
    cadence: is.enum(AUDIT_CADENCES, { error: `audit cadence must be one of ${AUDIT_CADENCES.join(', ')}` }),
    setBy: label('setBy'),
    /** Ignored (stored as null) when the cadence is off. */
    nextRunAt: date('nextRunAt').nullable(),
  })
  .transform((s) => ({ ...s, nextRunAt: s.cadence === 'off' ? null : s.nextRunAt }));

export const claimedAudit = is.object({ tenant: tenantName, leaseHolder: holder, setAt: date('setAt') });

const auditTeammate = is.object({ id: is.string().min(1).pipe(redacted(200)), name: redacted(200) });
export type AuditTeammate = Output<typeof auditTeammate>;

export const auditResult = is.object({
  tenant: tenantName,
  ranAt: date('ranAt'),
  tokenWorks: is.boolean().nullable(),
  tokenError: redacted(200).nullable(),
  preferenceOff: is.array(auditTeammate, { error: 'preferenceOff must be a list of teammates with an id and a name' }),
  checked: count('checked'),
  total: count('total'),
  complete: yesNo('complete'),
});

/** The default tenant (FRONT_API_TOKEN) has a window too; no tenant name contains parentheses. */
const DEFAULT_WINDOW_KEY = '(default)';
/** A watch's tenant id when it re-checks with FRONT_API_TOKEN; no stored tenant's id contains parentheses. */
export const DEFAULT_TOKEN_TENANT_ID = '(default)';
/** What addTenant gives: "t" and 16 hex digits; tenants stored before ids were "v5:" and their name. */
export const tenantId = pattern(/^(t[0-9a-f]{16}|v5:[a-z0-9-]{1,40})$/, 'a tenant id is as front-why gives them');
export const windowKey = is.union([is.literal(DEFAULT_WINDOW_KEY), tenantName]);

export const rateWindowDraw = is.object({ now: ms('now'), reserve: ms('reserve'), leaseMs: ms('leaseMs') });

export const rateWindowSettle = is
  .object({
    now: ms('now'),
    returning: is.union([is.literal(0), is.literal(1)], { error: 'returning must be 0 or 1' }),
    remaining: requests.optional(),
    limit: requests.optional(),
    until: ms('until').optional(),
    pauseUntil: ms('pauseUntil').optional(),
  })
  .refine((s) => s.remaining === undefined || s.until !== undefined, {
    error: 'a count needs the time it holds until',
  });

export const replicaId = pattern(
  /^[\x21-\x7e]{1,120}$/,
  'a replica id must be 1–120 printable characters without spaces',
);

export const reloadRequest = is.object({
  /** What asked: slack, SIGHUP, cli. */
  trigger: label('trigger'),
  /** Who asked (a Slack user, a replica, the CLI user); shown to operators, never a secret. */
  requestedBy: label('requestedBy'),
});

export const generation = is.number().int().positive({ error: 'a reload generation is a positive whole number' });

export const reloadOutcome = is.object({
  generation,
  replica: replicaId,
  ok: is.boolean(),
  /** ok: the rules now serving; not ok: the rules that keep serving. */
  rules: requests.default(0),
  /** Not ok: the first error lines, as `front-why rules lint` prints them. */
  error: redacted(4000).optional(),
  at: date('at'),
});

/** How the unknown-wordings recorder names a template; the same text always hashes to the same id. */
export const unknownWordingId = pattern(/^u[0-9a-f]{12}$/, 'an unknown wording id is "u" and 12 hexadecimal digits');

/** An email address left in a template would be a person's in clear: the store refuses it rather than keep it. */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;

export const unknownSighting = is.object({
  id: unknownWordingId,
  template: redacted(1000, 'the wording template').refine((v) => !EMAIL.test(v), {
    error: 'the wording template must not hold an email address; mask it first',
  }),
  status: is.number().int().min(100).max(599).nullable(),
  /** The tenant whose paste it was (a stored tenant's name, or "default"); null when none was involved. */
  tenant: is.string().min(1).max(64).nullable(),
  at: date('at'),
});

export const unknownWordingQuery = is.object({
  /** Wordings seen at or after this moment. */
  since: date('since').optional(),
  limit: limit('unknown wording'),
});

/**
 * What one probe of teammates found. `complete`: every teammate of the company was checked in this one go (an audit,
 * a full sweep), so the map becomes exactly these teammates; otherwise only these are updated.
 */
export const teammatePreferences = is.object({
  tenantId,
  seenBy: is.enum(TEAMMATE_SOURCES, { error: `seenBy must be one of ${TEAMMATE_SOURCES.join(', ')}` }),
  at: date('at'),
  complete: yesNo('complete'),
  teammates: is.array(
    is.object({
      id: pattern(/^tea_[0-9a-z]{1,40}$/, 'a teammate id is "tea_" and letters or digits'),
      name: redacted(200, 'a teammate name'),
      apiAccess: yesNo('apiAccess'),
    }),
    { error: 'teammates must be a list of teammates with an id, a name and apiAccess' },
  ),
});

/** How `front-why keys` and the activity log name an API key; never the key itself. */
export const apiKeyName = pattern(
  /^[a-z0-9][a-z0-9_.-]{0,39}$/,
  (iss) =>
    `API key name ${shown(iss.input)} is not valid: use 1–40 lowercase letters, digits, ".", "_" or "-", e.g. "billing-sync"`,
);
const sha256Hex = (what: string) => pattern(/^[0-9a-f]{64}$/, `${what} must be 64 hexadecimal digits (a SHA-256)`);
export const apiKeyHash = sha256Hex('an API key hash');
export const apiKeyId = pattern(/^k[0-9a-f]{16}$/, 'an API key id is "k" and 16 hexadecimal digits');

export const newApiKey = is.object({
  name: apiKeyName,
  keyHash: apiKeyHash,
  /** The tenants the key may ask about; empty: every tenant. */
  tenants: is.array(tenantName).max(100, { error: 'an API key names at most 100 tenants' }),
  notifyChannel: optional(slackId('notifyChannel')),
  perMinute: whole(1, 'an API key allows a whole number of calls a minute from 1 to 10000', 10_000),
  createdBy: label('createdBy'),
  createdAt: date('createdAt'),
});

export const idempotencyKey = pattern(
  /^[\x21-\x7e]{1,255}$/,
  'an Idempotency-Key is 1–255 printable characters without spaces',
);

export const idempotencyClaim = is.object({
  keyId: apiKeyId,
  idempotencyKey,
  requestHash: sha256Hex('a request hash'),
  now: date('now'),
  /** How long an answer is kept for replays. */
  keepMs: whole(1, 'keepMs must be a positive whole number of milliseconds'),
});

export const alertKey = is.object({
  channelId: slackId('channelId'),
  fingerprint: pattern(/^f[0-9a-f]{16}$/, 'a fingerprint is "f" and 16 hexadecimal digits'),
  day: pattern(/^\d{4}-\d{2}-\d{2}$/, 'an alert day is written YYYY-MM-DD'),
});

export const alertSighting = alertKey.extend({ at: date('at'), holder, leaseMs });
