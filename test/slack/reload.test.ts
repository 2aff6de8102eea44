import { ruleFileCount } from '../../src/rules';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN, AGENT, CHANNEL, startHarness, waitFor, type Harness } from './helpers/harness';
import type { RecordedCall } from './helpers/slack-standin';

/**
 * Rules reload in-process: the app's reloadRules (what SIGHUP calls) and the admin command. A good reload swaps
 * the set for the next checks; a broken file changes nothing and says where it is broken; a check already
 * running finishes with the set it started with.
 */

const RULES = path.join(__dirname, '../../rules');
const TEAPOT = '{"_error":{"status":418,"title":"Teapot","message":"short and stout"}}';
// The unknown rule's headline for an error with a status and no path, as the test's paste is.
const UNKNOWN_HEADLINE = `text: 'No rule explains this Front error yet ({{error.status}}, "{{error.message|no message}}"):`;

let h: Harness;
let dir: string;
let ruleCount: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'front-why-reload-'));
  cpSync(RULES, dir, { recursive: true });
  h = await startHarness({ env: { FRONT_WHY_RULES_DIR: dir }, sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, 'C0BOUND');
  ruleCount = ruleFileCount(h.app.rules);
});

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  h.sandbox.setFaults({ latencyMs: 0 });
});

/** Replaces `from` (which must be there) in one rule file of the temporary copy. */
function editRule(file: string, from: string, to: string): void {
  const target = path.join(dir, file);
  const text = readFileSync(target, 'utf8');
  expect(text).toContain(from);
  writeFileSync(target, text.replace(from, to));
}

/** Starts every headline line of a rule with `marker`: whichever line holds, the first reply shows it. */
function markHeadlines(file: string, marker: string): void {
  const target = path.join(dir, file);
  const text = readFileSync(target, 'utf8');
  const start = text.indexOf('\nheadline:');
  const end = text.indexOf('\nwhy:', start);
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  const marked = text
    .slice(start, end)
    .replace(/text: '/g, `text: '${marker} `)
    .replace(/^ {2}- '/gm, `  - '${marker} `);
  writeFileSync(target, text.slice(0, start) + marked + text.slice(end));
}

/** Puts every rule file back as the repository has it. */
function restoreRules(): void {
  cpSync(RULES, dir, { recursive: true });
}

function text(call: RecordedCall): string {
  return JSON.stringify(call.args);
}

/** The threaded answer to a check run in `channel` after `mark` (the reply carrying the cause). */
async function answerAfter(mark: number, channel = CHANNEL): Promise<string> {
  const reply = await waitFor(
    () =>
      h.slack.calls
        .slice(mark)
        .find(
          (c) =>
            c.method === 'chat.postMessage' &&
            c.args.channel === channel &&
            c.args.thread_ts &&
            text(c).includes('*Cause:*'),
        ),
    'the threaded answer',
    15_000,
  );
  return text(reply);
}

/** The first private answer (through a response_url) since `mark`. */
async function privateAnswer(mark: number): Promise<string> {
  const call = await waitFor(
    () => h.slack.calls.slice(mark).find((c) => c.method === 'response_url'),
    'the private answer',
  );
  return text(call);
}

describe('reloadRules (what SIGHUP calls)', () => {
  afterEach(() => {
    restoreRules();
    expect(h.app.reloadRules('test').ok).toBe(true);
  });

  test('a good reload is used by the next check, and reports how many rules are loaded', async () => {
    const before = h.slack.calls.length;
    await h.command(TEAPOT);
    expect(await answerAfter(before)).toContain('No rule explains this Front error yet');

    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'RELOADED-MARKER: no rule explains this Front error yet:");
    const result = h.app.reloadRules('SIGHUP');
    expect(result).toEqual({ ok: true, rules: ruleCount, previous: ruleCount, dir: expect.any(String) });
    const line = h.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'rules reloaded' && l.trigger === 'SIGHUP');
    expect(line).toMatchObject({ level: 30, rules: ruleCount, previous: ruleCount });

    const after = h.slack.calls.length;
    await h.command(TEAPOT);
    const answer = await answerAfter(after);
    expect(answer).toContain('RELOADED-MARKER');
    expect(answer).not.toContain('No rule explains this Front error yet');
  });

  test('a broken file keeps the old rules serving and reports file:line:col rule=<id>', async () => {
    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'GOOD-MARKER: no rule explains this Front error yet:");
    expect(h.app.reloadRules('test').ok).toBe(true);

    // Both a YAML error and a schema error, in two files: every problem is reported, and nothing is swapped in.
    editRule('unknown.yml', 'GOOD-MARKER', 'BROKEN-MARKER');
    writeFileSync(path.join(dir, 'zz-broken.yml'), 'id: zz-broken\ncause: [unclosed\n');
    editRule('rate-limited.yml', 'priority:', 'priorty:');
    const result = h.app.reloadRules('SIGHUP');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.serving).toBe(ruleCount);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/zz-broken\.yml:\d+:\d+ rule=zz-broken: YAML: /),
        expect.stringMatching(/rate-limited\.yml:\d+:\d+ rule=rate-limited: .*priorty/),
      ]),
    );
    const logged = h.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'rules reload failed; the rules already loaded keep serving');
    expect(logged).toMatchObject({ level: 50, trigger: 'SIGHUP', serving: ruleCount, errors: result.errors });
    expect(ruleFileCount(h.app.rules)).toBe(ruleCount);

    const mark = h.slack.calls.length;
    await h.command(TEAPOT);
    const answer = await answerAfter(mark);
    expect(answer).toContain('GOOD-MARKER');
    expect(answer).not.toContain('BROKEN-MARKER');
    rmSync(path.join(dir, 'zz-broken.yml'));
  });

  test('a check already running finishes with the rules it started with; the next one uses the new set', async () => {
    h.sandbox.setFaults({ latencyMs: 400 });
    h.sandbox.resetStats();
    const mark = h.slack.calls.length;
    await h.command('cnv_yo1kg5q', { channel: 'C0BOUND' });
    // Front has been asked: the check has its rule set by now.
    await waitFor(() => h.sandbox.stats().total > 0, 'the first request to Front');
    markHeadlines('teammate-api-access-disabled.yml', 'NEW-SET-MARKER');
    expect(h.app.reloadRules('test').ok).toBe(true);

    const first = await answerAfter(mark, 'C0BOUND');
    expect(first).toContain('Allow access to my individual resources via the API');
    expect(first).not.toContain('NEW-SET-MARKER');

    h.sandbox.setFaults({ latencyMs: 0 });
    const next = h.slack.calls.length;
    await h.command('cnv_yo1kg5q', { channel: 'C0BOUND' });
    expect(await answerAfter(next, 'C0BOUND')).toContain('NEW-SET-MARKER');
  });
});

describe('/front-why reload (admins)', () => {
  afterEach(() => {
    restoreRules();
    expect(h.app.reloadRules('test').ok).toBe(true);
  });

  test('an admin reloads and is told how many rules are loaded; it is audited', async () => {
    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'ADMIN-MARKER: no rule explains this Front error yet:");
    const mark0 = h.slack.calls.length;
    const { status } = await h.command('reload', { user: ADMIN });
    expect(status).toBe(200);
    const answer = await privateAnswer(mark0);
    expect(answer).toContain(`Rules reloaded: *${ruleCount}* rule files loaded`);
    expect(answer).toContain('"response_type":"ephemeral"');
    await h.idle();
    const [entry] = await h.store.listActivity({ limit: 1 });
    expect(entry).toMatchObject({
      action: 'rules.reload',
      actor: ADMIN,
      channelId: CHANNEL,
      detail: `slack: ${ruleCount} rule files loaded (was ${ruleCount})`,
    });

    const mark = h.slack.calls.length;
    await h.command(TEAPOT);
    expect(await answerAfter(mark)).toContain('ADMIN-MARKER');
  });

  test('a broken file: the admin sees file:line:col lines privately, and the old rules keep serving', async () => {
    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'NOT-LOADED-MARKER: no rule explains this Front error yet:");
    editRule('rate-limited.yml', 'priority:', 'priorty:');
    const mark0 = h.slack.calls.length;
    await h.command('reload', { user: ADMIN });
    const answer = await privateAnswer(mark0);
    expect(answer).toContain('did not load, so nothing changed');
    expect(answer).toContain(`the *${ruleCount}* rule files already loaded keep answering`);
    expect(answer).toMatch(/rate-limited\.yml:\d+:\d+ rule=rate-limited: /);
    await h.idle();
    const [entry] = await h.store.listActivity({ limit: 1 });
    expect(entry).toMatchObject({ action: 'rules.reload', actor: ADMIN, detail: expect.stringContaining('refused') });
    expect(
      h.logs.some(
        (l) => l.includes('rules reload failed') && l.includes('"trigger":"slack"') && l.includes(`"user":"${ADMIN}"`),
      ),
    ).toBe(true);

    const mark = h.slack.calls.length;
    await h.command(TEAPOT);
    expect(await answerAfter(mark)).not.toContain('NOT-LOADED-MARKER');
  });

  test('refused for a non-admin, and nothing is reloaded', async () => {
    editRule('unknown.yml', UNKNOWN_HEADLINE, "text: 'SNEAKY-MARKER: no rule explains this Front error yet:");
    const reloadsBefore = h.logs.filter((l) => l.includes('"msg":"rules reloaded"')).length;
    const mark0 = h.slack.calls.length;
    await h.command('reload', { user: AGENT });
    expect(await privateAnswer(mark0)).toContain('Only front-why admins can reload the rules');
    expect(h.logs.filter((l) => l.includes('"msg":"rules reloaded"')).length).toBe(reloadsBefore);

    const mark = h.slack.calls.length;
    await h.command(TEAPOT);
    expect(await answerAfter(mark)).not.toContain('SNEAKY-MARKER');
  });

  test('`/front-why help` lists it among the admin commands', async () => {
    const mark0 = h.slack.calls.length;
    await h.command('help');
    expect(await privateAnswer(mark0)).toContain('`/front-why reload`');
  });
});
