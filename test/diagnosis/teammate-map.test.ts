import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diagnose } from '../../src/diagnosis';
import { runAudit } from '../../src/diagnosis/audit';
import { connectTenant, liveAs, type TenantConnection } from '../../src/diagnosis/live';
import { storedTeammates, type StoredTeammates } from '../../src/diagnosis/teammate-map';
import { loadRulesOrThrow } from '../../src/rules';
import { NO_FAULTS, SANDBOX_SCENARIOS, startSandbox, type Sandbox } from '../../src/sandbox';
import { openStore, type Store } from '../../src/store';
import { keyring, newKey } from '../store/harness';
import { whoChanged } from '../../src/watch/who-changed';
import { diagnosesToText } from '../../src/diagnosis/text';
import { renderOutcome, renderOutcomeDetails } from '../../src/slack/render/blocks';
import { okOutcome } from './helpers';

/**
 * The seed case (a conversation in Bruno Keller's private inbox, refused for his preference) against the sandbox over
 * real HTTP, with a stored tenant and its teammate map in a real SQLite store; requests counted at the sandbox.
 */
const rules = loadRulesOrThrow(path.join(__dirname, '../../rules'));
const seed = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!;
const BRUNO = 'Bruno Keller <bruno.keller@acme.example>';
const HOUR = 60 * 60_000;
const TTL = 24 * HOUR;

let sandbox: Sandbox;
let dir: string;
let store: Store;
let now: number;
let teammates: StoredTeammates;
const connections: TenantConnection[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'front-why-teammate-map-'));
  store = await openStore(path.join(dir, 'front-why.db'), keyring(newKey()));
  await store.addTenant({ name: 'acme', token: sandbox.tokens[seed.tokenName] });
  now = Date.now();
  teammates = storedTeammates({ store, tenant: 'acme', ttlMs: TTL, clock: () => now });
  sandbox.setFaults({ ...NO_FAULTS });
  // Dmitri turned his preference on: Bruno is the only teammate of the five with it off.
  sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
  sandbox.setApiAccess('bruno.keller@acme.example', false);
  sandbox.resetRateLimits();
});

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await teammates.settled();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  sandbox.setApiAccess('dmitri.ivanov@acme.example', false);
});

function connect(): TenantConnection {
  const connection = connectTenant(
    sandbox.tokens[seed.tokenName],
    { baseUrl: sandbox.url, requestTimeoutMs: 2_000, timeoutMs: 5_000, maxCalls: 12 },
    undefined,
    undefined,
    teammates,
  );
  connections.push(connection);
  return connection;
}

/** One diagnosis of the seed case on a connection of its own (no cached answers), and the requests Front received. */
async function diagnoseSeed() {
  sandbox.resetStats();
  const outcome = okOutcome(await diagnose(seed.input, { rules, live: connect().live }));
  await teammates.settled();
  const stats = sandbox.stats();
  const teammateChecks = Object.entries(stats.byPath)
    .filter(([p]) => /^\/teammates\/[^/]+\//.test(p))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    first: outcome.diagnoses[0]!,
    requests: stats.byToken[seed.tokenName] ?? 0,
    sent: Object.keys(stats.byRequest).sort(),
    teammateChecks,
    outcome,
  };
}

async function audit(): Promise<void> {
  const connection = connect();
  await runAudit({
    gateway: connection.gateway,
    token: connection.live.token,
    deadline: Date.now() + 10_000,
    teammates: teammates.for('audit'),
  });
  await teammates.settled();
}

/**
 * What decides the cause before anyone is named: the conversation itself. Not its inboxes: Front refuses them in the
 * same words as the conversation. Not GET /me: the conversation refused in Front's words already proves the token
 * accepted and Front reachable. A sweep adds the teammate list and one request per teammate; the map, one per
 * candidate.
 */
const DECIDING = 1;
const DECIDING_REQUESTS = ['GET /conversations/cnv_yo1kg5q'];

test('cold: the requests that decide the cause, the list, and as many teammates as the rest of the 10% share allows', async () => {
  const { first, requests, sent, teammateChecks, outcome } = await diagnoseSeed();
  expect(first.cause).toBe('teammate_api_access_disabled');
  // 5 requests of Starter's 50 a minute in all: 2 spent before any teammate is checked, so 3 of the 5 are.
  expect(requests).toBe(5);
  expect(teammateChecks).toBe(3);
  expect(requests).toBe(DECIDING + 1 + teammateChecks);
  expect(sent.filter((r) => !r.startsWith('GET /teammates'))).toEqual(DECIDING_REQUESTS);
  // A partial check never names the owner, even when it found someone with the preference off.
  expect(first.owner).toMatchObject({ how: 'unfinished', checked: 3, total: 5 });
  expect(first.owner?.name).toBeUndefined();
  const text = diagnosesToText(outcome.diagnoses);
  expect(text).toContain('checked 3 of 5 teammates');
  expect(text).toContain('The other 2 teammates were not checked');

  // What the checks found goes into the map, but it is no sweep of the company: nothing to name the owner from yet.
  const map = await store.getTeammateMap((await store.getTenant('acme'))!.id);
  expect(map?.sweep).toBeNull();
  expect(map?.teammates).toHaveLength(3);
});

test('after an audit: the owner named with one request beyond those that decide, saying how old the map is and what confirmed it', async () => {
  await audit();
  now += 3 * HOUR;
  const { first, requests, sent, teammateChecks, outcome } = await diagnoseSeed();
  expect(first.cause).toBe('teammate_api_access_disabled');
  const confirmedBy = 'GET /teammates/tea_6r55b/private_inboxes: 403';
  expect(first.owner).toMatchObject({
    how: 'elimination',
    name: BRUNO,
    asOf: 'the audit 3 h ago',
    confirmedBy: [confirmedBy],
  });
  expect(teammateChecks).toBe(1);
  expect(requests).toBe(DECIDING + 1);
  expect(requests).toBeLessThanOrEqual(3);
  expect(sent).toEqual([...DECIDING_REQUESTS, 'GET /teammates/tea_6r55b/private_inboxes']);
  expect(first.headline).toContain(`${BRUNO} has "Allow access to my individual resources via the API" turned off`);
  expect(first.headline).toContain('as of the audit 3 h ago, still off in a live check just now');
  expect(first.evidence.map((e) => `${e.check}: ${e.result}`)).toContainEqual(
    expect.stringMatching(/^private inboxes of tea_6r55b: 403 You do not have access/),
  );
  // How old the knowledge is and which live check confirmed it, where the agent reads the answer: the CLI's text,
  // --json (the diagnosis as is, above) and Slack's first reply.
  const said = `As of the audit 3 h ago only they had it off of the 5 teammates, and a live check just now found it still off (${confirmedBy})`;
  expect(diagnosesToText(outcome.diagnoses)).toContain(said);
  const firstReply = JSON.stringify(renderOutcome(outcome, { tenant: 'acme' }));
  expect(firstReply).toContain(said);
  expect(JSON.stringify(renderOutcomeDetails(outcome, { tenant: 'acme' }))).toContain(
    `still off in a live check just now (${confirmedBy})`,
  );
});

test('the live check wins over the map: a candidate who turned the preference on since is dropped, and the map says so', async () => {
  sandbox.setApiAccess('dmitri.ivanov@acme.example', false);
  await audit();
  sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
  now += HOUR;
  const { first, requests, teammateChecks } = await diagnoseSeed();
  // Both candidates checked live; only Bruno still has it off, and everyone else had it on at the audit.
  expect(teammateChecks).toBe(2);
  expect(requests).toBe(DECIDING + 2);
  expect(first.owner).toMatchObject({ how: 'elimination', name: BRUNO, asOf: 'the audit 1 h ago' });
  const map = await store.getTeammateMap((await store.getTenant('acme'))!.id);
  expect(map?.teammates.filter((t) => !t.apiAccess).map((t) => t.name)).toEqual([BRUNO]);
  expect(map?.teammates.find((t) => t.teammateId === 'tea_6r55d')).toMatchObject({
    apiAccess: true,
    seenBy: 'diagnosis',
  });
});

test('a stale map is re-checked, not trusted: past the TTL a sweep starts again, within the share', async () => {
  sandbox.setApiAccess('dmitri.ivanov@acme.example', false);
  await audit();
  sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
  now += TTL + 60_000;
  const { first, requests, teammateChecks } = await diagnoseSeed();
  // The map's candidates are not asked: the list and the first teammates are, as cold.
  expect(teammateChecks).toBe(3);
  expect(requests).toBe(DECIDING + 1 + teammateChecks);
  expect(first.owner).toMatchObject({ how: 'unfinished', checked: 3, total: 5 });
  expect(first.owner?.asOf).toBeUndefined();
  expect(first.owner?.name).toBeUndefined();
  const map = await store.getTeammateMap((await store.getTenant('acme'))!.id);
  // Still the old audit's sweep: too old to be trusted, and this partial check does not make it new.
  expect(map?.sweep).toMatchObject({ seenBy: 'audit' });
});

test('a fresh map whose every candidate has the preference on now cannot name the owner: a sweep goes on, within the share', async () => {
  // At the audit Dmitri had it off and Bruno on; since then they swapped.
  sandbox.setApiAccess('dmitri.ivanov@acme.example', false);
  sandbox.setApiAccess('bruno.keller@acme.example', true);
  await audit();
  sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
  sandbox.setApiAccess('bruno.keller@acme.example', false);
  now += HOUR;
  const { first, requests, teammateChecks } = await diagnoseSeed();
  // The conversation, Dmitri (the candidate), the list, then two more teammates: 5 requests in all. Dmitri counts as
  // checked and is not asked again.
  expect(requests).toBe(5);
  expect(teammateChecks).toBe(3);
  expect(first.owner).toMatchObject({ how: 'unfinished', checked: 3, total: 5 });
  expect(first.owner?.asOf).toBeUndefined();
  expect(first.owner?.name).toBeUndefined();
  const map = await store.getTeammateMap((await store.getTenant('acme'))!.id);
  expect(map?.teammates.find((t) => t.teammateId === 'tea_6r55d')).toMatchObject({
    apiAccess: true,
    seenBy: 'diagnosis',
  });
});

test("a watch's re-check of the candidates writes what it found into the map, as the watch's", async () => {
  sandbox.setApiAccess('dmitri.ivanov@acme.example', false);
  await audit();
  const auditedAt = now;
  sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
  now += HOUR;
  const who = await whoChanged(
    { cause: 'teammate_api_access_disabled', owner: `one of ${BRUNO}, Dmitri Ivanov <dmitri.ivanov@acme.example>` },
    liveAs(connect(), 'watch'),
    Date.now,
    rules,
  );
  await teammates.settled();
  expect(who?.owner).toBe('Dmitri Ivanov <dmitri.ivanov@acme.example>');
  const map = await store.getTeammateMap((await store.getTenant('acme'))!.id);
  expect(map?.teammates.find((t) => t.teammateId === 'tea_6r55d')).toMatchObject({ apiAccess: true, seenBy: 'watch' });
  expect(map?.teammates.find((t) => t.teammateId === 'tea_6r55b')).toMatchObject({ apiAccess: false, seenBy: 'watch' });
  // A check of a few teammates is not a check of the company: the map is still as of the audit.
  expect(map?.sweep).toMatchObject({ seenBy: 'audit', completeAt: new Date(auditedAt) });
});
