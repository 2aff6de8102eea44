import { randomBytes } from 'node:crypto';
import type { Input } from '../shapes';
import type { Driver } from '../driver';
import { check } from '../inputs';
import * as input from '../inputs';
import { API_ALERT, API_KEY, type RowOf } from '../rows';
import { sql } from '../sql';
import { StoreError } from '../store-error';

const PURGE_EVERY_MS = 60_000;
/** Alerts are counted per day; the rows of earlier days are dropped once two days old. */
const ALERT_DAYS_KEPT = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A diagnosis API key; `tenants` empty means every tenant. Never the key or its hash. */
export type ApiKey = Omit<RowOf<typeof API_KEY>, 'tenants'> & { tenants: string[] };
export type ApiAlert = RowOf<typeof API_ALERT>;
export type AlertKey = Input<typeof input.alertKey>;
/** What an Idempotency-Key finds: nothing yet (run it), the same request still running, its answer, or another request. */
export type IdempotencyState =
  { kind: 'new' } | { kind: 'running' } | { kind: 'answered'; answer: string } | { kind: 'other-request' };

function readKey(row: Record<string, unknown>): ApiKey {
  const { tenants, ...rest } = API_KEY.read(row);
  return { ...rest, tenants: tenants === '' ? [] : tenants.split(' ') };
}

/**
 * The diagnosis API (POST /v1/diagnose): its keys, the answers kept for retries, and grouped alerts. Needs no keyring:
 * a key is kept as its SHA-256, nothing here is encrypted.
 */
export function api({ db, clock }: { db: Driver; clock: () => Date }) {
  let lastReplayPurge = Number.NEGATIVE_INFINITY;
  let lastAlertPurge = Number.NEGATIVE_INFINITY;
  const alertWhere = (k: { channelId: string; fingerprint: string; day: string }) =>
    sql`channel_id = ${k.channelId} AND fingerprint = ${k.fingerprint} AND day = ${k.day}`;
  return {
    /** Throws `api_key_exists` when a key (revoked or not) already has the name, `invalid_input` on a bad field. */
    async createApiKey(key: Input<typeof input.newApiKey>): Promise<ApiKey> {
      const k = check(input.newApiKey, key);
      const id = `k${randomBytes(8).toString('hex')}`;
      const tenants = [...new Set(k.tenants)].sort().join(' ');
      const [row] = await db.all(
        sql`INSERT INTO api_keys (id, name, key_hash, tenants, notify_channel, per_minute, created_by, created_at)
            VALUES (${id}, ${k.name}, ${k.keyHash}, ${tenants}, ${k.notifyChannel}, ${k.perMinute}, ${k.createdBy},
              ${k.createdAt})
            ON CONFLICT (name) DO NOTHING
            RETURNING ${API_KEY.list}`,
      );
      if (!row) throw new StoreError('api_key_exists', `an API key named "${k.name}" already exists`);
      return readKey(row);
    },

    /** The key whose SHA-256 is `keyHash`, revoked or not; null when there is none. */
    async findApiKey(keyHash: string): Promise<ApiKey | null> {
      const hash = check(input.apiKeyHash, keyHash);
      const [row] = await db.all(sql`SELECT ${API_KEY.list} FROM api_keys WHERE key_hash = ${hash}`);
      return row ? readKey(row) : null;
    },

    /** Ordered by name. */
    async listApiKeys(): Promise<ApiKey[]> {
      return (await db.all(sql`SELECT ${API_KEY.list} FROM api_keys ORDER BY name`)).map(readKey);
    },

    /** Revokes the working key `name`; null when there is none (never created, or revoked already). */
    async revokeApiKey(name: string, at: Date): Promise<ApiKey | null> {
      const n = check(input.apiKeyName, name);
      const when = check(input.date('at'), at);
      const [row] = await db.all(
        sql`UPDATE api_keys SET revoked_at = ${when} WHERE name = ${n} AND revoked_at IS NULL
            RETURNING ${API_KEY.list}`,
      );
      return row ? readKey(row) : null;
    },

    /**
     * Claims `idempotencyKey` for this key's request (`requestHash`: what was sent), unless an answer or a running
     * request younger than `keepMs` holds it: one statement, so across replicas exactly one request runs.
     */
    async claimIdempotency(claim: Input<typeof input.idempotencyClaim>): Promise<IdempotencyState> {
      const c = check(input.idempotencyClaim, claim);
      const stale = new Date(c.now.getTime() - c.keepMs);
      if (c.now.getTime() - lastReplayPurge >= PURGE_EVERY_MS) {
        lastReplayPurge = c.now.getTime();
        await db.run(sql`DELETE FROM api_replays WHERE created_at <= ${stale}`);
      }
      // A fresh key inserts, one past its time is taken over, a live one changes nothing: one statement decides.
      const claimed = await db.run(
        sql`INSERT INTO api_replays (key_id, idempotency_key, request_hash, answer, created_at)
            VALUES (${c.keyId}, ${c.idempotencyKey}, ${c.requestHash}, NULL, ${c.now})
            ON CONFLICT (key_id, idempotency_key) DO UPDATE SET request_hash = excluded.request_hash,
              answer = NULL, created_at = excluded.created_at
            WHERE api_replays.created_at <= ${stale}`,
      );
      if (claimed === 1) return { kind: 'new' };
      const [row] = await db.all<{ request_hash: unknown; answer: unknown }>(
        sql`SELECT request_hash, answer FROM api_replays
            WHERE key_id = ${c.keyId} AND idempotency_key = ${c.idempotencyKey}`,
      );
      // Finished and dropped between the two statements: the caller may simply run it.
      if (!row) return { kind: 'new' };
      if (String(row.request_hash) !== c.requestHash) return { kind: 'other-request' };
      return row.answer === null ? { kind: 'running' } : { kind: 'answered', answer: String(row.answer) };
    },

    /** Keeps the claimed request's answer (JSON), or drops the claim when `answer` is null so a retry runs again. */
    async finishIdempotency(keyId: string, idempotencyKey: string, answer: string | null): Promise<void> {
      const where = sql`key_id = ${check(input.apiKeyId, keyId)}
        AND idempotency_key = ${check(input.idempotencyKey, idempotencyKey)}`;
      await db.run(
        answer === null
          ? sql`DELETE FROM api_replays WHERE ${where} AND answer IS NULL`
          : sql`UPDATE api_replays SET answer = ${answer} WHERE ${where} AND answer IS NULL`,
      );
    },

    /**
     * Counts one failure of a fingerprint in a channel on a day, and hands the thread's lease to `holder` when nobody
     * holds it (or a holder's lease ran out). One statement: across replicas one caller creates the count.
     */
    async countAlert(sighting: Input<typeof input.alertSighting>): Promise<ApiAlert> {
      const s = check(input.alertSighting, sighting);
      const now = clock();
      if (now.getTime() - lastAlertPurge >= PURGE_EVERY_MS) {
        lastAlertPurge = now.getTime();
        const oldest = new Date(now.getTime() - ALERT_DAYS_KEPT * DAY_MS).toISOString().slice(0, 10);
        await db.run(sql`DELETE FROM api_alerts WHERE day < ${oldest}`);
      }
      const until = new Date(s.at.getTime() + s.leaseMs);
      const [row] = await db.all(
        sql`INSERT INTO api_alerts (channel_id, fingerprint, day, count, ts, first_seen, last_seen, lease_holder,
              lease_until)
            VALUES (${s.channelId}, ${s.fingerprint}, ${s.day}, 1, NULL, ${s.at}, ${s.at}, ${s.holder}, ${until})
            ON CONFLICT (channel_id, fingerprint, day) DO UPDATE SET count = api_alerts.count + 1,
              last_seen = CASE WHEN excluded.last_seen > api_alerts.last_seen
                THEN excluded.last_seen ELSE api_alerts.last_seen END,
              lease_holder = CASE WHEN api_alerts.lease_until IS NULL OR api_alerts.lease_until <= ${s.at}
                THEN excluded.lease_holder ELSE api_alerts.lease_holder END,
              lease_until = CASE WHEN api_alerts.lease_until IS NULL OR api_alerts.lease_until <= ${s.at}
                THEN excluded.lease_until ELSE api_alerts.lease_until END
            RETURNING ${API_ALERT.list}`,
      );
      if (!row) throw new Error('the alert count was not written');
      return API_ALERT.read(row);
    },

    /** The thread's parent message, once posted by the lease's holder. false when `holder` lost the lease. */
    async setAlertThread(key: AlertKey, holder: string, ts: string): Promise<boolean> {
      const k = check(input.alertKey, key);
      const changed = await db.run(
        sql`UPDATE api_alerts SET ts = ${ts} WHERE ${alertWhere(k)} AND lease_holder = ${check(input.holder, holder)}`,
      );
      return changed === 1;
    },

    /**
     * Gives the lease back when the thread shows `shown`, the count now; otherwise (more failures arrived meanwhile)
     * keeps it and returns the alert to show next. null: released, or no longer `holder`'s.
     */
    async releaseAlert(key: AlertKey, holder: string, shown: number): Promise<ApiAlert | null> {
      const k = check(input.alertKey, key);
      const h = check(input.holder, holder);
      const released = await db.run(
        sql`UPDATE api_alerts SET lease_holder = NULL, lease_until = NULL
            WHERE ${alertWhere(k)} AND lease_holder = ${h} AND count = ${shown}`,
      );
      if (released === 1) return null;
      const [row] = await db.all(sql`SELECT ${API_ALERT.list} FROM api_alerts WHERE ${alertWhere(k)}`);
      const alert = row ? API_ALERT.read(row) : null;
      return alert && alert.leaseHolder === h ? alert : null;
    },
  };
}

export type ApiStore = ReturnType<typeof api>;
