import { inspectToken, maskToken } from '../../src/front';
import { makeJwt } from './helpers/jwt';

const NOW = Date.UTC(2026, 2, 1);
const clock = { now: () => NOW };

describe('inspectToken', () => {
  test('legacy company token with "*": api, everything, no workspace restriction', () => {
    const token = makeJwt({
      scopes: ['*'],
      iss: 'front',
      sub: 'planet_express',
      iat: 1500000000,
      jti: '0123456789abcdef',
    });
    expect(inspectToken(token, clock)).toEqual({
      kind: 'api',
      masked: maskToken(token),
      iss: 'front',
      sub: 'planet_express',
      iat: 1500000000,
      jti: '0123456789abcdef',
      expired: false,
      scopes: ['*'],
      privateScope: true,
      sharedScope: true,
      workspaceIds: [],
      workspaceFrontIds: [],
      workspaceRestricted: false,
    });
  });

  test('shared:* + private:* + provisioning', () => {
    const info = inspectToken(
      makeJwt({
        scopes: ['shared:*', 'private:*', 'provisioning'],
        iss: 'front',
        sub: 'a1b2c3d4e5f6a7b8c9d0',
        iat: 1670000000,
      }),
      clock,
    );
    expect(info).toMatchObject({
      kind: 'api',
      privateScope: true,
      sharedScope: true,
      workspaceRestricted: false,
      scopes: ['shared:*', 'private:*', 'provisioning'],
    });
  });

  test('tim:123 only: workspace-restricted, no private or shared namespace', () => {
    const info = inspectToken(makeJwt({ scopes: ['tim:123'], iss: 'front', sub: 'a1b2c3d4e5f6a7b8c9d0' }), clock);
    expect(info).toMatchObject({
      kind: 'api',
      privateScope: false,
      sharedScope: false,
      workspaceIds: ['123'],
      workspaceFrontIds: ['tim_3f'],
      workspaceRestricted: true,
    });
  });

  test('no scopes claim (2026 tokens): scopes unknown, not empty', () => {
    const info = inspectToken(
      makeJwt({ iss: 'front', sub: 'a1b2c3d4e5f6a7b8c9d0', iat: 1770000000, jti: 'fedcba9876543210' }),
      clock,
    );
    expect(info.kind).toBe('api');
    expect(info.scopes).toBeUndefined();
    expect(info.privateScope).toBeUndefined();
    expect(info.sharedScope).toBeUndefined();
    expect(info).not.toHaveProperty('scopes');
    expect(info.workspaceRestricted).toBe(false);
  });

  test('OAuth access token with exp in the past: oauth, expired', () => {
    const exp = NOW / 1000 - 3600;
    const info = inspectToken(
      makeJwt({ iss: 'front', sub: 'a1b2', exp, iat: exp - 3600, scopes: ['shared:*'] }),
      clock,
    );
    expect(info).toMatchObject({ kind: 'oauth', exp, expired: true, privateScope: false, sharedScope: true });
  });

  test('OAuth access token still valid', () => {
    expect(inspectToken(makeJwt({ exp: NOW / 1000 + 600 }), clock)).toMatchObject({ kind: 'oauth', expired: false });
  });

  test('a space-separated scope claim is read too', () => {
    expect(inspectToken(makeJwt({ iss: 'front', scope: 'shared:* tim:7' }), clock)).toMatchObject({
      scopes: ['shared:*', 'tim:7'],
      workspaceIds: ['7'],
    });
  });

  test.each([
    ['', /not a JWT/],
    ['not-a-token', /not a JWT/],
    ['a.b.c', /not a JWT/],
    ['eyJhbGciOiJIUzI1NiJ9.!!!.sig', /not a JWT/],
    [`${Buffer.from('[1]').toString('base64url')}.${Buffer.from('[2]').toString('base64url')}.sig`, /not a JWT/],
    ['x'.repeat(20000), /too long/],
    [makeJwt({ iss: 'someone-else' }), /not one Front issues/],
  ])('garbage %#: unknown, defensive, nothing thrown', (token, problem) => {
    const info = inspectToken(token, clock);
    expect(info.kind).toBe('unknown');
    expect(info.problem).toMatch(problem);
    expect(info.workspaceIds).toEqual([]);
  });

  test('claims of the wrong type are ignored, not trusted', () => {
    const info = inspectToken(
      makeJwt({ iss: 'front', sub: 42, iat: 'yesterday', exp: null, scopes: 'shared:*', jti: {} }),
      clock,
    );
    expect(info).toMatchObject({ kind: 'api', scopes: ['shared:*'], expired: false });
    expect(info).not.toHaveProperty('sub');
    expect(info).not.toHaveProperty('iat');
    expect(info).not.toHaveProperty('jti');
  });

  test('a "Bearer " prefix from a paste is tolerated', () => {
    expect(inspectToken(`Bearer ${makeJwt({ iss: 'front', scopes: ['*'] })}`, clock).kind).toBe('api');
  });

  test('the token itself is never in the result', () => {
    const token = makeJwt({ iss: 'front', scopes: ['*'], jti: 'abc' });
    const text = JSON.stringify(inspectToken(token, clock));
    for (const part of token.split('.')) expect(text).not.toContain(part);
  });
});

describe('maskToken', () => {
  test('long tokens: 4 first and 4 last characters', () => {
    expect(maskToken('eyJhbGciOiJIUzI1NiJ9.payload.sig9fQx')).toBe('eyJh…9fQx');
    expect(maskToken('abcdefghijkl')).toBe('abcd…ijkl');
  });
  test('short tokens: the last 2 only, and nothing for tiny ones', () => {
    expect(maskToken('abcdefghijk')).toBe('…jk');
    expect(maskToken('abcde')).toBe('…de');
    expect(maskToken('abcd')).toBe('…');
    expect(maskToken('')).toBe('…');
  });
});
