import { createHmac } from 'node:crypto';
import {
  DEFAULT_SANDBOX_SECRET,
  startSandbox,
  teamIdFromNumber,
  teamNumber,
  TOKEN_NAMES,
  type Sandbox,
} from '../../src/sandbox';
import { get, manualClock } from './helpers';

function decode(token: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signature: string;
  signed: string;
} {
  const [h, c, s] = token.split('.');
  if (!h || !c || !s) throw new Error('not a JWT');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature: s,
    signed: `${h}.${c}`,
  };
}

const clock = manualClock(Date.UTC(2026, 0, 15, 9, 30, 0));
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, clock: clock.now });
});
afterAll(() => sandbox.close());

describe('token shape', () => {
  it('every named token exists and is an HS256 JWT signed with the sandbox secret', () => {
    expect(Object.keys(sandbox.tokens).sort()).toEqual([...TOKEN_NAMES].sort());
    for (const name of TOKEN_NAMES) {
      const { header, signature, signed } = decode(sandbox.tokens[name]);
      expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(signature).toBe(createHmac('sha256', DEFAULT_SANDBOX_SECRET).update(signed).digest('base64url'));
    }
  });

  it('claims look like Front’s: iss front, sub 20 hex, jti 16 hex, iat; no exp on API tokens', () => {
    const jtis = new Set<string>();
    for (const name of TOKEN_NAMES) {
      const { claims } = decode(sandbox.tokens[name]);
      expect(claims).toMatchObject({
        iss: 'front',
        sub: expect.stringMatching(/^[0-9a-f]{20}$/),
        jti: expect.stringMatching(/^[0-9a-f]{16}$/),
        iat: expect.any(Number),
      });
      jtis.add(claims.jti as string);
      if (sandbox.tokenInfo[name].kind === 'api') expect(claims).not.toHaveProperty('exp');
      else expect(claims.exp).toEqual(expect.any(Number));
    }
    expect(jtis.size).toBe(TOKEN_NAMES.length);
    expect(decode(sandbox.tokens.acme_private).claims.sub).toBe(decode(sandbox.tokens.acme_shared_only).claims.sub);
    expect(decode(sandbox.tokens.acme_private).claims.sub).not.toBe(decode(sandbox.tokens.globex_private).claims.sub);
  });

  it('scopes claims per token; new-style tokens carry none', () => {
    const scopes = (name: (typeof TOKEN_NAMES)[number]): unknown => decode(sandbox.tokens[name]).claims.scopes;
    expect(scopes('acme_private')).toEqual(['shared:*', 'private:*', 'provisioning']);
    expect(scopes('acme_legacy_all')).toEqual(['*']);
    expect(scopes('acme_shared_only')).toEqual(['shared:*']);
    expect(scopes('acme_workspace')).toEqual([`tim:${teamNumber('tim_k30')}`]);
    expect(scopes('acme_new_style')).toBeUndefined();
    expect(scopes('acme_no_inboxes_read')).toBeUndefined();
    expect(scopes('acme_oauth')).toEqual(['shared:*']);
  });

  it('tim:<n> names a team by the number behind its base-36 ID', () => {
    expect(teamNumber('tim_k30')).toBe(26028);
    expect(teamIdFromNumber(26028)).toBe('tim_k30');
  });

  it('OAuth tokens: one expired two hours before the start, one valid for an hour', () => {
    const start = clock.now() / 1000;
    expect(decode(sandbox.tokens.acme_oauth_expired).claims.exp).toBe(start - 7200);
    expect(decode(sandbox.tokens.acme_oauth).claims.exp).toBe(start + 3600);
  });
});

describe('token lifecycle', () => {
  it('an OAuth access token stops working once its hour is over', async () => {
    const local = manualClock(Date.UTC(2026, 0, 15, 9, 30, 0));
    const sb = await startSandbox({ port: 0, clock: local.now });
    try {
      expect((await get(sb, '/me', { token: 'acme_oauth' })).status).toBe(200);
      local.advance(3600 * 1000);
      expect((await get(sb, '/me', { token: 'acme_oauth' })).status).toBe(401);
      // API tokens do not expire.
      local.advance(400 * 24 * 3600 * 1000);
      expect((await get(sb, '/me', { token: 'acme_private' })).status).toBe(200);
    } finally {
      await sb.close();
    }
  });

  it('API tokens are the same on every start (the printed demo tokens stay valid); another secret gives other tokens', async () => {
    const again = await startSandbox({ port: 0 });
    const other = await startSandbox({ port: 0, secret: 'another-secret' });
    try {
      for (const name of TOKEN_NAMES) {
        if (again.tokenInfo[name].kind === 'api') expect(again.tokens[name]).toBe(sandbox.tokens[name]);
        expect(other.tokens[name]).not.toBe(sandbox.tokens[name]);
      }
      expect((await get(other, '/me', { authorization: `Bearer ${sandbox.tokens.acme_private}` })).status).toBe(401);
      expect((await get(other, '/me', { token: 'acme_private' })).status).toBe(200);
    } finally {
      await Promise.all([again.close(), other.close()]);
    }
  });

  it('the revoked token is well formed and correctly signed: it is refused for being revoked', async () => {
    const { signature, signed } = decode(sandbox.tokens.acme_revoked);
    expect(signature).toBe(createHmac('sha256', DEFAULT_SANDBOX_SECRET).update(signed).digest('base64url'));
    expect((await get(sandbox, '/me', { token: 'acme_revoked' })).status).toBe(401);
  });

  it('a validly signed token the sandbox never issued is refused', async () => {
    const claims = { iss: 'front', sub: '0123456789abcdef0123', iat: 1, jti: 'ffffffffffffffff', scopes: ['*'] };
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const sig = createHmac('sha256', DEFAULT_SANDBOX_SECRET).update(`${head}.${body}`).digest('base64url');
    expect((await get(sandbox, '/me', { authorization: `Bearer ${head}.${body}.${sig}` })).status).toBe(401);
  });

  it('alg none is refused', async () => {
    const head = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = sandbox.tokens.acme_private.split('.')[1] ?? '';
    expect((await get(sandbox, '/me', { authorization: `Bearer ${head}.${body}.` })).status).toBe(401);
  });
});
