import type { Dispatcher } from 'undici';
import { createFrontClient, frontPaths, maskToken } from '../../src/front';
import { makeJwt } from './helpers/jwt';
import { useStubFront, type Responder, type StubServer } from './helpers/stub-server';

const TOKEN = makeJwt({ iss: 'front', sub: 'planet_express', jti: 'CANARYCANARY0004' });
const SIGNATURE = TOKEN.split('.')[2]!;

/** Front's error envelope with the token in a changed form, written by hand so a JSON escape stays as sent. */
function echo(form: (token: string) => string): Responder {
  return (req, res) => {
    const token = (req.headers.authorization ?? '').slice('Bearer '.length);
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      `{"_error":{"status":401,"title":"Unauthorized","message":"bad token ${form(token)}"},"seen":["${form(token)}"]}`,
    );
  };
}

let server: StubServer;
let dispatcher: Dispatcher;
useStubFront((s, d) => {
  server = s;
  dispatcher = d;
});

test.each([
  ['JSON-escaped', (t: string) => `\\u0065${t.slice(1)}`],
  [
    'JSON-escaped in its signature',
    (t: string) => `${t.slice(0, -5)}\\u00${t.charCodeAt(t.length - 5).toString(16)}${t.slice(-4)}`,
  ],
  ['cut short by one character', (t: string) => t.slice(0, -1)],
  ['its signature alone', (t: string) => t.split('.')[2]!],
])('a token Front echoes %s is masked in the parsed body and the error', async (_name, form) => {
  server.on('/me', echo(form));
  const client = createFrontClient({ baseUrl: server.url, token: TOKEN, dispatcher });
  const result = await client.get(frontPaths.me(), { deadline: Date.now() + 2000 });
  expect(result.kind).toBe('response');
  if (result.kind !== 'response') return;
  expect(result.error?.message).toMatch(/^bad token .*/);
  expect(result.error?.message).toContain(maskToken(TOKEN));
  const everything = JSON.stringify(result);
  for (let i = 0; i + 16 <= SIGNATURE.length; i += 4) expect(everything).not.toContain(SIGNATURE.slice(i, i + 16));
  server.assertAllUsed();
});
