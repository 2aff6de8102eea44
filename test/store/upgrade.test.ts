import { MIGRATIONS, type Store } from '../../src/store';
import { sealKeyCheck, sealTenantToken } from '../../src/store/secrets';
import {
  fakeToken,
  keyring,
  newKey,
  PostgresHarness,
  probePostgres,
  SqliteHarness,
  testPostgresUrl,
  type Harness,
} from './harness';

/**
 * A database left by every released version, holding real rows written as that release wrote them (below the
 * Store API, in each database's own column types), is upgraded by opening it with this build: every row reads back
 * through the Store API, and every area takes new writes.
 */
const RELEASED = MIGRATIONS.map((m) => m.version).sort((a, b) => a - b);
const T0 = Date.parse('2025-06-02T08:00:00.000Z');
const MIN = 60_000;
/** As a version 6 addTenant wrote it; tenants stored before version 6 get "v5:" and their name. */
const ACME_V6_ID = 't00000000000000a1';
const WATCHES = { acme: 'w0123456789abcdef', gone: 'w0123456789abcde0', onDefault: 'w0123456789abcde1' };

/** Literals in the column types each database used at that version. */
function literals(kind: Harness['kind']) {
  const sqlite = kind === 'sqlite';
  return {
    time: (ms: number) => (sqlite ? String(ms) : `'${new Date(ms).toISOString()}'::timestamptz`),
    bytes: (b: Buffer) => (sqlite ? `X'${b.toString('hex')}'` : `'\\x${b.toString('hex')}'::bytea`),
    bool: (v: boolean) => (sqlite ? (v ? '1' : '0') : String(v)),
    list: (items: string[]) =>
      sqlite ? `'${JSON.stringify(items)}'` : `ARRAY[${items.map((i) => `'${i}'`).join(', ')}]::text[]`,
    json: (value: unknown) => `'${JSON.stringify(value)}'${sqlite ? '' : '::jsonb'}`,
  };
}

async function seed(h: Harness, version: number, ring: ReturnType<typeof keyring>, token: string): Promise<void> {
  const l = literals(h.kind);
  const sealed = sealTenantToken(ring, 'acme', token);
  const check = sealKeyCheck(ring);
  const log = version >= 2 ? 'activity_log' : 'audit_log';
  await h.exec(`
    INSERT INTO encryption_keys (key_id, check_nonce, check_ciphertext, check_tag, created_at)
      VALUES ('${check.keyId}', ${l.bytes(check.nonce)}, ${l.bytes(check.ciphertext)}, ${l.bytes(check.tag)}, ${l.time(T0)});
    INSERT INTO tenants (${version >= 6 ? 'id, ' : ''}name, company_id, company_name, scopes, checked_at, added_by,
        added_at, updated_at, token_key_id, token_nonce, token_ciphertext, token_tag)
      VALUES (${version >= 6 ? `'${ACME_V6_ID}', ` : ''}'acme', 'cmp_1', 'Acme Inc', ${l.list(['shared:*', 'private:*'])}, ${l.time(T0)}, 'U_ADMIN', ${l.time(T0)},
        ${l.time(T0)}, '${sealed.keyId}', ${l.bytes(sealed.nonce)}, ${l.bytes(sealed.ciphertext)}, ${l.bytes(sealed.tag)});
    INSERT INTO channel_bindings (team_id, channel_id, tenant, bound_by, bound_at)
      VALUES ('T1', 'C1', 'acme', 'U_ADMIN', ${l.time(T0)});
    INSERT INTO channel_settings (team_id, channel_id, listen, allow_external, updated_at)
      VALUES ('T1', 'C1', ${l.bool(true)}, ${l.bool(false)}, ${l.time(T0)});
    INSERT INTO ${log} (at, actor, team_id, channel_id, tenant, action, target, cause, detail)
      VALUES (${l.time(T0)}, 'U1', 'T1', 'C1', 'acme', 'diagnose', 'cnv_1', 'teammate_preference_off', NULL);
    INSERT INTO event_claims (key, claimed_at, expires_at) VALUES ('Ev1', ${l.time(T0)}, ${l.time(T0 + 600 * MIN)});
  `);
  if (version >= 3) {
    // Besides acme's watch: one whose tenant was removed, and one on FRONT_API_TOKEN (an unbound channel).
    const v6 = version >= 6;
    const watch = (id: string, tenant: string, channel: string, tenantId: string | null) => `
      INSERT INTO watches (id, tenant, ${v6 ? 'tenant_id, ' : ''}team_id, channel_id, thread_ts, target, label, cause,
          owner, state, started_by, started_at, next_check_at, attempts, expires_at, last_cause)
        VALUES ('${id}', '${tenant}', ${v6 ? (tenantId ? `'${tenantId}', ` : 'NULL, ') : ''}'T1', '${channel}',
          '1717315200.000100', 'cnv_1', 'cnv_1', 'teammate_preference_off', 'Bo Kim', 'active', 'U1', ${l.time(T0)},
          ${l.time(T0 + MIN)}, 2, ${l.time(T0 + 7 * 24 * 60 * MIN)}, 'teammate_preference_off');`;
    await h.exec(
      watch(WATCHES.acme, 'acme', 'C1', ACME_V6_ID) +
        watch(WATCHES.gone, 'initech', 'C5', null) +
        watch(WATCHES.onDefault, 'default', 'C6', '(default)'),
    );
  }
  if (version >= 4) {
    await h.exec(`
      INSERT INTO audit_schedules (tenant, cadence, set_by, set_at, next_run_at)
        VALUES ('acme', 'weekly', 'U_ADMIN', ${l.time(T0)}, ${l.time(T0 + 7 * 24 * 60 * MIN)});
      INSERT INTO audit_results (tenant, ran_at, token_works, token_error, preference_off, checked, total, complete)
        VALUES ('acme', ${l.time(T0)}, ${l.bool(true)}, NULL, ${l.json([{ id: 'tea_1', name: 'Bo Kim' }])}, 3, 3,
          ${l.bool(true)});
    `);
  }
  if (version >= 5) {
    await h.exec(`
      INSERT INTO rate_windows (key, remaining, rate_limit, until_ms, paused_until_ms, in_flight, lease_until_ms,
          updated_ms)
        VALUES ('acme', 40, 50, ${T0 + MIN}, NULL, 0, 0, ${T0});
      INSERT INTO replicas (id, started_at, seen_at) VALUES ('r1', ${l.time(T0)}, ${l.time(T0)});
      INSERT INTO rule_reloads (requested_at, requested_by, trigger) VALUES (${l.time(T0)}, 'U_ADMIN', 'slack');
      INSERT INTO rule_reload_outcomes (generation, replica, ok, rules, error, at)
        VALUES (1, 'r1', ${l.bool(true)}, 12, NULL, ${l.time(T0)});
    `);
  }
}

async function expectUpgraded(store: Store, version: number, token: string): Promise<void> {
  expect(await store.getTenantToken('acme')).toBe(token);
  expect(await store.getTenant('acme')).toMatchObject({
    companyName: 'Acme Inc',
    scopes: ['shared:*', 'private:*'],
    checkedAt: new Date(T0),
    addedAt: new Date(T0),
  });
  expect(await store.getChannelBinding('T1', 'C1')).toMatchObject({ tenant: 'acme', boundAt: new Date(T0) });
  expect(await store.getChannelSettings('T1', 'C1')).toEqual({ listen: true, allowExternal: false });
  expect((await store.listActivity({ tenant: 'acme' })).map((e) => [e.id, e.at, e.action, e.cause])).toEqual([
    [1, new Date(T0), 'diagnose', 'teammate_preference_off'],
  ]);
  expect(await store.claimEvent('Ev1', 60)).toBe(false);
  const acmeId = version >= 6 ? ACME_V6_ID : 'v5:acme';
  expect(await store.getTenant('acme')).toMatchObject({ id: acmeId });
  expect(await store.getTenantToken('acme', acmeId)).toBe(token);
  if (version >= 3) {
    // Each watch carries the identity of the tenant it names: acme's id, none for a removed one, the default token.
    expect(await store.getWatch(WATCHES.gone)).toMatchObject({ tenant: 'initech', tenantId: null });
    expect(await store.getWatch(WATCHES.onDefault)).toMatchObject({ tenant: 'default', tenantId: '(default)' });
    expect(await store.getWatch(WATCHES.acme)).toMatchObject({
      tenantId: acmeId,
      state: 'active',
      attempts: 2,
      owner: 'Bo Kim',
      nextCheckAt: new Date(T0 + MIN),
      endedAt: null,
    });
  }
  if (version >= 4) {
    expect(await store.getAuditSchedule('acme')).toMatchObject({ cadence: 'weekly', setAt: new Date(T0) });
    expect(await store.getAuditResult('acme')).toMatchObject({
      tokenWorks: true,
      preferenceOff: [{ id: 'tea_1', name: 'Bo Kim' }],
      complete: true,
    });
  }
  if (version >= 5) {
    expect(await store.readRateWindow('acme', T0)).toMatchObject({ remaining: 40, limit: 50, until: T0 + MIN });
    expect((await store.liveReplicas(new Date(T0))).map((r) => r.id)).toEqual(['r1']);
    expect(await store.latestRulesReload()).toBe(1);
    expect(await store.rulesReloadOutcomes(1)).toEqual([
      { generation: 1, replica: 'r1', ok: true, rules: 12, at: new Date(T0) },
    ]);
  }
}

/** Every area takes a write after the upgrade, ids and generations going on from the old rows. */
async function expectWritable(store: Store, version: number): Promise<void> {
  const globex = await store.addTenant({ name: 'globex', token: fakeToken() });
  expect(globex.id).toMatch(/^t[0-9a-f]{16}$/);
  await store.bindChannel({ teamId: 'T1', channelId: 'C2', tenant: 'globex', boundBy: 'U_ADMIN' });
  await store.recordActivity({ at: new Date(T0 + MIN), actor: 'U2', tenant: 'acme', action: 'audit' });
  expect((await store.listActivity({ limit: 1 }))[0]?.id).toBe(2);
  const { created } = await store.startWatch({
    tenant: 'globex',
    teamId: 'T1',
    channelId: 'C2',
    threadTs: '1717315300.000200',
    target: 'cnv_2',
    label: 'cnv_2',
    cause: 'token_invalid',
    startedBy: 'U2',
    startedAt: new Date(T0),
    nextCheckAt: new Date(T0 + MIN),
    expiresAt: new Date(T0 + 60 * MIN),
  });
  expect(created).toBe(true);
  expect((await store.listWatches({ channelId: 'C2' }))[0]?.tenantId).toBe(globex.id);
  await store.setAuditSchedule({ tenant: 'globex', cadence: 'daily', setBy: 'U_ADMIN', nextRunAt: new Date(T0) });
  expect(await store.drawRateWindow('globex', { now: T0, reserve: 5, leaseMs: MIN })).toEqual({ ok: true });
  expect(await store.requestRulesReload({ trigger: 'cli', requestedBy: 'ops' })).toBe(version >= 5 ? 2 : 1);
  const seen = { id: 'u0000000000a1', template: '418 <n> teapots', status: 418, tenant: 'globex', at: new Date(T0) };
  expect((await store.recordUnknownWording(seen)).created).toBe(true);
}

function describeUpgrades(name: string, create: () => Promise<Harness>): void {
  describe(`${name}: upgrading a database left by each release`, () => {
    it.each(RELEASED)('from version %i, with its rows', async (version) => {
      const h = await create();
      try {
        const ring = keyring(`k1:${newKey()}`);
        const token = fakeToken();
        await h.migrateTo(version);
        expect(await h.migrationVersions()).toEqual(RELEASED.filter((v) => v <= version));
        await seed(h, version, ring, token);
        const store = await h.open(ring, { clock: () => new Date(T0 + MIN) });
        expect(await h.migrationVersions()).toEqual(RELEASED);
        await expectUpgraded(store, version, token);
        await expectWritable(store, version);
      } finally {
        await h.dispose();
      }
    });
  });
}

describeUpgrades('SQLite', async () => new SqliteHarness());

const url = testPostgresUrl();
const probe = probePostgres(url);
if (probe.ok) {
  describeUpgrades('PostgreSQL', () => PostgresHarness.create(url));
} else if (process.env.CI) {
  it('needs a reachable PostgreSQL in CI', () => {
    throw new Error(`PostgreSQL is unreachable (${probe.reason}); CI must run the upgrade tests against it`);
  });
}
