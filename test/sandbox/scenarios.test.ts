import { BUILT_IN_RULES } from '../../src/config';
import { causesOf, loadRulesOrThrow } from '../../src/rules';
import { SANDBOX_SCENARIOS, startSandbox, TOKEN_NAMES, type Sandbox, type SandboxScenario } from '../../src/sandbox';
import { errorOf, get } from './helpers';

/**
 * Each demo scenario must still reproduce against the sandbox: the live answers a diagnosis would
 * see point at the scenario's expected cause. This keeps the scenarios honest when the seeds change.
 */

/** The causes the built-in rules declare: a scenario names one of them. */
const CAUSES = causesOf(loadRulesOrThrow(BUILT_IN_RULES));

const REQUIRED_CAUSES: string[] = [
  'teammate_api_access_disabled',
  'token_missing_private_scope',
  'token_workspace_restricted',
  'token_missing_permission',
  'token_invalid',
  'oauth_token_expired',
  'resource_not_found',
  'conversation_merged',
  'rate_limited',
  'front_unavailable',
  'not_reproducible',
];

function conversationIn(s: SandboxScenario): string | undefined {
  return /cnv_[0-9a-z]+/.exec(s.input)?.[0];
}

function privateOwner(sandbox: Sandbox, s: SandboxScenario, conversationId: string): string {
  const company = sandbox.companies[sandbox.tokenInfo[s.tokenName].company];
  const conversation = company.conversations.find((c) => c.id === conversationId);
  const inbox = company.inboxes.find((i) => conversation?.inboxIds.includes(i.id) && i.owner.kind === 'teammate');
  if (!inbox) throw new Error(`${s.name}: ${conversationId} is not in a private inbox`);
  return inbox.owner.id;
}

const COLLECTIONS: Record<string, [string, string]> = {
  msg: ['messages', 'message'],
  com: ['comments', 'comment'],
  inb: ['inboxes', 'inbox'],
  tag: ['tags', 'tag'],
  crd: ['contacts', 'contact'],
  rsp: ['message_templates', 'message_template'],
  sig: ['signatures', 'signature'],
  cha: ['channels', 'channel'],
  rul: ['rules', 'rule'],
};

/** The other private resource a scenario is about (not a conversation): its path, Front's kind word and owner. */
function resourceIn(
  sandbox: Sandbox,
  s: SandboxScenario,
): { path: string; kind: string; id: string; owner: string } | undefined {
  const company = sandbox.companies[sandbox.tokenInfo[s.tokenName].company];
  const listing = /\/teammates\/(tea_[0-9a-z]+)\/([a-z_]+)/.exec(s.input);
  if (listing?.[1] && listing[2] !== 'private_inboxes')
    return { path: `/teammates/${listing[1]}/${listing[2]}`, kind: 'teammate', id: listing[1], owner: listing[1] };
  const found = /\b(msg|com|inb|tag|crd|rsp|sig|cha|rul)_[0-9a-z]+/.exec(s.input);
  if (!found?.[1]) return undefined;
  const id = found[0];
  const [collection, kind] = COLLECTIONS[found[1]] as [string, string];
  const inboxOwner = (inboxIds: string[]): string | undefined =>
    company.inboxes.find((i) => inboxIds.includes(i.id) && i.owner.kind === 'teammate')?.owner.id;
  const conversationOf = (cid: string | undefined) => company.conversations.find((c) => c.id === cid);
  const owner =
    found[1] === 'msg'
      ? inboxOwner(company.conversations.find((c) => c.lastMessageId === id)?.inboxIds ?? [])
      : found[1] === 'com'
        ? inboxOwner(conversationOf(company.comments.find((c) => c.id === id)?.conversationId)?.inboxIds ?? [])
        : found[1] === 'inb'
          ? inboxOwner([id])
          : [...company.tags, ...company.resources].find((r) => r.id === id)?.owner?.id;
  if (!owner?.startsWith('tea_')) throw new Error(`${s.name}: ${id} does not belong to a teammate`);
  return { path: `/${collection}/${id}`, kind, id, owner };
}

const notAllowed = (kind: string, id: string): string =>
  `This agent is not allowed to read the "${kind}" with ID: "${id}"`;

describe('SANDBOX_SCENARIOS', () => {
  it('have unique names, known tokens and causes the built-in rules declare, and cover every required case', () => {
    const names = SANDBOX_SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of SANDBOX_SCENARIOS) {
      expect(CAUSES).toContain(s.expectedCause);
      expect(TOKEN_NAMES).toContain(s.tokenName);
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.input.trim()).not.toBe('');
    }
    const covered = new Set<string>(SANDBOX_SCENARIOS.map((s) => s.expectedCause));
    for (const cause of REQUIRED_CAUSES) expect([cause, covered.has(cause)]).toEqual([cause, true]);
    expect(SANDBOX_SCENARIOS.find((s) => s.expectedCause === 'front_unavailable')?.faults).toBeDefined();
    expect(SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')).toMatchObject({
      tokenName: 'acme_private',
      expectedCause: 'teammate_api_access_disabled',
    });
  });

  describe.each(SANDBOX_SCENARIOS.map((s) => [s.name, s] as const))('%s reproduces live', (_name, scenario) => {
    let sandbox: Sandbox;
    beforeEach(async () => {
      sandbox = await startSandbox({ port: 0 });
      if (scenario.faults) sandbox.setFaults(scenario.faults);
    });
    afterEach(() => sandbox.close());

    it(`points at ${scenario.expectedCause}`, async () => {
      const token = scenario.tokenName;
      const id = conversationIn(scenario);
      const teammateInInput = /tea_[0-9a-z]+/.exec(scenario.input)?.[0];
      const me = await get(sandbox, '/me', { token });

      switch (scenario.expectedCause) {
        case 'teammate_api_access_disabled': {
          expect(me.status).toBe(200);
          const resource = id ? undefined : resourceIn(sandbox, scenario);
          const owner = resource?.owner ?? teammateInInput ?? privateOwner(sandbox, scenario, id ?? '');
          if (resource) {
            // Refused on that very resource, as a private conversation is; a token with the private namespace
            // reads the same kind of resource of a teammate whose preference is on.
            const read = await get(sandbox, resource.path, { token });
            expect(read.status).toBe(403);
            expect(errorOf(read).message).toMatch(/not allowed to read the|do not have access to the resources/);
            sandbox.setApiAccess(owner, true);
            expect((await get(sandbox, resource.path, { token })).status).toBe(200);
            sandbox.setApiAccess(owner, false);
          }
          if (id) {
            const conv = await get(sandbox, `/conversations/${id}`, { token });
            expect([conv.status, errorOf(conv).message]).toEqual([403, notAllowed('conversation', id)]);
          }
          const access = await get(sandbox, `/teammates/${owner}/private_inboxes`, { token });
          expect([access.status, errorOf(access).message]).toEqual([
            403,
            'You do not have access to the resources of this teammate',
          ]);
          break;
        }
        case 'token_missing_private_scope':
        case 'oauth_token_private_resources': {
          expect(me.status).toBe(200);
          const resource = id ? undefined : resourceIn(sandbox, scenario);
          if (resource) {
            const read = await get(sandbox, resource.path, { token });
            expect([read.status, errorOf(read).message]).toEqual([403, notAllowed(resource.kind, resource.id)]);
            expect((await get(sandbox, resource.path, { token: 'acme_private' })).status).toBe(200);
          } else {
            const conv = await get(sandbox, `/conversations/${id}`, { token });
            expect([conv.status, errorOf(conv).message]).toEqual([403, notAllowed('conversation', id ?? '')]);
          }
          const owner = resource?.owner ?? privateOwner(sandbox, scenario, id ?? '');
          // The owner allows API access: only the token is in the way.
          const access = await get(sandbox, `/teammates/${owner}/private_inboxes`, { token });
          expect([access.status, errorOf(access).message]).toEqual([403, notAllowed('teammate', owner)]);
          expect((await get(sandbox, `/teammates/${owner}/private_inboxes`, { token: 'acme_private' })).status).toBe(
            200,
          );
          expect(sandbox.tokenInfo[token].kind).toBe(
            scenario.expectedCause === 'oauth_token_private_resources' ? 'oauth' : 'api',
          );
          break;
        }
        case 'token_workspace_restricted': {
          const conv = await get(sandbox, `/conversations/${id}`, { token });
          expect(conv.status).toBe(403);
          const inboxes = await get(sandbox, `/conversations/${id}/inboxes`, { token: 'acme_private' });
          const owners = (inboxes.json as { _results: { _links: { related: { owner: string } } }[] })._results.map(
            (i) => i._links.related.owner.split('/').pop(),
          );
          const teams = await get(sandbox, '/teams', { token });
          const visible = (teams.json as { _results: { id: string }[] })._results.map((t) => t.id);
          expect(owners.some((o) => visible.includes(o ?? ''))).toBe(false);
          break;
        }
        case 'token_missing_permission': {
          const inboxes = await get(sandbox, `/conversations/${id}/inboxes`, { token });
          expect([inboxes.status, errorOf(inboxes).message]).toEqual([
            403,
            'Token lacks the required `inboxes:read` scope',
          ]);
          expect((await get(sandbox, `/conversations/${id}`, { token })).status).toBe(200);
          break;
        }
        case 'token_invalid':
          expect(sandbox.tokenInfo[token].kind).toBe('api');
          if (scenario.name === 'integration_other_token') {
            // The token connected here works; the paste is the integration's 401.
            expect(me.status).toBe(200);
            expect(scenario.input).toMatch(/\b401\b/);
          } else {
            expect(me.status).toBe(401);
          }
          break;
        case 'company_mismatch': {
          const conv = await get(sandbox, `/conversations/${id}`, { token });
          expect([conv.status, errorOf(conv).message]).toEqual([404, `Unknown conversation ID ${id}`]);
          // It exists, in the other company.
          expect((await get(sandbox, `/conversations/${id}`, { token: 'globex_private' })).status).toBe(200);
          expect(scenario.input).toMatch(/403/);
          break;
        }
        case 'oauth_token_expired':
          expect(me.status).toBe(401);
          expect(sandbox.tokenInfo[token].kind).toBe('oauth');
          break;
        case 'resource_not_found': {
          const conv = await get(sandbox, `/conversations/${id}`, { token });
          expect([conv.status, errorOf(conv).message]).toEqual([404, `Unknown conversation ID ${id}`]);
          break;
        }
        case 'conversation_merged': {
          const conv = await get(sandbox, `/conversations/${id}`, { token });
          expect(conv.status).toBe(301);
          expect(conv.headers.location).toMatch(/\/conversations\/cnv_[0-9a-z]+$/);
          break;
        }
        case 'rate_limited':
          expect(me.status).toBe(429);
          expect(me.headers['x-ratelimit-remaining']).toBe('0');
          expect(me.headers['x-front-tier']).toBeUndefined();
          break;
        case 'rate_limited_burst': {
          const statuses: number[] = [];
          let last = me;
          for (let i = 0; i < 8; i++) {
            last = await get(sandbox, `/conversations/${id}`, { token });
            statuses.push(last.status);
          }
          expect(statuses).toContain(429);
          expect(last.headers['x-front-tier']).toBe('tier-2');
          expect(Number(last.headers['x-ratelimit-remaining'])).toBeGreaterThan(0);
          break;
        }
        case 'front_unavailable':
          expect(me.status).toBeGreaterThanOrEqual(500);
          if (id) expect((await get(sandbox, `/conversations/${id}`, { token })).status).toBeGreaterThanOrEqual(500);
          break;
        case 'not_reproducible':
          expect(me.status).toBe(200);
          expect((await get(sandbox, `/conversations/${id}`, { token })).status).toBe(200);
          expect(scenario.input).toMatch(/403|not allowed/);
          break;
        default:
          throw new Error(`no live check written for ${scenario.expectedCause}`);
      }
    });
  });
});
