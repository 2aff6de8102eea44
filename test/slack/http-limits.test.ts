import { connect, type Socket } from 'node:net';
import { HTTP_LIMITS } from '../../src/slack/app/http-server';
import { commandPayload, startHarness, type Harness } from './helpers/harness';
import { closedWhileSilent, rawExchange } from './helpers/raw-http';
import { signedHeaders } from './helpers/signing';

/**
 * PORT faces the internet: a request is judged on its headers before its body is read, a body is bounded, and so
 * are the time a client may take and the connections it may hold. Tried with requests written by hand on raw
 * connections, so what the server does before the body arrives can be seen.
 */

const FORM = 'application/x-www-form-urlencoded';
const FOUR_MIB = 4 * 1024 * 1024;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

function head(headers: Record<string, string | number>, path = '/slack/events'): string[] {
  return [`POST ${path} HTTP/1.1`, 'host: front-why.test', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
}

function signed(body: string, timestamp?: number): Record<string, string> {
  return signedHeaders(h.secret, body, FORM, timestamp);
}

describe('a request refused on its headers, before its body is read', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const command = () => new URLSearchParams(commandPayload('status', h.slack.responseUrl())).toString();

  test.each([
    ['no signing headers', () => ({ 'content-type': FORM })],
    [
      'a signature with "=" appended',
      () => {
        const headers = signed(command());
        return { ...headers, 'x-slack-signature': `${headers['x-slack-signature']}=` };
      },
    ],
    [
      'a signature in upper case',
      () => {
        const headers = signed(command());
        return { ...headers, 'x-slack-signature': headers['x-slack-signature']!.toUpperCase().replace('V0=', 'v0=') };
      },
    ],
    [
      'a timestamp that is not a whole number',
      () => ({ ...signed(command()), 'x-slack-request-timestamp': `${now()}.0` }),
    ],
    ['a timestamp ten minutes old', () => signed(command(), now() - 600)],
    ['a timestamp ten minutes ahead', () => signed(command(), now() + 600)],
  ])('%s: a 4 MiB upload that stalls after 1 KiB is answered 401 and closed', async (_what, headers) => {
    const mark = h.slack.calls.length;
    const reply = await rawExchange(h.url, head({ ...headers(), 'content-length': FOUR_MIB }), Buffer.alloc(1024, 'a'));
    expect(reply).toMatchObject({ status: 401, closed: true });
    await h.idle();
    expect(h.slack.calls.slice(mark)).toEqual([]);
  });

  test('headers alone, no body at all: answered 401 and closed', async () => {
    const reply = await rawExchange(h.url, head({ 'content-type': FORM, 'content-length': FOUR_MIB }));
    expect(reply).toMatchObject({ status: 401, closed: true });
  });

  test('an unsigned request that asks before sending its body (Expect: 100-continue) is not invited to send it', async () => {
    const reply = await rawExchange(
      h.url,
      head({ 'content-type': FORM, 'content-length': FOUR_MIB, expect: '100-continue' }),
    );
    expect(reply).toMatchObject({ status: 401, closed: true });
    expect(reply.text).not.toContain('100 Continue');
  });

  test('a signed one that asks is invited, then runs', async () => {
    const mark = h.slack.calls.length;
    const body = command();
    const reply = await rawExchange(
      h.url,
      head({ ...signed(body), 'content-length': Buffer.byteLength(body), expect: '100-continue', connection: 'close' }),
      body,
    );
    expect(reply.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    await h.idle();
    expect(h.slack.calls.length).toBeGreaterThan(mark);
  });

  test('a correctly signed request declaring a body over the limit: 413 before the body is sent', async () => {
    const body = `${command()}&padding=${'a'.repeat(HTTP_LIMITS.bodyBytes)}`;
    const reply = await rawExchange(h.url, head({ ...signed(body), 'content-length': Buffer.byteLength(body) }));
    expect(reply).toMatchObject({ status: 413, closed: true });
  });

  test('a correctly signed body that runs over the limit without declaring its length: 413, nothing runs', async () => {
    const mark = h.slack.calls.length;
    const body = `${command()}&padding=${'a'.repeat(HTTP_LIMITS.bodyBytes)}`;
    const size = Buffer.byteLength(body).toString(16);
    // One chunk, and no last chunk: the body never ends, so only its size can stop it.
    const reply = await rawExchange(
      h.url,
      head({ ...signed(body), 'transfer-encoding': 'chunked' }),
      `${size}\r\n${body}\r\n`,
    );
    expect(reply).toMatchObject({ status: 413, closed: true });
    await h.idle();
    expect(h.slack.calls.slice(mark)).toEqual([]);
  });

  test('Slack’s unsigned certificate check (ssl_check=1) is still answered 200', async () => {
    const body = 'ssl_check=1&token=legacy-verification-token';
    const res = await fetch(`${h.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM }, body });
    expect(res.status).toBe(200);
  });

  test('a correctly signed command just within the limit runs', async () => {
    const base = command();
    const body = `${base}&padding=${'a'.repeat(HTTP_LIMITS.bodyBytes - base.length - 1024)}`;
    const reply = await h.send(body, FORM, signed(body));
    expect(reply.status).toBe(200);
    await h.idle();
  });
});

describe('timeouts', () => {
  let tight: Harness;

  beforeAll(async () => {
    tight = await startHarness({
      httpLimits: { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300 },
    });
  });

  afterAll(async () => {
    await tight?.close();
  });

  test('a connection that never sends a byte is closed after the headers timeout', async () => {
    expect(await closedWhileSilent(tight.url)).toBe(true);
  });

  test('a signed-looking upload that stalls is cut off with 408 after the request timeout, its command never run', async () => {
    const mark = tight.slack.calls.length;
    const body = new URLSearchParams(commandPayload('status', tight.slack.responseUrl())).toString();
    const headers = signedHeaders(tight.secret, body, FORM);
    const reply = await rawExchange(
      tight.url,
      head({ ...headers, 'content-length': Buffer.byteLength(body) }),
      body.slice(0, 20),
    );
    expect(reply).toMatchObject({ status: 408, closed: true });
    await tight.idle();
    expect(tight.slack.calls.slice(mark)).toEqual([]);
  });
});

describe('the connection cap', () => {
  let capped: Harness;

  beforeAll(async () => {
    // Default timeouts: the held connections stay open for as long as the test needs them.
    capped = await startHarness({ httpLimits: { maxConnections: 4 } });
  });

  afterAll(async () => {
    await capped?.close();
  });

  test('connections past the cap are closed at once; a slot freed is usable again', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 4; i += 1) held.push(await openedTo(capped.url));
      const extra = await rawExchange(capped.url, ['GET /healthz HTTP/1.1', 'host: front-why.test']);
      expect(extra).toMatchObject({ status: undefined, closed: true });
    } finally {
      held.forEach((s) => s.destroy());
    }
    expect(await waitForHealthz(capped.url)).toBe(200);
  });
});

function openedTo(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The status of GET /healthz on a new connection, once the server has noticed the freed slots. */
async function waitForHealthz(url: string): Promise<number | undefined> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const reply = await rawExchange(url, ['GET /healthz HTTP/1.1', 'host: front-why.test', 'connection: close']);
    if (reply.status) return reply.status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}
