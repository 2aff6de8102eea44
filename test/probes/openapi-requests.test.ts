import * as fs from 'node:fs';
import path from 'node:path';
import { diagnose } from '../../src/diagnosis';
import { runAudit } from '../../src/diagnosis/audit';
import {
  PRIVATE_KINDS,
  TEAMMATE_LISTINGS,
  frontPaths,
  resourcePath,
  type PrivateKind,
  type TeammateListing,
} from '../../src/front';
import { loadRulesOrThrow } from '../../src/rules';
import { NO_FAULTS, SANDBOX_SCENARIOS, TOKEN_NAMES, type Sandbox } from '../../src/sandbox';
import { okOutcome, useLiveSandbox } from '../diagnosis/helpers';

/**
 * Every request the probes can send must be one Front's OpenAPI document defines: the method on that path
 * template, path parameters of the declared shape, and no query parameter the operation does not list. The
 * requests are the ones the sandbox received while every scenario was diagnosed live and every tenant audited,
 * plus every path the builders can make for each kind of resource.
 */

const SPEC_PATH = path.resolve(__dirname, '../../vendor/front-openapi/core-api.json');

type Json = Record<string, unknown>;
interface Operation {
  key: string;
  method: string;
  template: string;
  regex: RegExp;
  pathParams: { name: string; pattern?: RegExp }[];
  queryParams: Set<string>;
}

function loadOperations(): Operation[] {
  const spec = JSON.parse(fs.readFileSync(SPEC_PATH, 'utf8')) as Json;
  const resolve = (node: Json): Json => {
    if (typeof node.$ref !== 'string') return node;
    let cur: unknown = spec;
    for (const part of node.$ref.replace(/^#\//, '').split('/')) cur = (cur as Json)[part];
    return cur as Json;
  };
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths as Json)) {
    const pathItem = item as Json;
    const shared = ((pathItem.parameters as Json[] | undefined) ?? []).map(resolve);
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = pathItem[method] as Json | undefined;
      if (!op) continue;
      const params = [...shared, ...((op.parameters as Json[] | undefined) ?? []).map(resolve)];
      const names: string[] = [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      operations.push({
        key: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        regex: new RegExp(`^${source}$`),
        pathParams: names.map((name) => {
          const declared = params.find((p) => p.in === 'path' && p.name === name);
          if (!declared) throw new Error(`${template}: path parameter ${name} is not declared`);
          const schema = (declared.schema ?? {}) as Json;
          return {
            name,
            ...(typeof schema.pattern === 'string' ? { pattern: new RegExp(schema.pattern) } : {}),
          };
        }),
        queryParams: new Set(params.filter((p) => p.in === 'query').map((p) => p.name as string)),
      });
    }
  }
  return operations;
}

const operations = loadOperations();

/** The operation a request is, or why it is none. A concrete path wins over a template ("/me" over "/{x}"). */
function check(request: string): { ok: true; operation: string } | { ok: false; problem: string } {
  const [method, target] = request.split(' ', 2) as [string, string];
  const url = new URL(target, 'https://api2.frontapp.com');
  const candidates = operations
    .filter((op) => op.method === method && op.regex.test(url.pathname))
    .sort((a, b) => a.pathParams.length - b.pathParams.length);
  const op = candidates[0];
  if (!op) return { ok: false, problem: `${request}: no ${method} operation in core-api.json has this path` };
  const values = op.regex.exec(url.pathname)!.slice(1);
  for (const [i, param] of op.pathParams.entries()) {
    const value = decodeURIComponent(values[i] ?? '');
    if (value === '' || value.includes('/'))
      return { ok: false, problem: `${request}: path parameter ${param.name} is empty or spans segments` };
    if (param.pattern && !param.pattern.test(value))
      return { ok: false, problem: `${request}: ${param.name} does not match ${String(param.pattern)}` };
  }
  for (const name of url.searchParams.keys())
    if (!op.queryParams.has(name))
      return { ok: false, problem: `${request}: ${op.key} defines no query parameter "${name}"` };
  return { ok: true, operation: op.key };
}

function checkAll(requests: string[]): Set<string> {
  const problems: string[] = [];
  const matched = new Set<string>();
  for (const request of requests) {
    const result = check(request);
    if (result.ok) matched.add(result.operation);
    else problems.push(result.problem);
  }
  expect(problems).toEqual([]);
  return matched;
}

const rules = loadRulesOrThrow(path.join(__dirname, '../../rules'));
let sandbox: Sandbox;
const { connect } = useLiveSandbox((s) => {
  sandbox = s;
});

describe('the checker', () => {
  it('refuses a path, a method or a query parameter core-api.json does not define', () => {
    expect(check('GET /tags/tag_1/owner')).toMatchObject({ ok: false });
    expect(check('GET /teammates/tea_1/notes')).toMatchObject({ ok: false });
    expect(check('GET /teammates?sort=name')).toMatchObject({ ok: false });
    expect(check('PUT /me')).toMatchObject({ ok: false });
    expect(check('GET /conversations/')).toMatchObject({ ok: false });
  });

  it('accepts what the document defines, query parameters included', () => {
    expect(check('GET /me')).toEqual({ ok: true, operation: 'GET /me' });
    expect(check('GET /teammates/tea_1/tags?limit=50&page_token=abc')).toEqual({
      ok: true,
      operation: 'GET /teammates/{teammate_id}/tags',
    });
    expect(check('GET /teammates/alt:email:ada%40acme.example')).toEqual({
      ok: true,
      operation: 'GET /teammates/{teammate_id}',
    });
  });
});

describe('every request the probes send is in core-api.json', () => {
  it('while every sandbox scenario is diagnosed live, its ID typed bare too, and every tenant audited', async () => {
    const bareReads: string[] = [];
    for (const scenario of SANDBOX_SCENARIOS) {
      sandbox.setFaults({ ...NO_FAULTS, ...scenario.faults });
      sandbox.resetRateLimits();
      const outcome = okOutcome(await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live }));
      expect([scenario.name, outcome.diagnoses[0]?.cause]).toEqual([scenario.name, scenario.expectedCause]);
      // The ID of what was refused, typed on its own, is read the same way (`/front-why tag_3b0c1`).
      const bare = /\b(?:msg|com|inb|tag|crd|rsp|sig|cha|rul)_[0-9a-z]+/.exec(scenario.input)?.[0];
      if (bare) {
        const before = sandbox.stats().total;
        okOutcome(await diagnose(bare, { rules, live: connect(scenario.tokenName).live }));
        expect(sandbox.stats().total).toBeGreaterThan(before);
        bareReads.push(bare.slice(0, 3));
      }
    }
    expect(new Set(bareReads)).toEqual(new Set(['msg', 'com', 'inb', 'tag', 'crd', 'rsp', 'sig', 'cha', 'rul']));
    sandbox.setFaults({ ...NO_FAULTS });
    for (const tokenName of TOKEN_NAMES) {
      sandbox.resetRateLimits();
      const { live, gateway } = connect(tokenName);
      await runAudit({ gateway, token: live.token, deadline: Date.now() + 10_000 });
    }
    const requests = Object.keys(sandbox.stats().byRequest);
    const matched = checkAll(requests);
    // Every kind of resource the diagnosis reads was among them.
    expect([...matched].sort()).toEqual(
      expect.arrayContaining([
        'GET /me',
        'GET /conversations/{conversation_id}',
        'GET /conversations/{conversation_id}/inboxes',
        'GET /teammates',
        'GET /teammates/{teammate_id}',
        'GET /teammates/{teammate_id}/private_inboxes',
        'GET /teammates/{teammate_id}/tags',
        'GET /teams',
        'GET /messages/{message_id}',
        'GET /comments/{comment_id}',
        'GET /inboxes/{inbox_id}',
        'GET /tags/{tag_id}',
        'GET /contacts/{contact_id}',
        'GET /message_templates/{message_template_id}',
        'GET /signatures/{signature_id}',
        'GET /channels/{channel_id}',
        'GET /rules/{rule_id}',
      ]),
    );
    expect(matched.size).toBe(17);
  });

  it('for every path the builders can make, for every kind of resource and teammate listing', () => {
    const kinds = Object.keys(PRIVATE_KINDS) as PrivateKind[];
    const listings = Object.keys(TEAMMATE_LISTINGS) as TeammateListing[];
    const paths = [
      frontPaths.me(),
      frontPaths.conversation('cnv_yo1kg5q'),
      frontPaths.conversationInboxes('cnv_yo1kg5q'),
      frontPaths.teammates(),
      frontPaths.teammate('tea_6r55b'),
      frontPaths.teammate('ada.moreno@acme.example'),
      frontPaths.teammatePrivateInboxes('tea_6r55b'),
      frontPaths.teams(),
      ...kinds
        .filter((kind) => kind !== 'conversation')
        .map((kind) =>
          resourcePath({
            kind: kind as Exclude<PrivateKind, 'conversation'>,
            id: `${PRIVATE_KINDS[kind].prefix}_1a2b`,
          }),
        ),
      ...listings.map((listing) => resourcePath({ kind: 'teammate_resources', teammate: 'tea_6r55b', listing })),
      ...listings.map((listing) =>
        resourcePath({ kind: 'teammate_resources', teammate: 'alt:email:ada.moreno@acme.example', listing }),
      ),
    ];
    const matched = checkAll(paths.map((p) => `GET ${p}`));
    // Seven operations besides the resources (the alias reads the same one); private_inboxes is among the listings.
    expect(matched.size).toBe(7 + (kinds.length - 1) + (listings.length - 1));
  });
});
