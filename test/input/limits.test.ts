import { parsePaste } from '../../src/diagnosis';
import { MAX_PASTE_BYTES, type WorkMeter } from '../../src/input';

describe('paste size and emptiness', () => {
  it('refuses a paste over 64 KiB with a message naming the limit and what to paste instead', () => {
    const result = parsePaste(`{"_error":{"status":403}}${' '.repeat(MAX_PASTE_BYTES)}`);
    expect(result).toMatchObject({ ok: false, reason: 'too_large' });
    if (result.ok) return;
    expect(result.message).toContain('64 KiB');
    expect(result.message).toMatch(/paste just the error/i);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const underInChars = 'é'.repeat(MAX_PASTE_BYTES / 2 + 1);
    expect(underInChars.length).toBeLessThan(MAX_PASTE_BYTES);
    expect(parsePaste(underInChars)).toMatchObject({ ok: false, reason: 'too_large' });
    expect(parsePaste('é'.repeat(MAX_PASTE_BYTES / 2))).toMatchObject({ ok: true });
  });

  it('accepts a paste of exactly 64 KiB', () => {
    expect(parsePaste('a'.repeat(MAX_PASTE_BYTES)).ok).toBe(true);
  });

  it('calls empty, whitespace-only and fence-only pastes empty', () => {
    for (const paste of ['', '   \n\t ', '```\n```', '\u200b']) {
      expect(parsePaste(paste)).toMatchObject({ ok: false, reason: 'empty' });
    }
  });

  it('does not throw on a non-string from untyped callers', () => {
    expect(parsePaste(undefined as unknown as string)).toMatchObject({ ok: false, reason: 'empty' });
  });
});

// Work counted, not time taken: the readers charge every character they visit (see work.test.ts). Quadratic
// work at this size is thousands of visits per character.
describe('hostile pastes cost linear work', () => {
  const cases: Record<string, string> = {
    'deep nesting': '{"_error":'.repeat(6000),
    'many unterminated envelopes': '{"_error":{"message":"'.repeat(2500),
    'many quotes': `{"_error":{"message":"${'" '.repeat(30000)}`,
    'long line of digits and statuses': '403 '.repeat(15000),
    'long word': 'a'.repeat(65000),
    'many script tags': '<html><title>502</title>' + '<script'.repeat(9000),
    'many entities': '&amp;'.repeat(13000),
    'many links': '<https://a|'.repeat(5000),
    'many text errors': '403 Forbidden\n'.repeat(4500),
    'many envelopes': '{"_error":{"status":403}}\n'.repeat(2500),
    'many escaped envelopes': '"{\\"_error\\":{\\"status\\":403}}"\n'.repeat(1800),
    'many 2xx responses': 'HTTP/1.1 200 OK\n{"a":1}\n'.repeat(2500),
    'one-line body with many content hits': JSON.stringify({
      a: Array.from({ length: 3000 }, (_, i) => ({ subject: `403 Forbidden ${i}` })),
    }).slice(0, 65000),
    'status lines': 'HTTP/1.1 403 Forbidden\n'.repeat(2800),
    backslashes: `"_error":"${'\\'.repeat(60000)}`,
    'spaces then status': `${' '.repeat(60000)}HTTP/2 403`,
    ids: 'cnv_a1 '.repeat(9000),
    tokens: 'eyJ'.repeat(21000),
  };
  it.each(Object.entries(cases))('%s', (_name, paste) => {
    const meter: WorkMeter = { visited: 0 };
    const result = parsePaste(paste, { meter });
    expect(result.ok === true || result.reason === 'too_large').toBe(true);
    expect(meter.visited).toBeLessThanOrEqual(100 * paste.length);
    // A paste that was read was read whole: at least one character counted per character (a meter counting 0 fails).
    if (result.ok) expect(meter.visited).toBeGreaterThanOrEqual(paste.length);
  });
});
