import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';
import {
  createFrontClient,
  createRateBudget,
  frontPaths,
  inspectToken,
  maskToken,
  type FrontResult,
} from '../../src/front';
import { makeJwt } from './helpers/jwt';
import {
  delayed,
  frontError,
  hang,
  html,
  json,
  rateLimitHeaders,
  resetConnection,
  useStubFront,
  type StubServer,
} from './helpers/stub-server';

// A long, distinctive token: any leak of it, or of its signature alone, is easy to find.
const TOKEN = makeJwt({
  iss: 'front',
  sub: 'planet_express',
  scopes: ['shared:*', 'private:*'],
  jti: 'CANARYCANARY0001',
});
const SIGNATURE = TOKEN.split('.')[2]!;

function expectNoToken(value: unknown): void {
  const texts = [
    JSON.stringify(value) ?? '',
    inspect(value, { depth: 10, showHidden: true, getters: true }),
    String(value),
  ];
  if (value instanceof Error) texts.push(value.message, value.stack ?? '');
  for (const text of texts) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SIGNATURE);
  }
}

let server: StubServer;
let dispatcher: Dispatcher;
useStubFront((s, d) => {
  server = s;
  dispatcher = d;
});

test('the token is sent, but appears in no result, message or inspect output', async () => {
  const echo = (
    req: Parameters<Parameters<StubServer['on']>[1]>[0],
    res: Parameters<Parameters<StubServer['on']>[1]>[1],
  ) => {
    // A misconfigured or hostile base URL could echo the credentials back.
    const auth = req.headers.authorization ?? '';
    res.writeHead(403, { 'content-type': 'application/json', location: `/x?t=${auth.slice(7)}` });
    res.end(
      JSON.stringify({ _error: { status: 403, title: 'Forbidden', message: `bad token ${auth}` }, echoed: auth }),
    );
  };
  server
    .on('/me', json(200, { id: 'cmp_1' }, rateLimitHeaders(50, 40)))
    .on(
      '/conversations/cnv_1',
      frontError(403, 'Forbidden', 'This agent is not allowed to read the "conversation" with ID: "cnv_1"'),
    )
    .on('/conversations/cnv_2', echo)
    .on('/teammates', html(502, '<html>502</html>'), html(502, '<html>502</html>'))
    .on('/teams', resetConnection, resetConnection)
    .on('/teammates/tea_1', hang)
    .on('/teammates/tea_2', delayed(2000, json(200, {})))
    .on('/teammates/tea_3', json(429, {}, { 'retry-after': '60', 'x-front-tier': 'tier-2' }))
    .on('/teammates/tea_4/private_inboxes', json(200, {}, rateLimitHeaders(50, 5)));

  const budget = createRateBudget({ reserve: 5 });
  const client = createFrontClient({
    baseUrl: server.url,
    token: TOKEN,
    dispatcher,
    random: () => 0,
    retryBaseDelayMs: 10,
    maxAttempts: 2,
    requestTimeoutMs: 200,
    budget,
  });
  const soon = () => Date.now() + 3000;
  const results: FrontResult[] = [
    await client.get(frontPaths.me(), { deadline: soon() }),
    await client.get(frontPaths.conversation('cnv_1'), { deadline: soon() }),
    await client.get(frontPaths.conversation('cnv_2'), { deadline: soon() }),
    await client.get(frontPaths.teammates(), { deadline: soon() }),
    await client.get(frontPaths.teams(), { deadline: soon() }),
    await client.get(frontPaths.teammate('tea_1'), { deadline: soon() }),
    await client.get(frontPaths.teammate('tea_2'), { deadline: Date.now() + 150 }),
    await client.get(frontPaths.teammate('tea_3'), { deadline: soon() }),
    await client.get(frontPaths.teammatePrivateInboxes('tea_4'), { deadline: soon() }),
    await client.get(frontPaths.teammatePrivateInboxes('tea_5'), { deadline: soon() }),
  ];
  expect(results.map((r) => (r.kind === 'response' ? r.status : r.reason))).toEqual([
    200,
    403,
    403,
    'server_error',
    'network',
    'timeout',
    'deadline',
    'rate_limited',
    200,
    'budget',
  ]);
  expect(server.hits.every((h) => h.authorization === `Bearer ${TOKEN}`)).toBe(true);

  // The echo was redacted to the masked form, which is still useful to a human.
  const echoed = results[2]!;
  expect(echoed.kind === 'response' && echoed.error?.message).toBe(`bad token Bearer ${maskToken(TOKEN)}`);
  expect(echoed.kind === 'response' && echoed.location).toBe(`/x?t=${maskToken(TOKEN)}`);

  for (const result of results) expectNoToken(result);
  expectNoToken(client);
  expectNoToken(budget);
  expectNoToken(inspectToken(TOKEN));
  server.assertAllUsed();
});

test('errors about the token itself do not contain it', () => {
  const badToken = `${TOKEN}\r\nX-Injected: 1`;
  let caught: unknown;
  try {
    createFrontClient({ baseUrl: server.url, token: badToken, dispatcher });
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(TypeError);
  expectNoToken(caught);
  expect(() => createFrontClient({ baseUrl: server.url, token: '', dispatcher })).toThrow(/token is empty/);
});

test('a refused path and a closed client throw errors without the token', async () => {
  const client = createFrontClient({ baseUrl: server.url, token: TOKEN, dispatcher });
  const errors: unknown[] = [];
  await client.get('/../me' as never, { deadline: Date.now() + 1000 }).catch((err: unknown) => errors.push(err));
  await client.close();
  await client.get(frontPaths.me(), { deadline: Date.now() + 1000 }).catch((err: unknown) => errors.push(err));
  expect(errors).toHaveLength(2);
  for (const err of errors) expectNoToken(err);
  expect(server.hitCount()).toBe(0);
});

test('a network error message from an unreachable host has no token', async () => {
  const port = server.port;
  await server.close();
  const client = createFrontClient({
    baseUrl: `http://127.0.0.1:${port}`,
    token: TOKEN,
    dispatcher,
    random: () => 0,
    retryBaseDelayMs: 5,
  });
  const result = await client.get(frontPaths.me(), { deadline: Date.now() + 2000 });
  expect(result).toMatchObject({ kind: 'unreachable', reason: 'connect' });
  expectNoToken(result);
});
