import { request } from 'node:http';
import { startSandbox, type Sandbox } from '../../src/sandbox';

/**
 * The sandbox's control route flips a teammate's preference. A web page open on the operator's machine can send a
 * form-like POST to 127.0.0.1 (or to its own name rebound to 127.0.0.1): the route must not act on one.
 */

const BRUNO = 'bruno.keller@acme.example';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox.close();
});

/** A raw request, so the test sets Host and Origin as a browser would (fetch does not let it). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  const url = new URL(sandbox.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { host: url.host, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function brunoAllowed(): boolean {
  const acme = sandbox.companies.acme;
  return acme.teammates.find((t) => t.email === BRUNO)!.apiAccessToIndividualResources;
}

const accessPath = `/_sandbox/teammates/${encodeURIComponent(BRUNO)}/api-access`;

beforeEach(() => {
  sandbox.setApiAccess(BRUNO, false);
});

test('a cross-site text/plain POST (a form on another site) changes nothing', async () => {
  const res = await send(
    'POST',
    accessPath,
    { 'content-type': 'text/plain', origin: 'https://evil.example' },
    '{"allowed":true}',
  );
  expect(res.status).toBe(403);
  expect(brunoAllowed()).toBe(false);
});

test('a text/plain POST from no site is refused for not being JSON', async () => {
  const res = await send('POST', accessPath, { 'content-type': 'text/plain' }, '{"allowed":true}');
  expect(res.status).toBe(415);
  expect(res.text).toContain('application/json');
  expect(brunoAllowed()).toBe(false);
});

test('a request whose Host is another name (DNS rebinding) is refused, reads included', async () => {
  const post = await send(
    'POST',
    accessPath,
    { host: 'rebound.evil.example:4010', 'content-type': 'application/json' },
    '{"allowed":true}',
  );
  expect(post.status).toBe(403);
  expect(brunoAllowed()).toBe(false);
  for (const host of ['rebound.evil.example', '127.evil.example', '127.0.0.1.evil.example']) {
    const list = await send('GET', '/_sandbox/teammates', { host });
    expect({ host, status: list.status }).toEqual({ host, status: 403 });
    expect(list.text).not.toContain(BRUNO);
  }
});

test("the CLI's request (JSON, loopback Host, no Origin) still works, and so does a same-machine page", async () => {
  const res = await send('POST', accessPath, { 'content-type': 'application/json' }, '{"allowed":true}');
  expect(res.status).toBe(200);
  expect(brunoAllowed()).toBe(true);
  const port = new URL(sandbox.url).port;
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, '[::1]']) {
    const list = await send('GET', '/_sandbox/teammates', { host, origin: `http://${host}` });
    expect({ host, status: list.status }).toEqual({ host, status: 200 });
  }
});
