import { Keyring, redactSecrets } from '../../src/store';
import { openTenantToken, sealTenantToken } from '../../src/store/secrets';
import { fakeToken, newKey } from './harness';

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
