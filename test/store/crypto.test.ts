import { inspect } from 'node:util';
import { Keyring, KEY_VARIABLE, isStoreError, redactSecrets } from '../../src/store';
import { openTenantToken, sealTenantToken } from '../../src/store/secrets';
import { fakeToken, newKey } from './harness';

function parseError(value: string | undefined): Error {
  try {
    Keyring.parse(value);
  } catch (err) {
    if (isStoreError(err, 'key_config')) return err;
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

describe('tenant token encryption', () => {
  const ring = Keyring.parse(newKey());

  it('round-trips, with a fresh 12-byte nonce and a 16-byte tag each time', () => {
    const token = fakeToken();
    const a = sealTenantToken(ring, 'acme', token);
    const b = sealTenantToken(ring, 'acme', token);
    expect(a.nonce).toHaveLength(12);
    expect(a.tag).toHaveLength(16);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(openTenantToken(ring, 'acme', a)).toBe(token);
  });

  it('fails, without the plaintext, under another tenant name or a wrong key', () => {
    const token = fakeToken();
    const sealed = sealTenantToken(ring, 'acme', token);
    expect(() => openTenantToken(ring, 'other', sealed)).toThrow(
      'cannot decrypt the token of tenant other with key k1: the key is wrong or the row was tampered with',
    );
    expect(() => openTenantToken(Keyring.parse(newKey()), 'acme', sealed)).toThrow(
      'cannot decrypt the token of tenant acme with key k1: the key is wrong or the row was tampered with',
    );
  });

  it('fails on a flipped bit or a truncated nonce', () => {
    const sealed = sealTenantToken(ring, 'acme', fakeToken());
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => openTenantToken(ring, 'acme', { ...sealed, ciphertext: flipped })).toThrow(/tampered/);
    expect(() => openTenantToken(ring, 'acme', { ...sealed, nonce: sealed.nonce.subarray(0, 8) })).toThrow(/tampered/);
  });
});

describe('redactSecrets', () => {
  it('cuts out JWTs and bearer or basic credentials, and nothing else', () => {
    const token = fakeToken();
    expect(redactSecrets(`token=${token}; status 403`)).toBe('token=[redacted token]; status 403');
    expect(redactSecrets('Authorization: bearer abcdefgh12345678')).toBe('Authorization: bearer [redacted]');
    expect(redactSecrets('403 This agent is not allowed to read the "conversation" with ID: "cnv_123"')).toBe(
      '403 This agent is not allowed to read the "conversation" with ID: "cnv_123"',
    );
  });
});
