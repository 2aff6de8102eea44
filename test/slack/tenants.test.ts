import type { TenantConnection } from '../../src/diagnosis/live';
import type { Store } from '../../src/store';
import { IDLE_CONNECTION_MS, TenantConnections } from '../../src/slack/checks/tenant-connections';

/** One Front connection per tenant for the app's lifetime, replaced (and the old one closed) when the token changes. */

function fakeConnection(token: string, closed: string[]): TenantConnection {
  return { maskedToken: token, close: async () => void closed.push(token) } as unknown as TenantConnection;
}

function setup(clock: () => number = Date.now) {
  const tokens = new Map<string, string>([
    ['acme', 'token-a1'],
    ['globex', 'token-g1'],
  ]);
  const created: string[] = [];
  const closed: string[] = [];
  const store = { getTenantToken: async (name: string) => tokens.get(name) ?? null } as unknown as Store;
  const registry = new TenantConnections(
    (token) => {
      created.push(token);
      return fakeConnection(token, closed);
    },
    store,
    'default-token',
    clock,
  );
  return { tokens, created, closed, registry };
}

test('reuses the tenant’s connection across diagnoses', async () => {
  const { registry, created } = setup();
  const first = await registry.lease({ kind: 'bound', name: 'acme' });
  const second = await registry.lease({ kind: 'bound', name: 'acme' });
  expect(first?.connection).toBe(second?.connection);
  first?.release();
  second?.release();
  expect(created).toEqual(['token-a1']);
});

test('a replaced token gets a new connection; the old one closes once its last user is done', async () => {
  const { registry, created, closed, tokens } = setup();
  const inFlight = await registry.lease({ kind: 'bound', name: 'acme' });
  tokens.set('acme', 'token-a2');
  const fresh = await registry.lease({ kind: 'bound', name: 'acme' });
  expect(created).toEqual(['token-a1', 'token-a2']);
  expect(closed).toEqual([]);
  inFlight?.release();
  await new Promise((resolve) => setImmediate(resolve));
  expect(closed).toEqual(['token-a1']);
  fresh?.release();
  await registry.closeAll();
  expect(closed).toEqual(['token-a1', 'token-a2']);
});

test('the default tenant and a bound tenant never share a connection; a removed tenant gets none', async () => {
  const { registry, created, tokens } = setup();
  const bound = await registry.lease({ kind: 'bound', name: 'acme' });
  const fallback = await registry.lease({ kind: 'default' });
  expect(bound?.connection).not.toBe(fallback?.connection);
  expect(created).toEqual(['token-a1', 'default-token']);
  tokens.delete('acme');
  expect(await registry.lease({ kind: 'bound', name: 'acme' })).toBeUndefined();
});

test('a connection nobody used for IDLE_CONNECTION_MS is closed at a later lease; one in use never is', async () => {
  let now = 1_000_000;
  const { registry, created, closed } = setup(() => now);
  const acme = await registry.lease({ kind: 'bound', name: 'acme' });
  acme?.release();
  const longCheck = await registry.lease({ kind: 'bound', name: 'globex' });

  now += IDLE_CONNECTION_MS - 1;
  (await registry.lease({ kind: 'default' }))?.release();
  await new Promise((resolve) => setImmediate(resolve));
  expect(closed).toEqual([]);

  now += IDLE_CONNECTION_MS / 10;
  (await registry.lease({ kind: 'default' }))?.release();
  await new Promise((resolve) => setImmediate(resolve));
  // acme was idle that long; globex is still leased, however long ago.
  expect(closed).toEqual(['token-a1']);

  const again = await registry.lease({ kind: 'bound', name: 'acme' });
  expect(created).toEqual(['token-a1', 'token-g1', 'default-token', 'token-a1']);
  again?.release();
  longCheck?.release();
});
