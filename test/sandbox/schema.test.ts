import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { ROUTES, startSandbox, type Sandbox, type TokenName } from '../../src/sandbox';
import { get } from './helpers';

/**
 * The sandbox's answers are held against Front's published OpenAPI schemas, so it cannot drift from
 * the shapes real Front returns. Each operation's 200 schema is looked up by path and method.
 */

const SPEC_PATH = path.resolve(__dirname, '../../vendor/front-openapi/core-api.json');
const SPEC_ID = 'https://front-why.test/core-api.json';
/** The same schemas with additionalProperties:false, so a misspelt or invented field fails too. */
const CLOSED_SPEC_ID = 'https://front-why.test/core-api.closed.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function loadSpec(): JsonObject {
  return JSON.parse(fs.readFileSync(SPEC_PATH, 'utf8')) as JsonObject;
}

/**
 * OpenAPI 3.0 → what ajv accepts: ajv honours `nullable` only next to `type`, so a nullable `$ref`
 * becomes anyOf [ref, null]; a nullable enum must list null; local refs are pointed at the spec's $id.
 */
function adapt(node: Json, closed = false): Json {
  if (Array.isArray(node)) return node.map((n) => adapt(n, closed));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples') {
      out[key] = value;
    } else if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
      out[key] = `${closed ? CLOSED_SPEC_ID : SPEC_ID}${value}`;
    } else {
      out[key] = adapt(value, closed);
    }
  }
  if (closed && out.properties && typeof out.properties === 'object' && !Array.isArray(out.properties)) {
    const props = out.properties;
    // Some list schemas omit `_pagination`, which every Front list carries and the other lists in this spec declare.
    if ('_results' in props && !('_pagination' in props)) {
      props._pagination = {
        type: 'object',
        properties: { next: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
        additionalProperties: false,
      };
    }
    // A field the spec requires but forgot to describe (TeammateResponse.license_type) is still part of it.
    if (Array.isArray(out.required))
      for (const name of out.required) if (typeof name === 'string' && !(name in props)) props[name] = {};
    if (out.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (out.nullable === true) {
    if (out.type === undefined) {
      const { nullable: _n, description, ...rest } = out;
      return { ...(description !== undefined ? { description } : {}), anyOf: [rest, { type: 'null' }] };
    }
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

function pointer(doc: JsonObject, ref: string): Json {
  const parts = ref
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: Json = doc;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(part in cur))
      throw new Error(`unresolvable ref ${ref}`);
    cur = cur[part] as Json;
  }
  return cur;
}

let spec: JsonObject;
let ajv: Ajv;
let closedAjv: Ajv;
let sandbox: Sandbox;

function operation(template: string, method: string): JsonObject {
  const paths = spec.paths as JsonObject;
  const op = (paths[template] as JsonObject | undefined)?.[method] as JsonObject | undefined;
  if (!op) throw new Error(`core-api.json has no ${method.toUpperCase()} ${template}`);
  return op;
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(template: string, method = 'get', closed = false): ValidateFunction {
  const key = `${method} ${template}${closed ? ' closed' : ''}`;
  const cached = validators.get(key);
  if (cached) return cached;
  let response = (operation(template, method).responses as JsonObject)['200'] as JsonObject;
  if (typeof response.$ref === 'string') response = pointer(spec, response.$ref) as JsonObject;
  const schema = ((response.content as JsonObject)['application/json'] as JsonObject).schema;
  if (!schema) throw new Error(`no application/json 200 schema for ${key}`);
  const validate = (closed ? closedAjv : ajv).compile(adapt(schema, closed) as object);
  validators.set(key, validate);
  return validate;
}

function expectValid(template: string, body: unknown, label: string): void {
  for (const closed of [false, true]) {
    const validate = validatorFor(template, 'get', closed);
    if (!validate(body)) {
      const how = closed ? ' (no fields beyond the spec)' : '';
      const errors = (validate.errors ?? []).map(
        (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
      );
      throw new Error(`${label} does not match core-api.json ${template}${how}:\n${errors.join('\n')}`);
    }
  }
}

beforeAll(async () => {
  spec = loadSpec();
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: SPEC_ID, components: adapt(spec.components as Json) } as object);
  closedAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  closedAjv.addSchema({ $id: CLOSED_SPEC_ID, components: adapt(spec.components as Json, true) } as object);
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 1_000_000 } });
  // Every teammate allows API access here, so every seeded conversation can be fetched and checked.
  for (const company of Object.values(sandbox.companies))
    for (const t of company.teammates) sandbox.setApiAccess(t.id, true);
});
afterAll(() => sandbox?.close());

const TOKEN_OF = {
  acme: 'acme_legacy_all',
  globex: 'globex_legacy_all',
  initech: 'initech_private',
} as const satisfies Record<string, TokenName>;

describe('route table against the spec', () => {
  it('every sandbox route exists in core-api.json and requires the same permission', () => {
    for (const route of ROUTES) {
      const op = operation(route.template, route.method.toLowerCase());
      const required = (op['x-required-scopes'] as string[] | undefined) ?? [];
      expect({ route: route.template, required }).toEqual({
        route: route.template,
        required: route.requiredPermission ? [route.requiredPermission] : [],
      });
    }
  });
});

describe('the validators are not vacuous', () => {
  it('rejects a conversation without is_private, with a bad status, or a bad assignee', async () => {
    const res = await get(sandbox, '/conversations/cnv_yo1kg5r', { token: 'acme_private' });
    const good = res.json as Record<string, unknown>;
    const validate = validatorFor('/conversations/{conversation_id}');
    expect(validate(good)).toBe(true);
    const { is_private: _omit, ...missing } = good;
    expect(validate(missing)).toBe(false);
    expect(validate({ ...good, status: 'closed' })).toBe(false);
    expect(validate({ ...good, assignee: { id: 'tea_1' } })).toBe(false);
    expect(validate({ ...good, assignee: null })).toBe(true);
  });

  it('the closed variant rejects a field the spec does not define', async () => {
    const res = await get(sandbox, '/teammates/tea_6r55a', { token: 'acme_private' });
    const validate = validatorFor('/teammates/{teammate_id}', 'get', true);
    expect(validate(res.json)).toBe(true);
    expect(validate({ ...(res.json as object), api_access: true })).toBe(false);
    expect(validatorFor('/teammates/{teammate_id}')({ ...(res.json as object), api_access: true })).toBe(true);
  });

  it('rejects an inbox list whose items have the wrong types', () => {
    const validate = validatorFor('/conversations/{conversation_id}/inboxes');
    expect(validate({ _results: [{ id: 'inb_1', is_private: 'yes' }] })).toBe(false);
    expect(validate({ _results: [{ id: 'inb_1', is_private: true }] })).toBe(true);
  });
});

describe('responses match core-api.json', () => {
  it('GET /me', async () => {
    for (const token of ['acme_private', 'globex_private', 'acme_workspace'] as const) {
      expectValid('/me', (await get(sandbox, '/me', { token })).json, `GET /me (${token})`);
    }
  });

  it('GET /conversations/{conversation_id} and /inboxes, for every seeded conversation', async () => {
    let checked = 0;
    for (const company of Object.values(sandbox.companies)) {
      for (const c of company.conversations) {
        const token = TOKEN_OF[company.key];
        const conv = await get(sandbox, `/conversations/${c.id}`, { token });
        expect(conv.status).toBe(200);
        expectValid('/conversations/{conversation_id}', conv.json, `GET /conversations/${c.id}`);
        const inboxes = await get(sandbox, `/conversations/${c.id}/inboxes`, { token });
        expect(inboxes.status).toBe(200);
        expectValid('/conversations/{conversation_id}/inboxes', inboxes.json, `GET /conversations/${c.id}/inboxes`);
        checked++;
      }
    }
    expect(checked).toBe(11);
  });

  it('GET /teammates (whole and paged), /teammates/{id} (ID and alias), /teammates/{id}/private_inboxes', async () => {
    for (const company of Object.values(sandbox.companies)) {
      const token = TOKEN_OF[company.key];
      expectValid('/teammates', (await get(sandbox, '/teammates', { token })).json, 'GET /teammates');
      expectValid('/teammates', (await get(sandbox, '/teammates?limit=2', { token })).json, 'GET /teammates?limit=2');
      for (const t of company.teammates) {
        expectValid(
          '/teammates/{teammate_id}',
          (await get(sandbox, `/teammates/${t.id}`, { token })).json,
          `GET /teammates/${t.id}`,
        );
        expectValid(
          '/teammates/{teammate_id}',
          (await get(sandbox, `/teammates/alt:email:${t.email}`, { token })).json,
          `GET /teammates/alt:email:${t.email}`,
        );
        const inboxes = await get(sandbox, `/teammates/${t.id}/private_inboxes`, { token });
        expect(inboxes.status).toBe(200);
        expectValid('/teammates/{teammate_id}/private_inboxes', inboxes.json, `GET /teammates/${t.id}/private_inboxes`);
      }
    }
  });

  it('GET of every seeded resource that can be private, and every teammate listing', async () => {
    let checked = 0;
    const check = async (template: string, path: string, token: TokenName): Promise<void> => {
      const res = await get(sandbox, path, { token });
      expect([path, res.status]).toEqual([path, 200]);
      expectValid(template, res.json, `GET ${path}`);
      checked++;
    };
    for (const company of Object.values(sandbox.companies)) {
      const token = TOKEN_OF[company.key];
      for (const c of company.conversations)
        await check('/messages/{message_id}', `/messages/${c.lastMessageId}`, token);
      for (const c of company.comments) await check('/comments/{comment_id}', `/comments/${c.id}`, token);
      for (const i of company.inboxes) await check('/inboxes/{inbox_id}', `/inboxes/${i.id}`, token);
      for (const t of company.tags) await check('/tags/{tag_id}', `/tags/${t.id}`, token);
      const collections = {
        contact: ['contacts', 'contact_id'],
        message_template: ['message_templates', 'message_template_id'],
        signature: ['signatures', 'signature_id'],
        channel: ['channels', 'channel_id'],
        rule: ['rules', 'rule_id'],
      } as const;
      for (const r of company.resources) {
        const [collection, param] = collections[r.kind];
        await check(`/${collection}/{${param}}`, `/${collection}/${r.id}`, token);
      }
      for (const t of company.teammates) {
        for (const listing of [
          'tags',
          'contacts',
          'message_templates',
          'signatures',
          'channels',
          'inboxes',
          'rules',
          'conversations',
        ])
          await check(`/teammates/{teammate_id}/${listing}`, `/teammates/${t.id}/${listing}`, token);
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('GET /teams, unrestricted and workspace-restricted', async () => {
    for (const token of ['acme_private', 'acme_workspace', 'globex_private'] as const) {
      expectValid('/teams', (await get(sandbox, '/teams', { token })).json, `GET /teams (${token})`);
    }
  });
});
