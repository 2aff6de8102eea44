import { randomBytes } from 'node:crypto';
import type { Driver } from '../driver';
import { check } from '../inputs';
import * as input from '../inputs';
import { API_ALERT, API_KEY } from '../rows';
import { sql } from '../sql';
import type { ApiKey, ApiStore, IdempotencyState } from '../store-api';
import { StoreError } from '../store-error';

const PURGE_EVERY_MS = 60_000;
/** Alerts are counted per day; the rows of earlier days are dropped once two days old. */
const ALERT_DAYS_KEPT = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

function readKey(row: Record<string, unknown>): ApiKey {
  const { tenants, ...rest } = API_KEY.read(row);
  return { ...rest, tenants: tenants === '' ? [] : tenants.split(' ') };
}

/** Needs no keyring: a key is kept as its SHA-256, nothing here is encrypted. */
export function api({ db, clock }: { db: Driver; clock: () => Date }): ApiStore {
  let lastReplayPurge = Number.NEGATIVE_INFINITY;
  let lastAlertPurge = Number.NEGATIVE_INFINITY;
  const alertWhere = (k: { channelId: string; fingerprint: string; day: string }) =>
    sql`channel_id = ${k.channelId} AND fingerprint = ${k.fingerprint} AND day = ${k.day}`;
  return {
    async createApiKey(key) {
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

    async findApiKey(keyHash) {
      const hash = check(input.apiKeyHash, keyHash);
      const [row] = await db.all(sql`SELECT ${API_KEY.list} FROM api_keys WHERE key_hash = ${hash}`);
      return row ? readKey(row) : null;
    },

    async listApiKeys() {
      return (await db.all(sql`SELECT ${API_KEY.list} FROM api_keys ORDER BY name`)).map(readKey);
    },

    async revokeApiKey(name, at) {
      const n = check(input.apiKeyName, name);
      const when = check(input.date('at'), at);
      const [row] = await db.all(
        sql`UPDATE api_keys SET revoked_at = ${when} WHERE name = ${n} AND revoked_at IS NULL
            RETURNING ${API_KEY.list}`,
      );
      return row ? readKey(row) : null;
    },

    async claimIdempotency(claim): Promise<IdempotencyState> {
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

    async finishIdempotency(keyId, idempotencyKey, answer) {
      const where = sql`key_id = ${check(input.apiKeyId, keyId)}
        AND idempotency_key = ${check(input.idempotencyKey, idempotencyKey)}`;
      await db.run(
        answer === null
          ? sql`DELETE FROM api_replays WHERE ${where} AND answer IS NULL`
          : sql`UPDATE api_replays SET answer = ${answer} WHERE ${where} AND answer IS NULL`,
      );
    },

    async countAlert(sighting) {
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

    async setAlertThread(key, holder, ts) {
      const k = check(input.alertKey, key);
      const changed = await db.run(
        sql`UPDATE api_alerts SET ts = ${ts} WHERE ${alertWhere(k)} AND lease_holder = ${check(input.holder, holder)}`,
      );
      return changed === 1;
    },

    async releaseAlert(key, holder, shown) {
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
