import { inspect } from 'node:util';
import { Keyring, KeyringError, KEY_VARIABLE } from '../../src/secrets/keyring';
import { newKey } from '../store/harness';

function parseError(value: string | undefined): Error {
  try {
    Keyring.parse(value);
  } catch (err) {
    if (err instanceof KeyringError && err.code === 'key_config') return err;
    throw err;
  }
  throw new Error('expected Keyring.parse to throw');
}

describe('Keyring.parse', () => {
  it('takes a bare base64 key as k1', () => {
    const ring = Keyring.parse(` ${newKey()}\n`);
    expect(ring.currentId).toBe('k1');
    expect(ring.ids).toEqual(['k1']);
  });

  it('takes a list with ids, the first being current', () => {
    const ring = Keyring.parse(`k2:${newKey()}, k1:${newKey()}`);
    expect(ring.currentId).toBe('k2');
    expect(ring.ids).toEqual(['k2', 'k1']);
    expect(ring.has('k1')).toBe(true);
    expect(ring.has('k3')).toBe(false);
  });

  it('accepts base64url', () => {
    const key = Buffer.alloc(32, 0xfb).toString('base64url');
    expect(key).toMatch(/[-_]/);
    expect(Keyring.parse(key).currentId).toBe('k1');
  });

  it.each([undefined, '', '   '])('names the variable and how to make a key when it is missing (%p)', (value) => {
    const err = parseError(value);
    expect(err.message).toContain(`${KEY_VARIABLE} is not set`);
    expect(err.message).toContain('openssl rand -base64 32');
    expect(err.message).toContain("require('crypto').randomBytes(32).toString('base64')");
  });

  it('rejects a key of the wrong length without echoing it', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const err = parseError(short);
    expect(err.message).toBe(
      `${KEY_VARIABLE} (key id k1) decodes to 16 bytes; AES-256 needs exactly 32. Make one with ` +
        "`openssl rand -base64 32` (or `node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"`).",
    );
    expect(err.message).not.toContain(short);
  });

  it('rejects a hex key (64 characters decode to 48 bytes)', () => {
    expect(parseError('ab'.repeat(32)).message).toMatch(/decodes to 48 bytes/);
  });

  it.each([
    ['not base64', 'k1:not base64!!', /entry|is not base64/],
    ['a duplicate id', `k1:${newKey()},k1:${newKey()}`, /lists key id "k1" twice/],
    [
      'an entry without id in a list',
      `k2:${newKey()},${newKey()}`,
      /entry 2 of FRONT_WHY_ENCRYPTION_KEY has no key id/,
    ],
    ['a bad id', `k 1:${newKey()}`, /invalid key id/],
    ['an empty entry', `k2:${newKey()},`, /entry 2 .* no key id/],
  ])('rejects %s', (_, value, message) => {
    const err = parseError(value);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(KEY_VARIABLE);
  });

  it('never shows key bytes when logged or serialised', () => {
    const key = newKey();
    const ring = Keyring.parse(key);
    const hex = Buffer.from(key, 'base64').toString('hex');
    for (const text of [inspect(ring, { showHidden: true, depth: 5 }), JSON.stringify({ ring }), String(ring)]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(hex);
    }
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ currentId: 'k1', ids: ['k1'] });
  });
});
