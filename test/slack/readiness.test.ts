import { ruleFileCount } from '../../src/rules';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PostgresHarness, probePostgres, testPostgresUrl } from '../store/harness';
import { startHarness, type Harness } from './helpers/harness';

/**
 * /readyz tells a load balancer whether this replica can answer: the store answers a query and rules are loaded.
 * /healthz (liveness) stays 200 meanwhile, so an orchestrator does not restart a process that is only waiting.
 * Anyone can ask /readyz, so it names the check that failed and nothing of why: the error goes to the log.
 */

async function get(h: Harness, path: string): Promise<{ status: number; text: string; body: Record<string, unknown> }> {
  const res = await fetch(`${h.url}${path}`);
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

interface LogLine {
  level: number;
  msg: string;
  err?: { message?: string };
}

function warnings(h: Harness): LogLine[] {
  return h.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.level === 40);
}

describe.each([
  ['HTTP mode', false],
  ['Socket Mode', true],
])('/readyz in %s', (_mode, socket) => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function start(extra: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
    h = await startHarness({ socket, ...extra });
    if (socket) await h.slack.socketConnected();
    return h;
  }

  test('ready with rules loaded and the store answering', async () => {
    const app = await start();
    const ready = await get(app, '/readyz');
    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 200,
      body: { ready: true, rules: ruleFileCount(app.app.rules) },
    });
  });

  test('not ready while the store cannot be used: names the check, not the error; the error is logged; still alive', async () => {
    const app = await start();
    await app.store.close();
    const ready = await get(app, '/readyz');
    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 503,
      body: { ready: false, reason: 'store: unreachable' },
    });
    const logged = warnings(app).find((l) => l.msg === 'not ready: store: unreachable');
    expect(logged?.err?.message).toBeTruthy();
    expect(ready.text).not.toContain(logged!.err!.message!);
    expect((await get(app, '/healthz')).status).toBe(200);
  });

  test('not ready while no rules are loaded', async () => {
    const app = await start({ rules: [] });
    const ready = await get(app, '/readyz');
    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 503,
      body: { ready: false, reason: 'rules: none loaded' },
    });
  });
});

const postgresUrl = testPostgresUrl();
const postgres = probePostgres(postgresUrl);
const withPostgres = postgres.ok || process.env.CI ? describe : describe.skip;

withPostgres('/readyz with PostgreSQL stopped (reached through a proxy that is then shut)', () => {
  let pg: PostgresHarness;
  let proxy: TcpProxy;
  let h: Harness | undefined;

  beforeAll(async () => {
    pg = await PostgresHarness.create(postgresUrl);
    const target = new URL(pg.location);
    proxy = await startProxy(target.hostname, Number(target.port || 5432));
    const proxied = new URL(pg.location);
    proxied.port = String(proxy.port);
    h = await startHarness({ env: { FRONT_WHY_DB: proxied.toString() } });
  });

  afterAll(async () => {
    await h?.close().catch(() => undefined);
    await pg?.dispose();
  });

  test('says the store check failed, without the connection error, the address or the database', async () => {
    const app = h as Harness;
    expect((await get(app, '/readyz')).status).toBe(200);
    await proxy.stop();
    const ready = await get(app, '/readyz');
    expect(ready.status).toBe(503);
    expect(['store: unreachable', 'store: no answer within 2 s']).toContain(ready.body.reason);
    expect(Object.keys(ready.body).sort()).toEqual(['ready', 'reason']);
    for (const leak of ['ECONNREFUSED', 'terminated', '127.0.0.1', String(proxy.port), pg.schema, 'postgres'])
      expect(ready.text).not.toContain(leak);
    // The operator still learns why, in the log.
    expect(warnings(app).some((l) => l.msg === `not ready: ${String(ready.body.reason)}` && l.err?.message)).toBe(true);
  });
});

interface TcpProxy {
  port: number;
  /** Stops accepting connections and cuts the open ones: the database is gone, as far as the app can tell. */
  stop(): Promise<void>;
}

async function startProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        sockets.forEach((s) => s.destroy());
      }),
  };
}
