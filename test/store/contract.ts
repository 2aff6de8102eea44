import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_TOKEN_TENANT_ID,
  isStoreError,
  KEY_VARIABLE,
  MIGRATIONS,
  openKeylessStore,
  type Store,
  type StoreErrorCode,
} from '../../src/store';
import { fakeToken, keyring, newKey, type Harness } from './harness';

const T0 = Date.parse('2025-03-01T09:00:00.000Z');
const KNOWN_VERSIONS = MIGRATIONS.map((m) => m.version).sort((a, b) => a - b);

/** A clock the test moves by hand, so expiry and ordering do not depend on the machine's speed. */
function manualClock(start = T0) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms: number) => (now += ms), at: (ms: number) => new Date(start + ms) };
}

async function expectStoreError(promise: Promise<unknown>, code: StoreErrorCode, message?: RegExp): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  if (!isStoreError(caught, code)) {
    throw new Error(
      `expected StoreError ${code}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`,
    );
  }
  if (message) expect(caught.message).toMatch(message);
  return caught;
}

/** Every encoding in which a token could sit in a database dump. */
function forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const signature = secret.split('.')[2] ?? secret;
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), signature];
}

function expectAbsent(dump: Buffer, secrets: string[]): void {
  for (const secret of secrets) {
    for (const form of forms(secret)) {
      expect({ form: form.slice(0, 12), found: dump.includes(Buffer.from(form, 'utf8')) }).toEqual({
        form: form.slice(0, 12),
        found: false,
      });
    }
  }
}

interface WorkerResult {
  won: number[];
}

function runWorkers(location: string, keyText: string, workers: number, count: number): Promise<WorkerResult[]> {
  const script = join(__dirname, 'worker.js');
  const children = Array.from({ length: workers }, (_, id) =>
    fork(script, [location, String(id), String(count)], {
      env: { ...process.env, [KEY_VARIABLE]: keyText },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const ready = children.map(
    (child) =>
      new Promise<void>((resolve, reject) => {
        child.once('message', (m: { type: string; message?: string }) =>
          m.type === 'ready' ? resolve() : reject(new Error(`worker failed to open the store: ${m.message}`)),
        );
        child.once('exit', (code) => reject(new Error(`worker exited with ${code} before opening the store`)));
      }),
  );
  const done = children.map(
    (child) =>
      new Promise<WorkerResult>((resolve, reject) => {
        child.on('message', (m: { type: string; won?: number[]; message?: string }) => {
          if (m.type === 'done') resolve({ won: m.won ?? [] });
          if (m.type === 'error') reject(new Error(`worker failed: ${m.message}`));
        });
        child.once('exit', (code) => {
          if (code !== 0) reject(new Error(`worker exited with ${code}`));
        });
      }),
  );
  return Promise.all(ready).then(
    () => {
      // Both have opened (and migrated) the store; now they write at the same moment.
      for (const child of children) child.send('go');
      return Promise.all(done);
    },
    (err: unknown) => {
      for (const child of children) child.kill();
      throw err;
    },
  );
}

/**
 * Starts `workers` processes on a fresh database (so they also migrate it together), lets each append
 * `count` audit rows and claim the same `count` event keys, then checks that nothing was lost or granted twice.
 */
async function expectWorkersAgree(h: Harness, workers: number, count: number): Promise<void> {
  const built = join(__dirname, '..', '..', 'dist', 'store', 'index.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: the jest global setup builds it (npm run build)`);
  const key = newKey();
  const results = await runWorkers(h.location, key, workers, count);
  const store = await h.open(keyring(key));
  expect(await h.count('activity_log')).toBe(workers * count);
  const entries = await store.listActivity({ limit: 1000 });
  expect(entries).toHaveLength(Math.min(1000, workers * count));
  for (let w = 0; w < workers; w += 1) {
    const targets = new Set(entries.filter((e) => e.actor === `worker-${w}`).map((e) => e.target));
    expect(targets.size).toBe(count);
  }
  const won = results.flatMap((r) => r.won).sort((x, y) => x - y);
  expect(won).toEqual(Array.from({ length: count }, (_, i) => i));
  expect(await h.count('event_claims')).toBe(count);
  expect(await h.migrationVersions()).toEqual(KNOWN_VERSIONS);
}

/**
 * The behaviour every Store implementation must share. `makeHarness` gives a fresh, empty location per test.
 */
export function describeStoreContract(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`${name} contract`, () => {
    let h: Harness;
    const key1 = newKey();
    const ring1 = keyring(key1);

    beforeEach(async () => {
      h = await makeHarness();
    });

    afterEach(async () => {
      await h.dispose();
    });

    describe('tenants', () => {
      let store: Store;
      let c: ReturnType<typeof manualClock>;
      beforeEach(async () => {
        c = manualClock();
        store = await h.open(ring1, { clock: c.clock });
      });

      it('adds a tenant and returns its metadata, never its token', async () => {
        const token = fakeToken();
        const added = await store.addTenant({
          name: 'acme-prod',
          token,
          companyId: 'cmp_1',
          companyName: 'Acme',
          scopes: ['shared:*', 'private:*'],
          checkedAt: c.at(-60_000),
          addedBy: 'U123',
        });
        const expected = {
          name: 'acme-prod',
          companyId: 'cmp_1',
          companyName: 'Acme',
          scopes: ['shared:*', 'private:*'],
          checkedAt: c.at(-60_000),
          addedBy: 'U123',
          addedAt: c.at(0),
          updatedAt: c.at(0),
          tokenKeyId: 'k1',
        };
        expect(added).toEqual({ ...expected, id: expect.stringMatching(/^t[0-9a-f]{16}$/) });
        expect(await store.getTenant('acme-prod')).toEqual(added);
        expect(JSON.stringify([added, await store.listTenants()])).not.toContain(token);
      });

      it('fills optional metadata with null', async () => {
        expect(await store.addTenant({ name: 'bare', token: fakeToken() })).toEqual({
          id: expect.stringMatching(/^t[0-9a-f]{16}$/),
          name: 'bare',
          companyId: null,
          companyName: null,
          scopes: null,
          checkedAt: null,
          addedBy: null,
          addedAt: c.at(0),
          updatedAt: c.at(0),
          tokenKeyId: 'k1',
        });
      });

      it('gives a name removed and added back another id, and its token only to that id', async () => {
        const first = await store.addTenant({ name: 'acme', token: fakeToken() });
        await store.removeTenant('acme');
        const other = fakeToken();
        const again = await store.addTenant({ name: 'acme', token: other });
        expect(again.id).not.toBe(first.id);
        expect(await store.getTenantToken('acme', first.id)).toBeNull();
        expect(await store.getTenantToken('acme', again.id)).toBe(other);
        expect(await store.getTenantToken('acme')).toBe(other);
      });

      it('refuses the name "default": it names FRONT_API_TOKEN', async () => {
        await expectStoreError(
          store.addTenant({ name: 'default', token: fakeToken() }),
          'invalid_input',
          /"default" is reserved: it names FRONT_API_TOKEN/,
        );
        expect(await store.listTenants()).toEqual([]);
      });

      it('hands the token out only through getTenantToken', async () => {
        const token = fakeToken();
        await store.addTenant({ name: 'acme', token });
        expect(await store.getTenantToken('acme')).toBe(token);
        expect(await store.getTenantToken('nobody')).toBeNull();
        expect(await store.getTenant('nobody')).toBeNull();
      });

      it.each([
        ['uppercase', 'Acme'],
        ['underscore', 'acme_prod'],
        ['space', 'acme prod'],
        ['empty', ''],
        ['41 characters', 'a'.repeat(41)],
      ])('rejects a tenant name with %s, saying what is allowed', async (_, bad) => {
        const err = await expectStoreError(
          store.addTenant({ name: bad, token: fakeToken() }),
          'invalid_input',
          /use 1–40 lowercase letters, digits or dashes/,
        );
        expect(err.message).toContain('tenant name');
      });

      it('accepts names at the limits', async () => {
        await store.addTenant({ name: 'a', token: fakeToken() });
        await store.addTenant({ name: `0-${'z'.repeat(38)}`, token: fakeToken() });
        expect((await store.listTenants()).map((t) => t.name)).toEqual([`0-${'z'.repeat(38)}`, 'a']);
      });

      it('never echoes a token passed as the tenant name', async () => {
        const token = fakeToken();
        const err = await expectStoreError(store.addTenant({ name: token, token: 'x' }), 'invalid_input');
        expect(err.message).not.toContain(token);
        expect(err.message).toMatch(/\(\d+ characters\)/);
      });

      it('rejects an empty token and a duplicate name', async () => {
        await expectStoreError(store.addTenant({ name: 'acme', token: '  ' }), 'invalid_input', /token is empty/);
        const token = fakeToken();
        await store.addTenant({ name: 'acme', token });
        const err = await expectStoreError(
          store.addTenant({ name: 'acme', token: fakeToken() }),
          'tenant_exists',
          /a tenant named "acme" already exists/,
        );
        expect(err.message).not.toContain(token);
        expect(await store.getTenantToken('acme')).toBe(token);
      });

      it('lists tenants by name', async () => {
        for (const n of ['zeta', 'alpha', 'mid-1']) await store.addTenant({ name: n, token: fakeToken() });
        expect((await store.listTenants()).map((t) => t.name)).toEqual(['alpha', 'mid-1', 'zeta']);
      });

      it('removes a tenant together with its channel bindings, and only those', async () => {
        await store.addTenant({ name: 'acme', token: fakeToken() });
        await store.addTenant({ name: 'other', token: fakeToken() });
        await store.bindChannel({ teamId: 'T1', channelId: 'C1', tenant: 'acme', boundBy: 'U1' });
        await store.bindChannel({ teamId: 'T1', channelId: 'C2', tenant: 'acme', boundBy: 'U1' });
        await store.bindChannel({ teamId: 'T1', channelId: 'C3', tenant: 'other', boundBy: 'U1' });
        await store.setChannelSettings('T1', 'C1', { listen: true });
        expect(await store.removeTenant('acme')).toBe(true);
        expect(await store.removeTenant('acme')).toBe(false);
        expect(await store.getTenant('acme')).toBeNull();
        expect(await store.getTenantToken('acme')).toBeNull();
        expect(await store.getChannelBinding('T1', 'C1')).toBeNull();
        expect(await store.getChannelBinding('T1', 'C2')).toBeNull();
        expect((await store.getChannelBinding('T1', 'C3'))?.tenant).toBe('other');
        // Settings belong to the channel, not the tenant.
        expect(await store.getChannelSettings('T1', 'C1')).toEqual({ listen: true, allowExternal: false });
        expect(await h.count('channel_bindings')).toBe(1);
      });

      it('records a check', async () => {
        await store.addTenant({ name: 'acme', token: fakeToken(), companyName: 'Old name' });
        c.advance(5_000);
        const updated = await store.updateTenantCheck('acme', {
          companyId: 'cmp_9',
          companyName: 'Acme Inc',
          scopes: ['shared:*'],
          checkedAt: c.at(4_000),
        });
        expect(updated).toMatchObject({
          companyId: 'cmp_9',
          companyName: 'Acme Inc',
          scopes: ['shared:*'],
          checkedAt: c.at(4_000),
          addedAt: c.at(0),
          updatedAt: c.at(5_000),
        });
        expect(await store.getTenant('acme')).toEqual(updated);
        await expectStoreError(
          store.updateTenantCheck('ghost', { companyId: null, companyName: null, scopes: [], checkedAt: c.at(0) }),
          'tenant_not_found',
          /no tenant named "ghost"/,
        );
      });

      it('replaces a token, forgetting the check that described the old one', async () => {
        const old = fakeToken();
        const fresh = fakeToken();
        await store.addTenant({ name: 'acme', token: old, companyId: 'cmp_1', scopes: ['a'], checkedAt: c.at(0) });
        c.advance(1_000);
        const replaced = await store.replaceTenantToken('acme', fresh);
        expect(replaced).toMatchObject({ companyId: 'cmp_1', scopes: null, checkedAt: null, updatedAt: c.at(1_000) });
        expect(await store.getTenantToken('acme')).toBe(fresh);
        await expectStoreError(store.replaceTenantToken('ghost', fakeToken()), 'tenant_not_found');
        await expectStoreError(store.replaceTenantToken('acme', ''), 'invalid_input');
        expect(await store.getTenantToken('acme')).toBe(fresh);
      });

      it('replaces a token together with its new check', async () => {
        await store.addTenant({ name: 'acme', token: fakeToken(), companyId: 'cmp_1' });
        const fresh = fakeToken();
        const replaced = await store.replaceTenantToken('acme', fresh, {
          companyId: 'cmp_2',
          companyName: 'Acme 2',
          scopes: ['shared:*'],
          checkedAt: c.at(0),
        });
        expect(replaced).toMatchObject({ companyId: 'cmp_2', companyName: 'Acme 2', scopes: ['shared:*'] });
        expect(await store.getTenantToken('acme')).toBe(fresh);
      });
    });

    describe('channels', () => {
      let store: Store;
      let c: ReturnType<typeof manualClock>;
      beforeEach(async () => {
        c = manualClock();
        store = await h.open(ring1, { clock: c.clock });
        await store.addTenant({ name: 'acme', token: fakeToken() });
        await store.addTenant({ name: 'beta', token: fakeToken() });
      });

      it('binds, rebinds and unbinds a channel', async () => {
        expect(await store.getChannelBinding('T1', 'C1')).toBeNull();
        const bound = await store.bindChannel({ teamId: 'T1', channelId: 'C1', tenant: 'acme', boundBy: 'U1' });
        expect(bound).toEqual({ teamId: 'T1', channelId: 'C1', tenant: 'acme', boundBy: 'U1', boundAt: c.at(0) });
        expect(await store.getChannelBinding('T1', 'C1')).toEqual(bound);
        // Same channel id in another workspace is another channel.
        expect(await store.getChannelBinding('T2', 'C1')).toBeNull();
        c.advance(10);
        await store.bindChannel({ teamId: 'T1', channelId: 'C1', tenant: 'beta', boundBy: 'U2' });
        expect(await store.getChannelBinding('T1', 'C1')).toEqual({
          teamId: 'T1',
          channelId: 'C1',
          tenant: 'beta',
          boundBy: 'U2',
          boundAt: c.at(10),
        });
        expect(await store.unbindChannel('T1', 'C1')).toBe(true);
        expect(await store.unbindChannel('T1', 'C1')).toBe(false);
        expect(await store.getChannelBinding('T1', 'C1')).toBeNull();
      });

      it('refuses to bind an unknown tenant or a malformed id', async () => {
        await expectStoreError(
          store.bindChannel({ teamId: 'T1', channelId: 'C1', tenant: 'ghost', boundBy: 'U1' }),
          'tenant_not_found',
        );
        await expectStoreError(
          store.bindChannel({ teamId: 'T1', channelId: '<!channel>', tenant: 'acme', boundBy: 'U1' }),
          'invalid_input',
          /channelId must be a Slack ID/,
        );
        expect(await store.getChannelBinding('T1', 'C1')).toBeNull();
      });

      it('defaults settings to off and merges partial updates', async () => {
        expect(await store.getChannelSettings('T1', 'C1')).toEqual({ listen: false, allowExternal: false });
        expect(await store.setChannelSettings('T1', 'C1', { listen: true })).toEqual({
          listen: true,
          allowExternal: false,
        });
        expect(await store.setChannelSettings('T1', 'C1', { allowExternal: true })).toEqual({
          listen: true,
          allowExternal: true,
        });
        expect(await store.setChannelSettings('T1', 'C1', { listen: false })).toEqual({
          listen: false,
          allowExternal: true,
        });
        expect(await store.setChannelSettings('T1', 'C1', {})).toEqual({ listen: false, allowExternal: true });
        expect(await store.getChannelSettings('T1', 'C1')).toEqual({ listen: false, allowExternal: true });
        expect(await store.getChannelSettings('T1', 'C2')).toEqual({ listen: false, allowExternal: false });
      });

      it('rejects unknown or non-boolean settings', async () => {
        await expectStoreError(
          store.setChannelSettings('T1', 'C1', { loud: true } as never),
          'invalid_input',
          /unknown channel setting "loud"/,
        );
        await expectStoreError(store.setChannelSettings('T1', 'C1', { listen: 'yes' } as never), 'invalid_input');
      });
    });

    describe('customer channels and their checks', () => {
      let store: Store;
      const MIN = 60_000;
      const asked = (over: Partial<Parameters<Store['recordCustomerCheck']>[0]> = {}) => ({
        teamId: 'T1',
        channelId: 'C1',
        threadTs: '1710000000.000100',
        tenant: 'acme',
        askedBy: 'U9',
        at: new Date(T0),
        perPerson: 2,
        perChannel: 3,
        windowMs: 60 * MIN,
        ...over,
      });
      beforeEach(async () => {
        store = await h.open(ring1);
        await store.addTenant({ name: 'acme', token: fakeToken() });
      });

      it('turns customer mode on, changes its mirror, and off', async () => {
        expect(await store.getCustomerChannel('T1', 'C1')).toBeNull();
        await store.setCustomerChannel({ teamId: 'T1', channelId: 'C1', setBy: 'U1' });
        expect(await store.getCustomerChannel('T1', 'C1')).toMatchObject({ mirrorChannelId: null, setBy: 'U1' });
        await store.setCustomerChannel({ teamId: 'T1', channelId: 'C1', mirrorChannelId: 'C2', setBy: 'U2' });
        expect(await store.getCustomerChannel('T1', 'C1')).toMatchObject({ mirrorChannelId: 'C2', setBy: 'U2' });
        expect(await store.getCustomerChannel('T2', 'C1')).toBeNull();
        expect((await store.listCustomerChannels('T1')).map((c) => c.channelId)).toEqual(['C1']);
        expect(await store.listCustomerChannels('T2')).toEqual([]);
        expect(await store.clearCustomerChannel('T1', 'C1')).toBe(true);
        expect(await store.clearCustomerChannel('T1', 'C1')).toBe(false);
        expect(await store.getCustomerChannel('T1', 'C1')).toBeNull();
      });

      it('counts checks per person and per channel within the window, and refuses past either limit', async () => {
        expect(await store.recordCustomerCheck(asked())).toEqual({ recorded: true });
        expect(await store.recordCustomerCheck(asked({ at: new Date(T0 + MIN) }))).toEqual({ recorded: true });
        expect(await store.recordCustomerCheck(asked({ at: new Date(T0 + 2 * MIN) }))).toEqual({
          recorded: false,
          over: 'person',
        });
        // Someone else in the channel: the channel has one place left.
        expect(await store.recordCustomerCheck(asked({ askedBy: 'U8', at: new Date(T0 + 2 * MIN) }))).toEqual({
          recorded: true,
        });
        expect(await store.recordCustomerCheck(asked({ askedBy: 'U7', at: new Date(T0 + 2 * MIN) }))).toEqual({
          recorded: false,
          over: 'channel',
        });
        // An hour after the first check, its place is free again.
        expect(await store.recordCustomerCheck(asked({ at: new Date(T0 + 60 * MIN) }))).toEqual({ recorded: true });
      });

      it('lists each thread once, with the first post of an agent and when a watch of it ended fixed', async () => {
        await store.recordCustomerCheck(asked());
        await store.recordCustomerCheck(asked({ at: new Date(T0 + MIN) }));
        const other = { threadTs: '1710000000.000200', askedBy: 'U8', at: new Date(T0 + 2 * MIN) };
        await store.recordCustomerCheck(asked(other));
        const thread = { teamId: 'T1', channelId: 'C1', threadTs: '1710000000.000100' };
        expect(await store.isCustomerThread(thread)).toBe(true);
        expect(await store.isCustomerThread({ ...thread, threadTs: '1710000000.000999' })).toBe(false);
        await store.markAgentPosted({ ...thread, threadTs: other.threadTs }, new Date(T0 + 3 * MIN));
        await store.markAgentPosted({ ...thread, threadTs: other.threadTs }, new Date(T0 + 9 * MIN));
        const { watch } = await store.startWatch({
          tenant: 'acme',
          teamId: 'T1',
          channelId: 'C1',
          threadTs: thread.threadTs,
          target: 'cnv_yo1kg5q',
          label: 'cnv_yo1kg5q',
          cause: 'teammate_api_access_disabled',
          startedBy: 'U9',
          startedAt: new Date(T0),
          nextCheckAt: new Date(T0 + MIN),
          expiresAt: new Date(T0 + 60 * MIN),
        });
        await store.endWatch(watch.id, { state: 'fixed', at: new Date(T0 + 20 * MIN) });
        expect(await store.listCustomerQuestions(new Date(T0))).toEqual([
          { tenant: 'acme', askedAt: new Date(T0), agentPostedAt: null, fixedAt: new Date(T0 + 20 * MIN) },
          { tenant: 'acme', askedAt: new Date(T0 + 2 * MIN), agentPostedAt: new Date(T0 + 3 * MIN), fixedAt: null },
        ]);
        expect(await store.listCustomerQuestions(new Date(T0 + MIN))).toHaveLength(1);
      });
    });

    describe('activity log', () => {
      let store: Store;
      beforeEach(async () => {
        store = await h.open(ring1);
      });

      it('lists entries newest first, filtered by tenant, time and limit', async () => {
        for (let i = 0; i < 6; i += 1) {
          await store.recordActivity({
            at: new Date(T0 + i * 1000),
            actor: 'U1',
            teamId: 'T1',
            channelId: 'C1',
            tenant: i % 2 === 0 ? 'acme' : 'beta',
            action: 'diagnose',
            target: `cnv_${i}`,
            cause: 'token_missing_private_scope',
            detail: `run ${i}`,
          });
        }
        const all = await store.listActivity();
        expect(all.map((e) => e.target)).toEqual(['cnv_5', 'cnv_4', 'cnv_3', 'cnv_2', 'cnv_1', 'cnv_0']);
        expect(all[0]).toEqual({
          id: expect.any(Number),
          at: new Date(T0 + 5000),
          actor: 'U1',
          teamId: 'T1',
          channelId: 'C1',
          tenant: 'beta',
          action: 'diagnose',
          target: 'cnv_5',
          cause: 'token_missing_private_scope',
          detail: 'run 5',
        });
        expect((await store.listActivity({ tenant: 'acme' })).map((e) => e.target)).toEqual([
          'cnv_4',
          'cnv_2',
          'cnv_0',
        ]);
        expect((await store.listActivity({ since: new Date(T0 + 3000) })).map((e) => e.target)).toEqual([
          'cnv_5',
          'cnv_4',
          'cnv_3',
        ]);
        expect(
          (await store.listActivity({ tenant: 'beta', since: new Date(T0 + 2000), limit: 1 })).map((e) => e.target),
        ).toEqual(['cnv_5']);
      });

      it('keeps insertion order among entries with the same time, and leaves absent fields null', async () => {
        await store.recordActivity({ at: new Date(T0), actor: 'cli', action: 'tenant.add', tenant: 'acme' });
        await store.recordActivity({ at: new Date(T0), actor: 'cli', action: 'key.rotate' });
        const [newest, oldest] = await store.listActivity();
        expect(newest).toMatchObject({
          action: 'key.rotate',
          tenant: null,
          teamId: null,
          channelId: null,
          detail: null,
        });
        expect(oldest).toMatchObject({ action: 'tenant.add', tenant: 'acme' });
      });

      it('never stores a token, even when a caller puts one in the text', async () => {
        const token = fakeToken();
        await store.recordActivity({
          at: new Date(T0),
          actor: 'U1',
          action: 'diagnose',
          target: `Authorization: Bearer ${token}`,
          detail: `pasted curl -H "Authorization: Bearer ${token}" and ${token}`,
        });
        await store.recordActivity({
          at: new Date(T0),
          actor: 'U1',
          action: 'diagnose',
          detail: 'Basic dXNlcjpwYXNzd29yZA==',
        });
        const [basic, entry] = await store.listActivity();
        expect(JSON.stringify(entry)).not.toContain(token.split('.')[2]);
        expect(entry?.detail).toBe('pasted curl -H "Authorization: Bearer [redacted]" and [redacted token]');
        expect(basic?.detail).toBe('Basic [redacted]');
        expectAbsent(await h.rawDump(), [token]);
      });

      it('rejects a malformed action or a missing actor', async () => {
        await expectStoreError(
          store.recordActivity({ at: new Date(T0), actor: 'U1', action: 'Drop Table' }),
          'invalid_input',
        );
        await expectStoreError(store.recordActivity({ at: new Date(T0), actor: '', action: 'audit' }), 'invalid_input');
        await expectStoreError(store.listActivity({ limit: 0 }), 'invalid_input');
      });
    });

    describe('activity paging and bound channels', () => {
      let store: Store;
      beforeEach(async () => {
        store = await h.open(ring1);
      });

      it('pages newest first past the limit and filters by action', async () => {
        for (let i = 0; i < 5; i += 1) {
          await store.recordActivity({
            at: new Date(T0 + Math.floor(i / 2) * 1000),
            actor: 'U1',
            action: i === 2 ? 'watch.start' : 'diagnose',
            target: `cnv_${i}`,
          });
        }
        const first = await store.listActivity({ limit: 2 });
        expect(first.map((e) => e.target)).toEqual(['cnv_4', 'cnv_3']);
        const last = first[1]!;
        const second = await store.listActivity({ limit: 2, before: { at: last.at, id: last.id } });
        expect(second.map((e) => e.target)).toEqual(['cnv_2', 'cnv_1']);
        const tail = second[1]!;
        expect((await store.listActivity({ before: { at: tail.at, id: tail.id } })).map((e) => e.target)).toEqual([
          'cnv_0',
        ]);
        expect((await store.listActivity({ actions: ['watch.start'] })).map((e) => e.target)).toEqual(['cnv_2']);
        expect(await store.listActivity({ actions: [] })).toEqual([]);
      });

      it('lists bound channels, all or one tenant’s', async () => {
        await store.addTenant({ name: 'acme', token: fakeToken() });
        await store.addTenant({ name: 'beta', token: fakeToken() });
        await store.bindChannel({ teamId: 'T1', channelId: 'C2', tenant: 'beta', boundBy: 'U1' });
        await store.bindChannel({ teamId: 'T1', channelId: 'C1', tenant: 'acme', boundBy: 'U1' });
        await store.bindChannel({ teamId: 'T1', channelId: 'C3', tenant: 'acme', boundBy: 'U1' });
        expect((await store.listChannelBindings()).map((b) => `${b.tenant}:${b.channelId}`)).toEqual([
          'acme:C1',
          'acme:C3',
          'beta:C2',
        ]);
        expect((await store.listChannelBindings({ tenant: 'beta' })).map((b) => b.channelId)).toEqual(['C2']);
        await store.removeTenant('acme');
        expect((await store.listChannelBindings()).map((b) => b.channelId)).toEqual(['C2']);
        await expectStoreError(store.listChannelBindings({ tenant: 'Not A Name' }), 'invalid_input');
      });
    });

    describe('audit schedules and results', () => {
      let store: Store;
      let c: ReturnType<typeof manualClock>;
      const HOUR = 3_600_000;
      beforeEach(async () => {
        c = manualClock();
        store = await h.open(ring1, { clock: c.clock });
        await store.addTenant({ name: 'acme', token: fakeToken() });
        await store.addTenant({ name: 'beta', token: fakeToken() });
      });

      it('ends with its tenant: a name removed and added back starts with no schedule and no last result', async () => {
        await store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: 'U1', nextRunAt: c.at(0) });
        await store.saveAuditResult({
          tenant: 'acme',
          ranAt: c.at(0),
          tokenWorks: true,
          tokenError: null,
          preferenceOff: [{ id: 'tea_b', name: 'Bruno Keller' }],
          checked: 1,
          total: 1,
          complete: true,
        });
        const claim = (await store.claimDueAudit('r1', HOUR))!;
        await store.removeTenant('acme');
        await store.addTenant({ name: 'acme', token: fakeToken() });
        expect(await store.getAuditSchedule('acme')).toBeNull();
        expect(await store.getAuditResult('acme')).toBeNull();
        expect(await store.finishAudit(claim, c.at(HOUR))).toBe(false);
        expect(await store.claimDueAudit('r2', HOUR)).toBeNull();
      });

      it('keeps a schedule per tenant and replaces it', async () => {
        const set = await store.setAuditSchedule({
          tenant: 'acme',
          cadence: 'daily',
          setBy: 'U1',
          nextRunAt: c.at(HOUR),
        });
        expect(set).toEqual({
          tenant: 'acme',
          cadence: 'daily',
          setBy: 'U1',
          setAt: c.at(0),
          nextRunAt: c.at(HOUR),
          leaseHolder: null,
          leaseUntil: null,
        });
        expect(await store.getAuditSchedule('acme')).toEqual(set);
        c.advance(1000);
        const off = await store.setAuditSchedule({ tenant: 'acme', cadence: 'off', setBy: 'U2', nextRunAt: c.at(5) });
        expect(off).toMatchObject({ cadence: 'off', setBy: 'U2', setAt: c.at(1000), nextRunAt: null });
        expect(await store.getAuditSchedule('beta')).toBeNull();
        await store.setAuditSchedule({ tenant: 'beta', cadence: 'weekly', setBy: 'U1', nextRunAt: c.at(HOUR) });
        expect((await store.listAuditSchedules()).map((s) => `${s.tenant}:${s.cadence}`)).toEqual([
          'acme:off',
          'beta:weekly',
        ]);
        await expectStoreError(
          store.setAuditSchedule({ tenant: 'nobody', cadence: 'daily', setBy: 'U1', nextRunAt: c.at(0) }),
          'tenant_not_found',
        );
        await expectStoreError(
          store.setAuditSchedule({ tenant: 'acme', cadence: 'hourly' as 'daily', setBy: 'U1', nextRunAt: c.at(0) }),
          'invalid_input',
          /daily, weekly, off/,
        );
        await store.removeTenant('beta');
        expect(await store.getAuditSchedule('beta')).toBeNull();
      });

      it('leases a due audit to one holder until the lease runs out, then to another', async () => {
        await store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: 'U1', nextRunAt: c.at(HOUR) });
        await store.setAuditSchedule({ tenant: 'beta', cadence: 'off', setBy: 'U1', nextRunAt: null });
        expect(await store.claimDueAudit('r1', 60_000)).toBeNull();
        c.advance(HOUR);
        const claim = await store.claimDueAudit('r1', 60_000);
        expect(claim).toMatchObject({ tenant: 'acme', leaseHolder: 'r1', leaseUntil: c.at(HOUR + 60_000) });
        expect(await store.claimDueAudit('r2', 60_000)).toBeNull();
        c.advance(60_000);
        // r1 crashed: its lease ran out, so r2 takes the audit over and r1 can no longer finish it.
        const takeover = await store.claimDueAudit('r2', 60_000);
        expect(takeover).toMatchObject({ tenant: 'acme', leaseHolder: 'r2' });
        expect(await store.finishAudit(claim!, c.at(2 * HOUR))).toBe(false);
        expect(await store.finishAudit(takeover!, c.at(25 * HOUR))).toBe(true);
        expect(await store.getAuditSchedule('acme')).toMatchObject({
          nextRunAt: c.at(25 * HOUR),
          leaseHolder: null,
          leaseUntil: null,
        });
        expect(await store.claimDueAudit('r1', 60_000)).toBeNull();
      });

      it('keeps a schedule changed during a run: its next run stands', async () => {
        await store.setAuditSchedule({ tenant: 'acme', cadence: 'weekly', setBy: 'U1', nextRunAt: c.at(0) });
        const claim = await store.claimDueAudit('r1', 60_000);
        c.advance(1000);
        await store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: 'U2', nextRunAt: c.at(HOUR) });
        expect(await store.claimDueAudit('r2', 60_000)).toBeNull();
        expect(await store.finishAudit(claim!, c.at(168 * HOUR))).toBe(true);
        expect(await store.getAuditSchedule('acme')).toMatchObject({ cadence: 'daily', nextRunAt: c.at(HOUR) });
      });

      it('gives a due audit to exactly one of many simultaneous claims', async () => {
        await store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: 'U1', nextRunAt: c.at(0) });
        const other = await h.open(ring1, { clock: c.clock });
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).claimDueAudit(`r${i}`, 60_000)),
        );
        expect(claims.filter((x) => x !== null)).toHaveLength(1);
      });

      it('keeps the last result of each tenant across a restart, teammates and all', async () => {
        expect(await store.getAuditResult('acme')).toBeNull();
        const result = {
          tenant: 'acme',
          ranAt: c.at(0),
          tokenWorks: true,
          tokenError: null,
          preferenceOff: [{ id: 'tea_1', name: 'Bo Kim <bo@acme.example>' }],
          checked: 4,
          total: 5,
          complete: false,
        };
        await store.saveAuditResult(result);
        expect(await store.getAuditResult('acme')).toEqual(result);
        const refused = { ...result, ranAt: c.at(1000), tokenWorks: false, tokenError: 'refused', preferenceOff: [] };
        await store.saveAuditResult(refused);
        await store.saveAuditResult({ ...result, tenant: 'beta', tokenWorks: null, tokenError: 'unreachable' });
        await store.close();
        const again = await h.open(ring1);
        expect(await again.getAuditResult('acme')).toEqual(refused);
        expect(await again.getAuditResult('beta')).toMatchObject({ tokenWorks: null, tokenError: 'unreachable' });
        await expectStoreError(again.saveAuditResult({ ...result, tenant: 'nobody' }), 'tenant_not_found');
        await expectStoreError(again.saveAuditResult({ ...result, checked: -1 }), 'invalid_input');
        await again.removeTenant('acme');
        expect(await again.getAuditResult('acme')).toBeNull();
      });
    });

    describe('event claims', () => {
      it('grants a key once until it expires, then again', async () => {
        const c = manualClock();
        const store = await h.open(ring1, { clock: c.clock });
        expect(await store.claimEvent('Ev1', 60)).toBe(true);
        expect(await store.claimEvent('Ev1', 60)).toBe(false);
        expect(await store.claimEvent('Ev2', 60)).toBe(true);
        c.advance(59_999);
        expect(await store.claimEvent('Ev1', 60)).toBe(false);
        c.advance(1);
        expect(await store.claimEvent('Ev1', 60)).toBe(true);
        expect(await store.claimEvent('Ev1', 60)).toBe(false);
      });

      it('purges expired keys lazily', async () => {
        const c = manualClock();
        const store = await h.open(ring1, { clock: c.clock });
        for (let i = 0; i < 5; i += 1) await store.claimEvent(`old-${i}`, 10);
        expect(await h.count('event_claims')).toBe(5);
        c.advance(120_000);
        await store.claimEvent('new', 10);
        expect(await h.count('event_claims')).toBe(1);
      });

      it('gives exactly one of 50 simultaneous claims of one key', async () => {
        const store = await h.open(ring1);
        const results = await Promise.all(Array.from({ length: 50 }, () => store.claimEvent('Ev-race', 3600)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('gives exactly one claim across two store instances', async () => {
        const a = await h.open(ring1);
        const b = await h.open(ring1);
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).claimEvent('Ev-shared', 3600)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('remembers Slack request signatures for their window, then forgets them (no unbounded growth)', async () => {
        const c = manualClock();
        const store = await h.open(ring1, { clock: c.clock });
        const signature = (i: number) => `request:v0=${i.toString(16).padStart(64, 'a')}`;
        for (let i = 0; i < 100; i += 1) expect(await store.claimEvent(signature(i), 660)).toBe(true);
        // A replay within the window, on this instance or another sharing the database.
        expect(await store.claimEvent(signature(7), 660)).toBe(false);
        expect(await (await h.open(ring1, { clock: c.clock })).claimEvent(signature(8), 660)).toBe(false);
        expect(await h.count('event_claims')).toBe(100);
        c.advance(661_000);
        expect(await store.claimEvent(signature(100), 660)).toBe(true);
        expect(await h.count('event_claims')).toBe(1);
      });

      it('rejects an empty key or a non-positive ttl', async () => {
        const store = await h.open(ring1);
        await expectStoreError(store.claimEvent('', 60), 'invalid_input');
        await expectStoreError(store.claimEvent('Ev', 0), 'invalid_input');
      });
    });

    describe('watches', () => {
      let store: Store;
      const MIN = 60_000;
      const newWatch = (over: Partial<Parameters<Store['startWatch']>[0]> = {}) => ({
        tenant: 'acme',
        teamId: 'T1',
        channelId: 'C1',
        threadTs: '1710000000.000100',
        target: 'cnv_yo1kg5q',
        label: 'cnv_yo1kg5q',
        cause: 'teammate_api_access_disabled',
        owner: 'Bo Kim <bo@acme.example>',
        startedBy: 'U1',
        startedAt: new Date(T0),
        nextCheckAt: new Date(T0 + MIN),
        expiresAt: new Date(T0 + 7 * 24 * 60 * MIN),
        ...over,
      });
      beforeEach(async () => {
        store = await h.open(ring1);
        await store.addTenant({ name: 'acme', token: fakeToken() });
      });

      it('holds the id of the tenant it started with, so a name added back is not that tenant', async () => {
        const acme = (await store.getTenant('acme'))!;
        const { watch } = await store.startWatch(newWatch());
        expect(watch.tenantId).toBe(acme.id);
        await store.removeTenant('acme');
        const again = await store.addTenant({ name: 'acme', token: fakeToken() });
        expect((await store.getWatch(watch.id))?.tenantId).toBe(acme.id);
        expect(acme.id).not.toBe(again.id);
        await expectStoreError(store.startWatch(newWatch({ tenant: 'nobody' })), 'tenant_not_found');
        const onDefault = await store.startWatch(newWatch({ tenant: 'default', defaultToken: true, channelId: 'C9' }));
        expect(onDefault.watch.tenantId).toBe(DEFAULT_TOKEN_TENANT_ID);
      });

      it('starts a watch once per thread and target, and lists the active ones of a channel', async () => {
        const first = await store.startWatch(newWatch());
        expect(first.created).toBe(true);
        expect(first.watch).toMatchObject({
          state: 'active',
          attempts: 0,
          cause: 'teammate_api_access_disabled',
          lastCause: 'teammate_api_access_disabled',
          owner: 'Bo Kim <bo@acme.example>',
          nextCheckAt: new Date(T0 + MIN),
          leaseHolder: null,
        });
        expect(first.watch.id).toMatch(/^w[0-9a-f]{16}$/);
        const again = await store.startWatch(newWatch({ startedBy: 'U2' }));
        expect(again).toEqual({ watch: first.watch, created: false });
        await store.startWatch(newWatch({ channelId: 'C2' }));
        expect((await store.listWatches({ teamId: 'T1', channelId: 'C1' })).map((w) => w.id)).toEqual([first.watch.id]);
        expect(await store.countActiveWatches()).toBe(2);
        await store.endWatch(first.watch.id, { state: 'stopped', at: new Date(T0 + 1), by: 'U1' });
        expect(await store.countActiveWatches()).toBe(1);
        expect(await store.listWatches({ teamId: 'T1', channelId: 'C1' })).toEqual([]);
        expect(await store.listWatches({ channelId: 'C1', state: 'any' })).toHaveLength(1);
        // Ended, the same thread and target may be watched again.
        expect((await store.startWatch(newWatch())).created).toBe(true);
      });

      it('never stores a token a pasted target holds', async () => {
        const token = fakeToken();
        const { watch } = await store.startWatch(
          newWatch({ target: `curl -H "Authorization: Bearer ${token}" cnv_yo1kg5q` }),
        );
        expect(watch.target).toContain('cnv_yo1kg5q');
        expect(JSON.stringify(await store.getWatch(watch.id))).not.toContain(token.split('.')[2]);
        expectAbsent(await h.rawDump(), [token]);
      });

      it('rejects a malformed watch with a clear message', async () => {
        await expectStoreError(store.startWatch(newWatch({ threadTs: 'yesterday' })), 'invalid_input', /threadTs/);
        await expectStoreError(store.startWatch(newWatch({ target: ' ' })), 'invalid_input', /target/);
        await expectStoreError(
          store.startWatch(newWatch({ expiresAt: new Date(T0) })),
          'invalid_input',
          /expire after it starts/,
        );
        await expectStoreError(store.getWatch('42'), 'invalid_input', /watch id/);
      });

      it('leases each due watch to one holder until the lease runs out, then to another', async () => {
        const { watch } = await store.startWatch(newWatch());
        const early = await store.claimDueWatches({ holder: 'a', now: new Date(T0 + 1000), leaseMs: MIN, limit: 10 });
        expect(early).toEqual([]);
        const a = await store.claimDueWatches({ holder: 'a', now: new Date(T0 + MIN), leaseMs: MIN, limit: 10 });
        expect(a.map((w) => [w.id, w.leaseHolder])).toEqual([[watch.id, 'a']]);
        expect(
          await store.claimDueWatches({ holder: 'b', now: new Date(T0 + MIN + 1), leaseMs: MIN, limit: 10 }),
        ).toEqual([]);
        // a crashed: its lease runs out and b takes the watch over.
        const b = await store.claimDueWatches({ holder: 'b', now: new Date(T0 + 2 * MIN), leaseMs: MIN, limit: 10 });
        expect(b.map((w) => w.leaseHolder)).toEqual(['b']);
        // a's late report counts for nothing; b's does.
        const update = {
          checkedAt: new Date(T0 + 2 * MIN),
          nextCheckAt: new Date(T0 + 4 * MIN),
          cause: 'x',
          result: 'r',
        };
        expect(await store.recordWatchCheck(watch.id, 'a', update)).toBeUndefined();
        expect(await store.recordWatchCheck(watch.id, 'b', update)).toEqual({
          previousCause: 'teammate_api_access_disabled',
        });
        expect(await store.getWatch(watch.id)).toMatchObject({
          attempts: 1,
          lastCause: 'x',
          lastResult: 'r',
          nextCheckAt: new Date(T0 + 4 * MIN),
          leaseHolder: null,
          leaseUntil: null,
        });
      });

      it('keeps the last cause when a re-check could not tell, and postpones without counting an attempt', async () => {
        const { watch } = await store.startWatch(newWatch());
        await store.claimDueWatches({ holder: 'a', now: new Date(T0 + MIN), leaseMs: MIN, limit: 1 });
        expect(await store.postponeWatch(watch.id, 'b', new Date(T0 + 3 * MIN))).toBe(false);
        expect(await store.postponeWatch(watch.id, 'a', new Date(T0 + 3 * MIN))).toBe(true);
        expect(await store.getWatch(watch.id)).toMatchObject({ attempts: 0, nextCheckAt: new Date(T0 + 3 * MIN) });
        await store.claimDueWatches({ holder: 'a', now: new Date(T0 + 3 * MIN), leaseMs: MIN, limit: 1 });
        const at = new Date(T0 + 3 * MIN);
        expect(
          await store.recordWatchCheck(watch.id, 'a', { checkedAt: at, nextCheckAt: at, result: 'timed out' }),
        ).toEqual({
          previousCause: 'teammate_api_access_disabled',
        });
        expect(await store.getWatch(watch.id)).toMatchObject({
          attempts: 1,
          lastCause: 'teammate_api_access_disabled',
          lastResult: 'timed out',
        });
      });

      it('claims an expired watch even before its next check, and claims no ended one', async () => {
        const { watch } = await store.startWatch(
          newWatch({ nextCheckAt: new Date(T0 + 10 * MIN), expiresAt: new Date(T0 + 5 * MIN) }),
        );
        const claimed = await store.claimDueWatches({
          holder: 'a',
          now: new Date(T0 + 5 * MIN),
          leaseMs: MIN,
          limit: 1,
        });
        expect(claimed.map((w) => w.id)).toEqual([watch.id]);
        await store.endWatch(watch.id, { state: 'expired', at: new Date(T0 + 5 * MIN) });
        expect(
          await store.claimDueWatches({ holder: 'a', now: new Date(T0 + 60 * MIN), leaseMs: MIN, limit: 1 }),
        ).toEqual([]);
      });

      it('ends a watch for exactly one of many simultaneous callers', async () => {
        const { watch } = await store.startWatch(newWatch());
        const other = await h.open(ring1);
        const ends = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? other : store).endWatch(watch.id, { state: i % 3 ? 'fixed' : 'stopped', at: new Date(T0 + i) }),
          ),
        );
        expect(ends.filter((e) => e !== null)).toHaveLength(1);
        expect((await store.getWatch(watch.id))?.state).not.toBe('active');
      });

      it('gives each due watch to one of two stores claiming at the same moment', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 12; i += 1) {
          ids.push(
            (await store.startWatch(newWatch({ threadTs: `1710000000.${String(i).padStart(6, '0')}` }))).watch.id,
          );
        }
        const other = await h.open(ring1);
        const now = new Date(T0 + MIN);
        const rounds = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 ? other : store).claimDueWatches({ holder: `h${i % 2}`, now, leaseMs: MIN, limit: 3 }),
          ),
        );
        const claimed = rounds.flat().map((w) => w.id);
        expect(new Set(claimed).size).toBe(claimed.length);
        expect(claimed.sort()).toEqual([...ids].sort());
      });
    });

    describe('teammate preference map', () => {
      const bruno = { id: 'tea_6r55b', name: 'Bruno Keller <bruno@acme.example>', apiAccess: false };
      const ada = { id: 'tea_6r55a', name: 'Ada Moreno <ada@acme.example>', apiAccess: true };
      const chloe = { id: 'tea_6r55c', name: 'Chloé Martin <chloe@acme.example>', apiAccess: true };

      it('keeps each teammate as last seen, and when the whole company was last checked in one go', async () => {
        const store = await h.open(ring1);
        const { id } = await store.addTenant({ name: 'acme', token: fakeToken() });
        expect(await store.getTeammateMap(id)).toBeNull();

        const audited = { tenantId: id, seenBy: 'audit' as const, at: new Date(T0), complete: true };
        expect(await store.recordTeammatePreferences({ ...audited, teammates: [ada, bruno, chloe] })).toBe(true);
        // A diagnosis later finds Bruno's preference on: only his entry moves.
        await store.recordTeammatePreferences({
          tenantId: id,
          seenBy: 'diagnosis',
          at: new Date(T0 + 60_000),
          complete: false,
          teammates: [{ ...bruno, apiAccess: true }],
        });
        // A finding older than what is known (a slow replica) changes nothing.
        await store.recordTeammatePreferences({
          tenantId: id,
          seenBy: 'watch',
          at: new Date(T0 + 30_000),
          complete: false,
          teammates: [bruno],
        });

        const map = await store.getTeammateMap(id);
        expect(map?.sweep).toEqual({ completeAt: new Date(T0), seenBy: 'audit', total: 3 });
        expect(map?.teammates).toEqual([
          { teammateId: 'tea_6r55a', name: ada.name, apiAccess: true, seenAt: new Date(T0), seenBy: 'audit' },
          {
            teammateId: 'tea_6r55b',
            name: bruno.name,
            apiAccess: true,
            seenAt: new Date(T0 + 60_000),
            seenBy: 'diagnosis',
          },
          { teammateId: 'tea_6r55c', name: chloe.name, apiAccess: true, seenAt: new Date(T0), seenBy: 'audit' },
        ]);

        // The next complete sweep is the company as it is: Chloé has left.
        await store.recordTeammatePreferences({ ...audited, at: new Date(T0 + 90_000), teammates: [ada, bruno] });
        const after = await store.getTeammateMap(id);
        expect(after?.sweep?.total).toBe(2);
        expect(after?.teammates.map((t) => [t.teammateId, t.apiAccess])).toEqual([
          ['tea_6r55a', true],
          ['tea_6r55b', false],
        ]);
      });

      it('drops the map with its tenant: the name added back starts empty, and a late write is refused', async () => {
        const store = await h.open(ring1);
        const first = await store.addTenant({ name: 'acme', token: fakeToken() });
        const write = (tenantId: string) =>
          store.recordTeammatePreferences({
            tenantId,
            seenBy: 'sweep',
            at: new Date(T0),
            complete: true,
            teammates: [bruno],
          });
        expect(await write(first.id)).toBe(true);
        expect(await store.removeTenant('acme')).toBe(true);
        expect(await store.getTeammateMap(first.id)).toBeNull();
        expect(await write(first.id)).toBe(false);

        const again = await store.addTenant({ name: 'acme', token: fakeToken() });
        expect(await store.getTeammateMap(again.id)).toBeNull();
      });

      it('refuses a malformed update with the field it is about', async () => {
        const store = await h.open(ring1);
        const { id } = await store.addTenant({ name: 'acme', token: fakeToken() });
        await expectStoreError(
          store.recordTeammatePreferences({
            tenantId: id,
            seenBy: 'audit',
            at: new Date(T0),
            complete: true,
            teammates: [{ ...bruno, id: "tea_1'; DROP TABLE tenants" }],
          }),
          'invalid_input',
          /teammate id/,
        );
        await expectStoreError(store.getTeammateMap('acme'), 'invalid_input', /tenant id/);
      });
    });

    describe('owner sweeps', () => {
      const thread = { teamId: 'T0TEAM', channelId: 'C0SUPPORT', threadTs: '1710000000.000100', target: 'cnv_9b0c001' };
      const claim = (store: Store, holder: string, at: number) =>
        store.claimOwnerSweep({ holder, now: new Date(at), leaseMs: 60_000 });

      it('one per thread and target, leased to one holder at a time, its progress kept until the holder ends it', async () => {
        const store = await h.open(ring1);
        const { id } = await store.addTenant({ name: 'initech', token: fakeToken() });
        const sweep = { tenant: 'initech', tenantId: id, ...thread, at: new Date(T0), progress: '{"next":0}' };
        expect(await store.startOwnerSweep(sweep)).toBe(true);
        // "Check again" in the same thread starts none.
        expect(await store.startOwnerSweep({ ...sweep, at: new Date(T0 + 1_000) })).toBe(false);

        const taken = await claim(store, 'a', T0);
        expect(taken).toMatchObject({ tenant: 'initech', tenantId: id, ...thread, progress: '{"next":0}' });
        // Leased: the other replica finds nothing until the lease runs out.
        expect(await claim(store, 'b', T0 + 1_000)).toBeNull();
        expect(await store.saveOwnerSweep(taken!.id, 'b', { progress: '{}', nextRunAt: new Date(T0) })).toBe(false);
        expect(
          await store.saveOwnerSweep(taken!.id, 'a', { progress: '{"next":12}', nextRunAt: new Date(T0 + 120_000) }),
        ).toBe(true);
        // Saved and released, it waits for its next run.
        expect(await claim(store, 'b', T0 + 60_000)).toBeNull();
        const again = await claim(store, 'b', T0 + 120_000);
        expect(again?.progress).toBe('{"next":12}');
        // A lease run out (a crashed replica) is taken over; the old holder can no longer write or end it.
        const takenOver = await claim(store, 'a', T0 + 180_001);
        expect(takenOver?.id).toBe(again?.id);
        expect(await store.finishOwnerSweep(again!.id, 'b')).toBe(false);
        expect(await store.finishOwnerSweep(again!.id, 'a')).toBe(true);
        expect(await store.finishOwnerSweep(again!.id, 'a')).toBe(false);
        expect(await claim(store, 'a', T0 + 10 * 60_000)).toBeNull();
      });

      it('ends with its tenant', async () => {
        const store = await h.open(ring1);
        const { id } = await store.addTenant({ name: 'initech', token: fakeToken() });
        const sweep = { tenant: 'initech', tenantId: id, ...thread, at: new Date(T0), progress: '{}' };
        expect(await store.startOwnerSweep(sweep)).toBe(true);
        expect(await store.removeTenant('initech')).toBe(true);
        expect(await claim(store, 'a', T0 + 60_000)).toBeNull();
        expect(await store.startOwnerSweep(sweep)).toBe(false);
      });

      it('refuses a malformed sweep with the field it is about', async () => {
        const store = await h.open(ring1);
        const { id } = await store.addTenant({ name: 'initech', token: fakeToken() });
        await expectStoreError(
          store.startOwnerSweep({
            tenant: 'initech',
            tenantId: id,
            ...thread,
            target: "cnv_1'--",
            at: new Date(T0),
            progress: '{}',
          }),
          'invalid_input',
          /target/,
        );
        await expectStoreError(store.finishOwnerSweep('w1', 'a'), 'invalid_input', /owner sweep id/);
      });
    });

    describe('unknown wordings', () => {
      const sighting = (id: string, at: number, tenant: string | null = 'acme') => ({
        id,
        template: `403 Forbidden: The <n> teammates of <id> cannot ${id}`,
        status: 403,
        tenant,
        at: new Date(at),
      });

      it('counts sightings per wording with first and last seen and its tenants, most frequent first', async () => {
        const store = await h.open(ring1);
        const first = await store.recordUnknownWording(sighting('u000000000001', T0 + 5000, 'beta'));
        expect(first.created).toBe(true);
        expect(first.wording).toMatchObject({ count: 1, status: 403, tenants: ['beta'] });
        expect((await store.recordUnknownWording(sighting('u000000000001', T0 + 9000))).created).toBe(false);
        // An older sighting arriving late moves neither time backwards; one without a tenant adds none.
        await store.recordUnknownWording(sighting('u000000000001', T0 + 1000, null));
        await store.recordUnknownWording(sighting('u000000000002', T0 + 20_000));

        const listed = await store.listUnknownWordings();
        expect(listed.map((w) => [w.id, w.count, w.tenants])).toEqual([
          ['u000000000001', 3, ['acme', 'beta']],
          ['u000000000002', 1, ['acme']],
        ]);
        expect(listed[0]).toMatchObject({ firstSeen: new Date(T0 + 5000), lastSeen: new Date(T0 + 9000) });
        expect(listed[0]?.template).toBe('403 Forbidden: The <n> teammates of <id> cannot u000000000001');
        expect((await store.listUnknownWordings({ since: new Date(T0 + 10_000) })).map((w) => w.id)).toEqual([
          'u000000000002',
        ]);
        expect(await store.countNewUnknownWordings(new Date(T0 + 6000))).toBe(1);
        expect((await store.getUnknownWording('u000000000002'))?.count).toBe(1);
        expect(await store.getUnknownWording('u0000000000ff')).toBeNull();
        await expectStoreError(store.getUnknownWording('cnv_1'), 'invalid_input', /unknown wording id/);
      });

      it('never keeps a token or an email address in a template', async () => {
        const store = await h.open(ring1);
        const token = fakeToken();
        const { wording } = await store.recordUnknownWording({
          ...sighting('u000000000003', T0),
          template: `401 Unauthenticated: token ${token} was refused`,
        });
        expect(wording.template).not.toContain(token);
        await expectStoreError(
          store.recordUnknownWording({ ...sighting('u000000000004', T0), template: 'no access for bo@acme.example' }),
          'invalid_input',
          /email/,
        );
        expect(await h.count('unknown_wordings')).toBe(1);
        await store.close();
        expectAbsent(await h.rawDump(), [token]);
      });

      it('counts every sighting once when several processes record the same wording at once', async () => {
        const stores = await Promise.all([h.open(ring1), h.open(ring1), h.open(ring1)]);
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            stores[i % 3]!.recordUnknownWording(sighting('u000000000005', T0 + i, `t${i % 4}`)),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const [wording] = await stores[0]!.listUnknownWordings();
        expect(wording).toMatchObject({ count: 30, tenants: ['t0', 't1', 't2', 't3'] });
      });

      it('opens without a keyring for these tables, on the same database the full store uses', async () => {
        const keyless = await openKeylessStore(h.location);
        try {
          await keyless.recordUnknownWording(sighting('u000000000006', T0));
        } finally {
          await keyless.close();
        }
        expect(await h.migrationVersions()).toEqual(KNOWN_VERSIONS);
        const store = await h.open(ring1);
        expect((await store.getUnknownWording('u000000000006'))?.tenants).toEqual(['acme']);
      });
    });

    describe('diagnosis API', () => {
      let store: Store;
      let c: ReturnType<typeof manualClock>;
      const hash = (n: number) => n.toString(16).padStart(64, '0');
      beforeEach(async () => {
        c = manualClock();
        store = await h.open(ring1, { clock: c.clock });
      });

      it('keeps keys by hash, finds them by it, refuses a second key of a name and revokes once', async () => {
        const created = await store.createApiKey({
          name: 'billing-sync',
          keyHash: hash(1),
          tenants: ['globex', 'acme', 'acme'],
          notifyChannel: 'C0ALERTS',
          perMinute: 60,
          createdBy: 'cli:ops',
          createdAt: c.at(0),
        });
        expect(created).toEqual({
          id: expect.stringMatching(/^k[0-9a-f]{16}$/),
          name: 'billing-sync',
          tenants: ['acme', 'globex'],
          notifyChannel: 'C0ALERTS',
          perMinute: 60,
          createdBy: 'cli:ops',
          createdAt: c.at(0),
          revokedAt: null,
        });
        expect(await store.findApiKey(hash(1))).toEqual(created);
        expect(await store.findApiKey(hash(2))).toBeNull();
        await expectStoreError(
          store.createApiKey({ ...created, keyHash: hash(3), createdAt: c.at(0) }),
          'api_key_exists',
          /billing-sync/,
        );
        const all = await store.createApiKey({
          name: 'all-tenants',
          keyHash: hash(4),
          tenants: [],
          perMinute: 5,
          createdBy: 'cli:ops',
          createdAt: c.at(0),
        });
        expect(all).toMatchObject({ tenants: [], notifyChannel: null });
        expect((await store.listApiKeys()).map((k) => k.name)).toEqual(['all-tenants', 'billing-sync']);
        expect(await store.revokeApiKey('billing-sync', c.at(5))).toMatchObject({ revokedAt: c.at(5) });
        expect(await store.revokeApiKey('billing-sync', c.at(6))).toBeNull();
        expect(await store.findApiKey(hash(1))).toMatchObject({ revokedAt: c.at(5) });
      });

      it('runs an Idempotency-Key once, replays its answer, and tells another request or a running one apart', async () => {
        const { id: keyId } = await store.createApiKey({
          name: 'k',
          keyHash: hash(1),
          tenants: [],
          perMinute: 5,
          createdBy: 'cli:ops',
          createdAt: c.at(0),
        });
        const claim = { keyId, idempotencyKey: 'retry-1', requestHash: hash(7), now: c.at(0), keepMs: 60_000 };
        expect(await store.claimIdempotency(claim)).toEqual({ kind: 'new' });
        expect(await store.claimIdempotency(claim)).toEqual({ kind: 'running' });
        expect(await store.claimIdempotency({ ...claim, requestHash: hash(8) })).toEqual({ kind: 'other-request' });
        await store.finishIdempotency(keyId, 'retry-1', '{"fingerprint":"f1"}');
        expect(await store.claimIdempotency(claim)).toEqual({ kind: 'answered', answer: '{"fingerprint":"f1"}' });
        // Past its time the key runs afresh.
        expect(await store.claimIdempotency({ ...claim, now: c.at(60_000) })).toEqual({ kind: 'new' });
        await store.finishIdempotency(keyId, 'retry-1', null);
        expect(await store.claimIdempotency({ ...claim, now: c.at(60_001) })).toEqual({ kind: 'new' });
      });

      it('counts one fingerprint a day in a channel, with one holder of its thread at a time', async () => {
        const key = { channelId: 'C0ALERTS', fingerprint: 'f0123456789abcdef', day: '2025-03-01' };
        const sighting = (holder: string, ms: number) => ({ ...key, at: c.at(ms), holder, leaseMs: 30_000 });
        expect(await store.countAlert(sighting('a', 0))).toEqual({
          count: 1,
          ts: null,
          firstSeen: c.at(0),
          lastSeen: c.at(0),
          leaseHolder: 'a',
        });
        expect(await store.countAlert(sighting('b', 10))).toMatchObject({
          count: 2,
          leaseHolder: 'a',
          lastSeen: c.at(10),
        });
        expect(await store.setAlertThread(key, 'b', '1.2')).toBe(false);
        expect(await store.setAlertThread(key, 'a', '1.2')).toBe(true);
        // Shown 1, but 2 happened: a keeps the lease and is told what to show.
        expect(await store.releaseAlert(key, 'a', 1)).toMatchObject({ count: 2, ts: '1.2', leaseHolder: 'a' });
        expect(await store.releaseAlert(key, 'a', 2)).toBeNull();
        expect(await store.countAlert(sighting('b', 20))).toMatchObject({ count: 3, leaseHolder: 'b', ts: '1.2' });
        // A holder that never came back loses the lease once it runs out.
        expect(await store.countAlert(sighting('c', 20 + 30_000))).toMatchObject({ count: 4, leaseHolder: 'c' });
        expect(await store.releaseAlert(key, 'b', 3)).toBeNull();
        expect(await store.countAlert({ ...sighting('d', 40_000), day: '2025-03-02' })).toMatchObject({ count: 1 });
      });
    });

    describe('persistence and encryption', () => {
      it('keeps every tenant, binding, setting, audit entry and claim across a restart', async () => {
        const tokens = new Map(Array.from({ length: 5 }, (_, i) => [`tenant-${i}`, fakeToken()] as const));
        const first = await h.open(ring1);
        for (const [name, token] of tokens) await first.addTenant({ name, token, scopes: ['shared:*'] });
        await first.bindChannel({ teamId: 'T1', channelId: 'C1', tenant: 'tenant-3', boundBy: 'U1' });
        await first.setChannelSettings('T1', 'C1', { listen: true });
        await first.recordActivity({ at: new Date(T0), actor: 'U1', action: 'tenant.add', tenant: 'tenant-0' });
        expect(await first.claimEvent('Ev-restart', 3600)).toBe(true);
        const before = await first.listTenants();
        await first.close();

        const second = await h.open(keyring(key1));
        expect(await second.listTenants()).toEqual(before);
        for (const [name, token] of tokens) expect(await second.getTenantToken(name)).toBe(token);
        expect((await second.getChannelBinding('T1', 'C1'))?.tenant).toBe('tenant-3');
        expect(await second.getChannelSettings('T1', 'C1')).toEqual({ listen: true, allowExternal: false });
        expect(await second.listActivity()).toHaveLength(1);
        expect(await second.claimEvent('Ev-restart', 3600)).toBe(false);
      });

      it('holds no token and no key in clear, in any encoding, while open and after close', async () => {
        const tokens = Array.from({ length: 3 }, () => fakeToken());
        const store = await h.open(ring1);
        for (const [i, token] of tokens.entries())
          await store.addTenant({ name: `t${i}`, token, companyName: `Company ${i}` });
        const replaced = fakeToken();
        await store.replaceTenantToken('t0', replaced);
        expect(await store.getTenantToken('t1')).toBe(tokens[1]);
        const whileOpen = await h.rawDump();
        // Positive control: the dump does reach the tenant rows (names are not secret).
        expect(whileOpen.includes(Buffer.from('Company 2'))).toBe(true);
        expectAbsent(whileOpen, [...tokens, replaced]);
        expect(whileOpen.includes(Buffer.from(key1, 'base64'))).toBe(false);
        expect(whileOpen.includes(Buffer.from(key1))).toBe(false);
        await store.close();
        const afterClose = await h.rawDump();
        expect(afterClose.includes(Buffer.from('Company 2'))).toBe(true);
        expectAbsent(afterClose, [...tokens, replaced]);
      });

      it('refuses to open with a different key under the same id, naming the variable', async () => {
        const store = await h.open(ring1);
        await store.addTenant({ name: 'acme', token: fakeToken() });
        await store.close();
        const wrong = newKey();
        const err = await expectStoreError(
          h.open(keyring(wrong)),
          'key_mismatch',
          new RegExp(`${KEY_VARIABLE} key k1 is not the key`),
        );
        expect(err.message).not.toContain(wrong);
        expect(err.message).not.toContain(key1);
      });

      it('fails loudly, naming tenant and key, on a ciphertext copied from another tenant', async () => {
        const stolen = fakeToken();
        const store = await h.open(ring1);
        await store.addTenant({ name: 'victim', token: stolen });
        await store.addTenant({ name: 'attacker', token: fakeToken() });
        await h.copySealedToken('victim', 'attacker');
        const err = await expectStoreError(store.getTenantToken('attacker'), 'decrypt_failed');
        expect(err.message).toBe(
          'cannot decrypt the token of tenant attacker with key k1: the key is wrong or the row was tampered with',
        );
        expect(await store.getTenantToken('victim')).toBe(stolen);
      });

      it('names the missing key when a token is under a key the keyring no longer lists', async () => {
        const store = await h.open(ring1);
        await store.addTenant({ name: 'acme', token: fakeToken() });
        await store.close();
        const later = await h.open(keyring(`k2:${newKey()}`));
        await expectStoreError(
          later.getTenantToken('acme'),
          'key_unknown',
          /encrypted with key k1, which FRONT_WHY_ENCRYPTION_KEY does not list/,
        );
      });
    });

    describe('key rotation', () => {
      it('re-encrypts every token so that the new key alone decrypts them', async () => {
        const key2 = newKey();
        const tokens = new Map(Array.from({ length: 4 }, (_, i) => [`t${i}`, fakeToken()] as const));
        const old = await h.open(ring1);
        for (const [name, token] of tokens) await old.addTenant({ name, token });
        await old.close();

        const both = await h.open(keyring(`k2:${key2},k1:${key1}`));
        // Written before the rotation under the new current key: left as it is.
        const late = fakeToken();
        await both.addTenant({ name: 'late', token: late });
        expect(await both.rotateKey(keyring(`k2:${key2},k1:${key1}`))).toEqual({ keyId: 'k2', rotated: 4, total: 5 });
        expect(await both.rotateKey(keyring(`k2:${key2},k1:${key1}`))).toEqual({ keyId: 'k2', rotated: 0, total: 5 });
        await both.close();

        const onlyNew = await h.open(keyring(`k2:${key2}`));
        expect((await onlyNew.listTenants()).map((t) => t.tokenKeyId)).toEqual(['k2', 'k2', 'k2', 'k2', 'k2']);
        for (const [name, token] of tokens) expect(await onlyNew.getTenantToken(name)).toBe(token);
        expect(await onlyNew.getTenantToken('late')).toBe(late);
        expectAbsent(await h.rawDump(), [...tokens.values(), late]);
      });

      it('rotates from a store opened with the old keyring to a keyring that lists only the new key', async () => {
        const key2 = newKey();
        const token = fakeToken();
        const store = await h.open(ring1);
        await store.addTenant({ name: 'acme', token });
        expect(await store.rotateKey(keyring(`k2:${key2}`))).toEqual({ keyId: 'k2', rotated: 1, total: 1 });
        expect(await store.getTenantToken('acme')).toBe(token);
        await store.addTenant({ name: 'after', token: fakeToken() });
        expect((await store.getTenant('after'))?.tokenKeyId).toBe('k2');
        await store.close();
        const onlyNew = await h.open(keyring(`k2:${key2}`));
        expect(await onlyNew.getTenantToken('acme')).toBe(token);
      });

      it('refuses a rotation whose keyring redefines a known key id, changing nothing', async () => {
        const token = fakeToken();
        const store = await h.open(ring1);
        await store.addTenant({ name: 'acme', token });
        await expectStoreError(store.rotateKey(keyring(`k1:${newKey()}`)), 'key_mismatch');
        expect(await store.getTenantToken('acme')).toBe(token);
        expect((await store.getTenant('acme'))?.tokenKeyId).toBe('k1');
      });

      it('refuses a new key under an id the database already knows with other bytes, suggesting an unused id', async () => {
        const key2 = newKey();
        const store = await h.open(keyring(`k2:${key2},k1:${key1}`));
        await store.addTenant({ name: 'acme', token: fakeToken() });
        await store.removeTenant('acme');
        await store.close();
        // k2 was recorded by the write under it; a different k2 is caught even though no token uses it now.
        const other = await h.open(ring1);
        const err = await expectStoreError(
          other.rotateKey(keyring(`k2:${newKey()}`)),
          'key_mismatch',
          /key k2 is not the key/,
        );
        expect(err.message).toContain('(it knows key k2)');
        expect(err.message).toContain('`k3:…,k2:…`');
      });

      it('records no key id for a store that only reads: a mistyped new key leaves the right one usable', async () => {
        const key2 = newKey();
        const token = fakeToken();
        const store = await h.open(ring1);
        await store.addTenant({ name: 'acme', token });
        await store.close();
        const typo = await h.open(keyring(`k2:${newKey()},k1:${key1}`));
        expect(await typo.getTenantToken('acme')).toBe(token);
        await typo.listTenants();
        await typo.close();
        const right = await h.open(keyring(`k2:${key2},k1:${key1}`));
        expect(await right.rotateKey(keyring(`k2:${key2},k1:${key1}`))).toEqual({ keyId: 'k2', rotated: 1, total: 1 });
        await right.close();
        expect(await (await h.open(keyring(`k2:${key2}`))).getTenantToken('acme')).toBe(token);
      });
    });

    describe('migrations and concurrency', () => {
      it('survives two stores opening a fresh database at the same moment', async () => {
        const [a, b] = await Promise.all([h.open(ring1), h.open(keyring(key1))]);
        await a.addTenant({ name: 'acme', token: fakeToken() });
        expect((await b.getTenant('acme'))?.name).toBe('acme');
        expect(await h.migrationVersions()).toEqual(KNOWN_VERSIONS);
      });

      it('refuses a database migrated by a newer build', async () => {
        const store = await h.open(ring1);
        await store.close();
        await h.addMigrationRow(999);
        await expectStoreError(
          h.open(ring1),
          'schema_too_new',
          new RegExp(`schema is at version 999 .* knows versions up to ${Math.max(...KNOWN_VERSIONS)}`),
        );
      });

      it('keeps the rows of an audit_log written before it was renamed activity_log, and their ids go on', async () => {
        await h.migrateTo(1);
        const at = h.kind === 'sqlite' ? String(T0) : `'${new Date(T0).toISOString()}'`;
        await h.exec(
          `INSERT INTO audit_log (at, actor, channel_id, tenant, action, target, cause) VALUES
             (${at}, 'U1', 'C1', 'acme', 'diagnose', 'cnv_1', 'token_missing_private_scope'),
             (${at}, 'U2', NULL, 'acme', 'tenant.add', NULL, NULL)`,
        );
        const store = await h.open(ring1);
        expect(await h.migrationVersions()).toEqual(KNOWN_VERSIONS);
        expect(
          (await store.listActivity({ tenant: 'acme' })).map((e) => [e.id, e.actor, e.action, e.target, e.cause]),
        ).toEqual([
          [2, 'U2', 'tenant.add', null, null],
          [1, 'U1', 'diagnose', 'cnv_1', 'token_missing_private_scope'],
        ]);
        await store.recordActivity({ at: new Date(T0 + 1000), actor: 'U3', tenant: 'acme', action: 'audit' });
        expect((await store.listActivity({ limit: 1 }))[0]).toMatchObject({ id: 3, actor: 'U3', action: 'audit' });
        expect(await h.count('activity_log')).toBe(3);
      });

      it('loses nothing when two processes write at once', async () => {
        await expectWorkersAgree(h, 2, 200);
      }, 60_000);

      it('lets four processes migrate a fresh database at the same moment', async () => {
        await expectWorkersAgree(h, 4, 10);
      }, 60_000);
    });
  });
}
