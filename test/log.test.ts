import { Writable } from 'node:stream';
import { createLogger, scrubSecrets } from '../src/log';

// A JWT shaped like Front's API tokens, and a Slack bot token: both must vanish from every log line.
const FRONT_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzY29wZXMiOlsic2hhcmVkOioiLCJwcml2YXRlOioiXSwiaXNzIjoiZnJvbnQiLCJzdWIiOiJhY21lIn0.c2lnbmF0dXJlLXNlY3JldC1wYXJ0LTEyMzQ1Njc4OQ';
const SLACK_TOKEN = 'xoxb-1234567890-abcdefghijklmnop';

function capture(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), text: () => chunks.join('') };
}

describe('logging never carries a token', () => {
  test('in known fields, nested headers, free text, error messages and stacks', () => {
    const { logger, text } = capture();
    logger.info({ token: FRONT_TOKEN, tenant: 'acme' }, 'stored tenant');
    logger.info({ request: { headers: { authorization: `Bearer ${FRONT_TOKEN}` } } }, 'calling Front');
    logger.info({ headers: { Authorization: `Bearer ${FRONT_TOKEN}` } }, 'retrying');
    logger.warn(`pasted text mentioned ${FRONT_TOKEN} and ${SLACK_TOKEN}`);
    logger.error({ err: new Error(`request failed with token ${FRONT_TOKEN}`) }, 'probe crashed');
    logger.info({ view: { state: { values: { token_block: { token: { value: FRONT_TOKEN } } } } } }, 'modal submitted');
    logger.info({ detail: { nested: { deeper: [`Bearer ${FRONT_TOKEN}`] } } }, 'deep');
    const out = text();
    expect(out.split('\n').filter(Boolean)).toHaveLength(7);
    expect(out).not.toContain(FRONT_TOKEN);
    expect(out).not.toContain(FRONT_TOKEN.split('.')[1]);
    expect(out).not.toContain(FRONT_TOKEN.split('.')[2]);
    expect(out).not.toContain(SLACK_TOKEN);
    expect(out).toContain('[redacted]');
    // What is not secret stays readable.
    expect(out).toContain('"tenant":"acme"');
    expect(out).toContain('probe crashed');
    // An error keeps its message (scrubbed) and stack.
    expect(out).toMatch(/"err":\{[^}]*"message":"request failed with token \[redacted token\]"/);
    expect(out).toMatch(/"stack":"Error: request failed/);
  });

  test('scrubSecrets leaves ordinary text and Front IDs alone', () => {
    const text = 'GET /conversations/cnv_yo1kg5q answered 403 for tea_6r55b';
    expect(scrubSecrets(text)).toBe(text);
    expect(scrubSecrets(`Authorization: Bearer ${FRONT_TOKEN}`)).toBe('Authorization: Bearer [redacted]');
  });
});
