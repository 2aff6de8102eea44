import { startSandbox, type Sandbox } from '../../src/sandbox';
import { errorOf, get } from './helpers';

// Acme's real Starter budget (50/min) would run out within this file; rate limits have their own tests.
const NO_LIMIT = { rateLimitPerMinute: 1_000_000 };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, faults: NO_LIMIT });
});
afterAll(() => sandbox.close());

const notAllowed = (kind: string, id: string): string =>
  `This agent is not allowed to read the "${kind}" with ID: "${id}"`;

describe('GET /me', () => {
  it('answers the company of the token, whatever its scopes', async () => {
    for (const token of [
      'acme_private',
      'acme_shared_only',
      'acme_workspace',
      'acme_no_inboxes_read',
      'acme_oauth',
    ] as const) {
      const res = await get(sandbox, '/me', { token });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ _links: { self: `${sandbox.url}/me` }, id: 'cmp_a3c1', name: 'Acme Support' });
    }
    const globex = await get(sandbox, '/me', { token: 'globex_private' });
    expect(globex.json).toMatchObject({ id: 'cmp_g10b', name: 'Globex' });
  });
});

describe('authentication', () => {
  const unauthenticated = { status: 401, title: 'Unauthenticated', message: 'JSON Web Token error' };

  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['a non-Bearer scheme', 'Basic dXNlcjpwYXNz'],
    ['garbage', 'Bearer not-a-jwt'],
  ])('answers 401 for %s', async (_label, authorization) => {
    const res = await get(sandbox, '/me', authorization === undefined ? {} : { authorization });
    expect(res.status).toBe(401);
    expect(errorOf(res)).toEqual(unauthenticated);
  });

  it('answers 401 for a token whose signature was tampered with', async () => {
    const [head, body] = sandbox.tokens.acme_private.split('.');
    const res = await get(sandbox, '/me', {
      authorization: `Bearer ${head}.${body}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
    });
    expect(res.status).toBe(401);
    expect(errorOf(res)).toEqual(unauthenticated);
  });

  it('answers 401 for a revoked token and an expired OAuth token, on every route', async () => {
    for (const token of ['acme_revoked', 'acme_oauth_expired'] as const) {
      for (const path of ['/me', '/conversations/cnv_yo1kg5s', '/teammates']) {
        const res = await get(sandbox, path, { token });
        expect(res.status).toBe(401);
        expect(errorOf(res)).toEqual(unauthenticated);
      }
    }
  });

  it('accepts the bearer scheme in any case', async () => {
    const res = await get(sandbox, '/me', { authorization: `bearer ${sandbox.tokens.acme_private}` });
    expect(res.status).toBe(200);
  });
});

describe('GET /conversations/{id}', () => {
  it('reads a private conversation when the token has the private scope and the owner allows API access', async () => {
    const res = await get(sandbox, '/conversations/cnv_yo1kg5r', { token: 'acme_private' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: 'cnv_yo1kg5r',
      is_private: true,
      assignee: { id: 'tea_6r55a', email: 'ada.moreno@acme.example' },
      _links: { self: `${sandbox.url}/conversations/cnv_yo1kg5r` },
    });
  });

  it('the original report: private scope, but the owner has the preference off → 403 not allowed to read', async () => {
    for (const token of ['acme_private', 'acme_legacy_all', 'acme_new_style'] as const) {
      const res = await get(sandbox, '/conversations/cnv_yo1kg5q', { token });
      expect(res.status).toBe(403);
      expect(errorOf(res)).toEqual({
        status: 403,
        title: 'Forbidden',
        message: notAllowed('conversation', 'cnv_yo1kg5q'),
      });
    }
  });

  it('without the private scope → 403 not allowed to read, even when the owner allows it', async () => {
    for (const token of ['acme_shared_only', 'acme_oauth'] as const) {
      const res = await get(sandbox, '/conversations/cnv_yo1kg5r', { token });
      expect(res.status).toBe(403);
      expect(errorOf(res)).toEqual({
        status: 403,
        title: 'Forbidden',
        message: notAllowed('conversation', 'cnv_yo1kg5r'),
      });
    }
  });

  it('shared conversations need only the shared scope', async () => {
    const res = await get(sandbox, '/conversations/cnv_yo1kg5s', { token: 'acme_shared_only' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: 'cnv_yo1kg5s', is_private: false, assignee: null, status: 'unassigned' });
  });

  it('a workspace-restricted token reads its workspace and nothing else', async () => {
    expect((await get(sandbox, '/conversations/cnv_yo1kg5s', { token: 'acme_workspace' })).status).toBe(200);
    const billing = await get(sandbox, '/conversations/cnv_yo1kg5t', { token: 'acme_workspace' });
    expect(billing.status).toBe(403);
    expect(errorOf(billing).message).toBe(notAllowed('conversation', 'cnv_yo1kg5t'));
    const privateOne = await get(sandbox, '/conversations/cnv_yo1kg5r', { token: 'acme_workspace' });
    expect(privateOne.status).toBe(403);
    expect(errorOf(privateOne).message).toBe(notAllowed('conversation', 'cnv_yo1kg5r'));
  });

  it('a conversation in a shared and a private inbox is readable through the shared one', async () => {
    const res = await get(sandbox, '/conversations/cnv_zq3ab14', { token: 'globex_shared_only' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ is_private: false });
  });

  it.each([
    ['an unknown ID with a valid prefix', 'cnv_zz9k2x1'],
    ['a wrong prefix', 'cn_123'],
    ['another company’s conversation', 'cnv_zq3ab10'],
    ['a message ID', 'msg_1q15qmtq'],
  ])('%s → 404 Unknown conversation ID', async (_label, id) => {
    const res = await get(sandbox, `/conversations/${id}`, { token: 'acme_private' });
    expect(res.status).toBe(404);
    expect(errorOf(res)).toEqual({ status: 404, title: 'Not found', message: `Unknown conversation ID ${id}` });
  });

  it('a merged conversation answers 301 with Location pointing at the conversation it was merged into', async () => {
    const res = await get(sandbox, '/conversations/cnv_yo1kg5u', { token: 'acme_private' });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`${sandbox.url}/conversations/cnv_yo1kg5s`);
    expect(res.text).toBe('');
    const inboxes = await get(sandbox, '/conversations/cnv_yo1kg5u/inboxes', { token: 'acme_private' });
    expect(inboxes.status).toBe(301);
    expect(inboxes.headers.location).toBe(`${sandbox.url}/conversations/cnv_yo1kg5s/inboxes`);
  });

  it('Globex tokens read Globex conversations', async () => {
    const res = await get(sandbox, '/conversations/cnv_zq3ab10', { token: 'globex_private' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: 'cnv_zq3ab10', assignee: { id: 'tea_7k20b' } });
  });
});

describe('GET /conversations/{id}/inboxes', () => {
  it('lists a private inbox with its teammate owner link', async () => {
    const res = await get(sandbox, '/conversations/cnv_yo1kg5r/inboxes', { token: 'acme_private' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      _pagination: { next: null },
      _links: { self: `${sandbox.url}/conversations/cnv_yo1kg5r/inboxes` },
      _results: [
        { id: 'inb_1ix8', is_private: true, _links: { related: { owner: `${sandbox.url}/teammates/tea_6r55a` } } },
      ],
    });
  });

  it('lists a shared inbox with its team owner link', async () => {
    const res = await get(sandbox, '/conversations/cnv_yo1kg5t/inboxes', { token: 'acme_private' });
    expect(res.json).toMatchObject({
      _results: [
        {
          id: 'inb_1ix7',
          name: 'Billing',
          is_private: false,
          _links: { related: { owner: `${sandbox.url}/teams/tim_k31` } },
        },
      ],
    });
  });

  it('without inboxes:read → 403 naming the permission, while the conversation itself reads fine', async () => {
    const res = await get(sandbox, '/conversations/cnv_yo1kg5s/inboxes', { token: 'acme_no_inboxes_read' });
    expect(res.status).toBe(403);
    expect(errorOf(res)).toEqual({
      status: 403,
      title: 'Forbidden',
      message: 'Token lacks the required `inboxes:read` scope',
    });
    expect((await get(sandbox, '/conversations/cnv_yo1kg5s', { token: 'acme_no_inboxes_read' })).status).toBe(200);
  });

  it('follows the conversation access rule: preference off or no private scope → 403 on the conversation', async () => {
    const off = await get(sandbox, '/conversations/cnv_yo1kg5q/inboxes', { token: 'acme_private' });
    expect(off.status).toBe(403);
    expect(errorOf(off).message).toBe(notAllowed('conversation', 'cnv_yo1kg5q'));
    const noScope = await get(sandbox, '/conversations/cnv_yo1kg5r/inboxes', { token: 'acme_shared_only' });
    expect(noScope.status).toBe(403);
    expect(errorOf(noScope).message).toBe(notAllowed('conversation', 'cnv_yo1kg5r'));
  });

  it('404 for an unknown conversation', async () => {
    const res = await get(sandbox, '/conversations/cnv_zz9k2x1/inboxes', { token: 'acme_private' });
    expect(res.status).toBe(404);
    expect(errorOf(res).message).toBe('Unknown conversation ID cnv_zz9k2x1');
  });

  it('lists only the inboxes the token can read', async () => {
    const shared = await get(sandbox, '/conversations/cnv_zq3ab14/inboxes', { token: 'globex_shared_only' });
    expect((shared.json as { _results: { id: string }[] })._results.map((i) => i.id)).toEqual(['inb_2b00']);
    const all = await get(sandbox, '/conversations/cnv_zq3ab14/inboxes', { token: 'globex_private' });
    expect((all.json as { _results: { id: string }[] })._results.map((i) => i.id)).toEqual(['inb_2b00', 'inb_2b04']);
  });
});

describe('teammates', () => {
  it('GET /teammates lists every teammate of the company', async () => {
    const res = await get(sandbox, '/teammates', { token: 'acme_shared_only' });
    expect(res.status).toBe(200);
    const ids = (res.json as { _results: { id: string }[] })._results.map((t) => t.id);
    expect(ids).toEqual(['tea_6r55a', 'tea_6r55b', 'tea_6r55c', 'tea_6r55d', 'tea_6r55e']);
  });

  it('GET /teammates paginates with limit and page_token', async () => {
    const first = await get(sandbox, '/teammates?limit=2', { token: 'acme_private' });
    const body = first.json as { _results: { id: string }[]; _pagination: { next: string | null } };
    expect(body._results.map((t) => t.id)).toEqual(['tea_6r55a', 'tea_6r55b']);
    expect(body._pagination.next).toMatch(new RegExp(`^${sandbox.url}/teammates\\?limit=2&page_token=`));
    const seen = [...body._results.map((t) => t.id)];
    let next = body._pagination.next;
    while (next) {
      const page = (await get(sandbox, next.slice(sandbox.url.length), { token: 'acme_private' })).json as typeof body;
      seen.push(...page._results.map((t) => t.id));
      next = page._pagination.next;
    }
    expect(seen).toHaveLength(5);
    expect((await get(sandbox, '/teammates?limit=0', { token: 'acme_private' })).status).toBe(400);
  });

  it('GET /teammates without paging lists the 200-teammate company whole; only its owner has the preference off', async () => {
    const list = await get(sandbox, '/teammates', { token: 'initech_private' });
    const body = list.json as { _results: { id: string; email: string }[]; _pagination: { next: string | null } };
    expect(body._results).toHaveLength(200);
    expect(body._pagination.next).toBeNull();
    const refused: string[] = [];
    for (const t of body._results) {
      const res = await get(sandbox, `/teammates/${t.id}/private_inboxes`, { token: 'initech_private' });
      if (res.status !== 200) refused.push(t.email);
    }
    expect(refused).toEqual(['peter.gibbons@initech.example']);
  });

  it('GET /teammates/{id} by ID and by alt:email alias (plain or URL-encoded)', async () => {
    const byId = await get(sandbox, '/teammates/tea_6r55b', { token: 'acme_private' });
    expect(byId.json).toMatchObject({ id: 'tea_6r55b', first_name: 'Bruno', last_name: 'Keller', type: 'user' });
    for (const alias of [
      'alt:email:bruno.keller@acme.example',
      encodeURIComponent('alt:email:Bruno.Keller@acme.example'),
    ]) {
      const res = await get(sandbox, `/teammates/${alias}`, { token: 'acme_private' });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: 'tea_6r55b' });
    }
  });

  it('GET /teammates/{id} answers 404 for an unknown teammate or another company’s', async () => {
    for (const id of ['tea_zzzz', 'tea_7k20a', 'alt:email:nobody@acme.example']) {
      const res = await get(sandbox, `/teammates/${id}`, { token: 'acme_private' });
      expect(res.status).toBe(404);
      expect(errorOf(res)).toEqual({ status: 404, title: 'Not found', message: `Unknown teammate ID ${id}` });
    }
  });
});

describe('GET /teammates/{id}/private_inboxes', () => {
  it('200 with the private inboxes when the token has the private scope and the preference is on', async () => {
    const res = await get(sandbox, '/teammates/tea_6r55a/private_inboxes', { token: 'acme_private' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      _results: [
        { id: 'inb_1ix8', is_private: true, _links: { related: { owner: `${sandbox.url}/teammates/tea_6r55a` } } },
      ],
    });
    const none = await get(sandbox, '/teammates/tea_6r55e/private_inboxes', { token: 'acme_private' });
    expect(none.status).toBe(200);
    expect((none.json as { _results: unknown[] })._results).toEqual([]);
  });

  it('403 "You do not have access to the resources of this teammate" when the preference is off', async () => {
    for (const id of ['tea_6r55b', 'tea_6r55d', 'alt:email:bruno.keller@acme.example']) {
      const res = await get(sandbox, `/teammates/${id}/private_inboxes`, { token: 'acme_private' });
      expect(res.status).toBe(403);
      expect(errorOf(res)).toEqual({
        status: 403,
        title: 'Forbidden',
        message: 'You do not have access to the resources of this teammate',
      });
    }
  });

  it('403 not allowed to read the teammate when the token lacks the private scope, whatever the preference', async () => {
    for (const token of ['acme_shared_only', 'acme_workspace', 'acme_oauth'] as const) {
      for (const id of ['tea_6r55a', 'tea_6r55b']) {
        const res = await get(sandbox, `/teammates/${id}/private_inboxes`, { token });
        expect(res.status).toBe(403);
        expect(errorOf(res)).toEqual({ status: 403, title: 'Forbidden', message: notAllowed('teammate', id) });
      }
    }
  });

  it('needs inboxes:read, and answers 404 for an unknown teammate', async () => {
    const res = await get(sandbox, '/teammates/tea_6r55a/private_inboxes', { token: 'acme_no_inboxes_read' });
    expect(errorOf(res).message).toBe('Token lacks the required `inboxes:read` scope');
    expect((await get(sandbox, '/teammates/tea_nope/private_inboxes', { token: 'acme_private' })).status).toBe(404);
  });

  it('the preference can be switched at run time (a teammate turning it on)', async () => {
    const local = await startSandbox({ port: 0, faults: NO_LIMIT });
    try {
      expect((await get(local, '/conversations/cnv_yo1kg5q', { token: 'acme_private' })).status).toBe(403);
      local.setApiAccess('bruno.keller@acme.example', true);
      expect((await get(local, '/conversations/cnv_yo1kg5q', { token: 'acme_private' })).status).toBe(200);
      expect((await get(local, '/teammates/tea_6r55b/private_inboxes', { token: 'acme_private' })).status).toBe(200);
      expect(() => local.setApiAccess('tea_nobody', true)).toThrow(/no sandbox teammate/);
    } finally {
      await local.close();
    }
    // Another sandbox starts from the seeds again.
    expect(sandbox.companies.acme.teammates.find((t) => t.id === 'tea_6r55b')?.apiAccessToIndividualResources).toBe(
      false,
    );
  });
});

describe('GET /teams', () => {
  it('lists every workspace, or only those a tim: token is restricted to', async () => {
    const all = await get(sandbox, '/teams', { token: 'acme_private' });
    expect((all.json as { _results: { id: string }[] })._results.map((t) => t.id)).toEqual(['tim_k30', 'tim_k31']);
    const restricted = await get(sandbox, '/teams', { token: 'acme_workspace' });
    expect(restricted.json).toEqual({
      _pagination: { next: null },
      _links: { self: `${sandbox.url}/teams` },
      _results: [{ _links: { self: `${sandbox.url}/teams/tim_k30` }, id: 'tim_k30', name: 'Support' }],
    });
  });
});

describe('anything else', () => {
  it.each(['/inboxes', '/teams/tim_k30', '/conversations', '/me/', '/conversations/cnv_yo1kg5s/messages', '/%E0%A4%A'])(
    '%s → 404 in the error envelope',
    async (path) => {
      const res = await get(sandbox, path, { token: 'acme_private' });
      expect(res.status).toBe(404);
      expect(errorOf(res)).toMatchObject({ status: 404, title: 'Not found' });
      expect(errorOf(res).message).toEqual(expect.any(String));
    },
  );

  it('other methods on known paths → 404', async () => {
    const { request } = await import('undici');
    const res = await request(`${sandbox.url}/me`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${sandbox.tokens.acme_private}` },
    });
    expect(res.statusCode).toBe(404);
    await res.body.text();
  });
});
