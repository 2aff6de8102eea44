import { startHarness, type Harness } from './helpers/harness';

/**
 * /readyz tells a load balancer whether this replica can answer: the store answers a query and rules are loaded.
 * /healthz (liveness) stays 200 meanwhile, so an orchestrator does not restart a process that is only waiting.
 */

async function get(h: Harness, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
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
    expect(await get(app, '/readyz')).toEqual({
      status: 200,
      body: { ready: true, rules: app.app.rules.length },
    });
  });

  test('not ready, with the reason, while the store cannot be used; still alive', async () => {
    const app = await start();
    await app.store.close();
    const ready = await get(app, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, reason: expect.stringMatching(/^the store is not usable: /) });
    expect((await get(app, '/healthz')).status).toBe(200);
  });

  test('not ready while no rules are loaded', async () => {
    const app = await start({ rules: [] });
    expect(await get(app, '/readyz')).toEqual({ status: 503, body: { ready: false, reason: 'no rules are loaded' } });
  });
});
