import fc from 'fast-check';
import { parsePaste } from '../../src/diagnosis';
import { MAX_PASTE_BYTES, type ParseResult } from '../../src/input';
import { ALL_PASTES } from './pastes';

const FIXTURES = Object.values(ALL_PASTES);

/** What Slack does to message text: exactly these three characters. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Characters that steer the readers: quotes, braces, escapes, entities, status lines, key names. */
const TRICKY = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '\\',
  ':',
  '=>',
  ',',
  '\n',
  ' ',
  '<',
  '>',
  '&',
  '&amp;',
  '&lt;',
  '```',
  '“',
  '”',
  '_error',
  '"_error":',
  '\\"',
  'HTTP/2 ',
  'HTTP/1.1 ',
  '403',
  '429 ',
  '200',
  'Forbidden',
  ' Not Found',
  '> GET /conversations/cnv_1 HTTP/2\n',
  'x-ratelimit-remaining: 0\n',
  '<html>',
  '<title>',
  '</html>',
  'cnv_',
  'cnv_a1',
  'https://app.frontapp.com/open/',
  'status',
  'message',
  'This agent is not allowed to read the "conversation" with ID: "cnv_1"',
  'You do not have access to the resources of this teammate',
  '[Object]',
  "'+",
  'null',
  'é',
  '😀',
  '\u2028',
  '\r\n',
);

/** A fixture with random cuts and insertions: pastes that are almost right are where readers break. */
const mutatedFixture = fc
  .record({
    base: fc.constantFrom(...FIXTURES),
    edits: fc.array(
      fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.oneof(TRICKY, fc.string({ unit: 'binary', maxLength: 6 }))),
      { maxLength: 6 },
    ),
  })
  .map(({ base, edits }) =>
    edits.reduce((text, [at, remove, insert]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      return text.slice(0, i) + insert + text.slice(i + remove);
    }, base),
  );

const anyPaste = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 3000 }),
  fc.string({ unit: TRICKY, maxLength: 200 }),
  mutatedFixture,
  fc.constantFrom(...FIXTURES),
);

function expectWellFormed(result: ParseResult): void {
  if (!result.ok) {
    expect(['empty', 'too_large']).toContain(result.reason);
    return;
  }
  const known = new Set(result.ids.map((i) => i.id));
  expect(known.size).toBe(result.ids.length);
  for (const error of result.errors) {
    expect(error.excerpt.length).toBeLessThanOrEqual(300);
    for (const id of error.ids) expect(known.has(id)).toBe(true);
    if (error.status !== undefined) expect(error.status >= 100 && error.status <= 599).toBe(true);
  }
}

describe('properties', () => {
  it('never throws, whatever the string, and always answers in shape', () => {
    fc.assert(
      fc.property(anyPaste, (paste) => {
        expectWellFormed(parsePaste(paste));
      }),
      { numRuns: 3000 },
    );
  });

  it('never reports an error for JSON without _error, compact or pretty-printed', () => {
    const noEnvelope = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('_error'));
    fc.assert(
      fc.property(noEnvelope, fc.boolean(), (value, pretty) => {
        const result = parsePaste(JSON.stringify(value, null, pretty ? 2 : undefined));
        expect(result.ok && result.errors).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });

  it('never reports an error for a 2xx response, whatever its headers and body (even one quoting an envelope)', () => {
    const header = fc.constantFrom(
      'content-type: application/json',
      'x-ratelimit-limit: 100',
      'x-ratelimit-remaining: 0',
      'retry-after: 1',
      'Location: https://api2.frontapp.com/conversations/cnv_2',
      'X-Front-Tier: tier-2',
    );
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .jsonValue()
        .map((v) => JSON.stringify({ data: v, note: { _error: { status: 403, message: 'quoted' } } }, null, 2)),
      fc.constant('<html><head><title>Front</title></head><body>404 Not Found is just text here</body></html>'),
      fc.constant(''),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 299 }),
        fc.constantFrom('HTTP/2', 'HTTP/1.1', '< HTTP/2'),
        fc.array(header, { maxLength: 4 }),
        body,
        (status, version, headers, payload) => {
          const prefix = version.startsWith('<') ? '< ' : '';
          const paste = [`${version} ${status}`, ...headers.map((h) => prefix + h), prefix.trim(), payload].join('\n');
          const result = parsePaste(paste);
          expect(result.ok && result.errors).toEqual([]);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('finds a valid envelope embedded in arbitrary text with the same status, title and message', () => {
    const safeChar = fc.constantFrom(
      ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?()-_/"\'\\#@%*+=\néü'.split(''),
    );
    const text = fc.string({ unit: safeChar, minLength: 1, maxLength: 120 });
    const separator = fc.constantFrom(' ', '\n', ': ', ' body=', '\n\n');
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        separator,
        fc.integer({ min: 100, max: 599 }),
        fc.option(text, { nil: undefined }),
        text,
        separator,
        fc.string({ unit: 'binary', maxLength: 300 }),
        (before, open, status, title, message, close, after) => {
          fc.pre(!before.includes('_error') && !after.includes('_error'));
          const envelope = JSON.stringify({ _error: { status, ...(title === undefined ? {} : { title }), message } });
          const result = parsePaste(before + open + envelope + close + after);
          if (!result.ok) throw new Error(result.message);
          const found = result.errors.filter((e) => e.format === 'json');
          expect(found).toHaveLength(1);
          expect(found[0]?.status).toBe(status);
          expect(found[0]?.title).toBe(title?.trim() || undefined);
          expect(found[0]?.message).toBe(message.trim() || undefined);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('Slack-escaping a paste does not change what is parsed', () => {
    fc.assert(
      fc.property(anyPaste, (paste) => {
        fc.pre(Buffer.byteLength(slackEscape(paste)) <= MAX_PASTE_BYTES);
        expect(parsePaste(slackEscape(paste))).toEqual(parsePaste(paste));
      }),
      { numRuns: 3000 },
    );
  });

  it('wrapping a paste in a code fence does not change the errors found', () => {
    fc.assert(
      fc.property(mutatedFixture, (paste) => {
        const plain = parsePaste(paste);
        const fenced = parsePaste('```\n' + paste + '\n```');
        if (plain.ok && fenced.ok) {
          expect(fenced.errors.map((e) => [e.format, e.status, e.message])).toEqual(
            plain.errors.map((e) => [e.format, e.status, e.message]),
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('an ID revealed only by unescaping', () => {
  it('is listed among the paste IDs too', () => {
    const result = parsePaste(
      'The customer keeps getting "This agent is not allowed to read the "conversation" with ID: "c\\nv_q9a0" in their Zapier logs',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.errors[0]?.ids).toEqual(['cnv_q9a0']);
    expect(result.ids.map((ref) => ref.id)).toEqual(['cnv_q9a0']);
  });
});
