import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server';
import { Keyring, type Store } from '../../src/store';
import { ADMIN, CHANNEL, userMessage, waitFor } from '../slack/helpers/harness';
import { startSlackStandIn, TEAM_ID, type RecordedCall, type SlackStandIn } from '../slack/helpers/slack-standin';
import { PostgresHarness, probePostgres, testPostgresUrl } from '../store/harness';
import { writeOperatorCause } from '../rules/operator-cause';
import { runCli, startServe, type LogLine, type ServeProcess } from './helpers';

/**
 * Three `front-why serve` processes on one PostgreSQL schema, as a deployment behind a load balancer runs them,
 * with the sandbox as Front. The sandbox's clock stands still inside one rate-limit minute, so the whole burst
 * meets one window of Front's own count: acme is on Starter (50 a minute), and the checks people start keep to 40%
 * of it.
 */

const url = testPostgresUrl();
const probe = probePostgres(url);
const where = new URL(url).host;

const RULES = path.join(__dirname, '../../rules');
const STARTER_LIMIT = 50;
/** FRONT_WHY_CHECK_SHARE_PERCENT's default: the checks people start keep to 40% of the company's minute. */
const CHECK_SHARE = 0.4;
const WAIT = 'Not checked: try again in';
const ERROR = (target: string) =>
  `{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"${target}\\""}}`;

let counter = 0;
/** A conversation no replica has asked about, so no cache stands in for Front. */
function freshConversation(): string {
  counter += 1;
  return `cnv_rp${randomBytes(3).toString('hex')}${counter.toString(36)}`;
}

const text = (call: RecordedCall) => JSON.stringify(call.args);

if (probe.ok) {
  describe('three serve processes on one PostgreSQL schema', () => {
    const botToken = `xoxb-${randomBytes(8).toString('hex')}-replicas`;
    const secret = randomBytes(16).toString('hex');
    const key = randomBytes(32).toString('base64');
    let dir: string;
    let rules: string;
    let pg: PostgresHarness;
    let slack: SlackStandIn;
    let sandbox: Sandbox;
    let store: Store;
    let replicas: ServeProcess[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'front-why-replicas-'));
      rules = path.join(dir, 'rules');
      cpSync(RULES, rules, { recursive: true });
      pg = await PostgresHarness.create(url);
      slack = await startSlackStandIn({ botToken });
      // Frozen a second into the next minute: every request of the test falls in one window of Front's count,
      // and its reset (the end of that minute) is still ahead on the replicas' own clocks.
      const frozen = Math.ceil(Date.now() / 60_000) * 60_000 + 1_000;
      sandbox = await startSandbox({ port: 0, clock: () => frozen });
      store = await pg.open(Keyring.parse(key));
      await store.addTenant({ name: 'acme', token: sandbox.tokens.acme_private, addedBy: ADMIN });
      await store.bindChannel({ teamId: TEAM_ID, channelId: CHANNEL, tenant: 'acme', boundBy: ADMIN });
      await store.setChannelSettings(TEAM_ID, CHANNEL, { listen: true });
      replicas = await Promise.all(
        ['a', 'b', 'c'].map((name) =>
          startServe(
            {
              SLACK_BOT_TOKEN: botToken,
              SLACK_SIGNING_SECRET: secret,
              SLACK_API_URL: slack.apiUrl,
              PORT: '0',
              FRONT_API_BASE_URL: sandbox.url,
              FRONT_WHY_DB: pg.location,
              FRONT_WHY_PID_FILE: path.join(dir, `${name}.pid`),
              FRONT_WHY_ENCRYPTION_KEY: key,
              FRONT_WHY_ADMINS: ADMIN,
              FRONT_WHY_RULES_DIR: rules,
              LOG_LEVEL: 'info',
            },
            secret,
          ),
        ),
      );
    }, 60_000);

    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.kill()));
      await sandbox?.close();
      await slack?.close();
      await pg?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Once no replica has a check running (each says so on /healthz), every reply there will be is posted. */
    async function allIdle(): Promise<void> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const running = await Promise.all(
          replicas.map(
            async (r) => ((await (await fetch(`${r.url}/healthz`)).json()) as { inflight: number }).inflight,
          ),
        );
        if (running.every((n) => n === 0)) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for the replicas' checks: ${running.join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    function answersIn(mark: number, pick: (call: RecordedCall) => boolean): RecordedCall[] {
      return slack.calls
        .slice(mark)
        .filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts !== undefined && c.answer?.ok && pick(c));
    }

    test("a burst for one Starter tenant spread over the three keeps front-why to its share of the company's minute", async () => {
      // Each replica counts the three (from their heartbeats) and keeps a third of the share.
      await Promise.all(
        replicas.map((r) =>
          r.waitForLog((l) => l.msg === 'live replicas changed' && l.replicas === 3, 'the replica to count three'),
        ),
      );
      const targets = Array.from({ length: 45 }, () => freshConversation());
      const mark = slack.calls.length;
      const acks = await Promise.all(
        targets.map((target, i) => replicas[i % 3]!.command(target, { responseUrl: slack.responseUrl() })),
      );
      expect(acks.map((a) => a.status)).toEqual(targets.map(() => 200));
      const answered = (c: RecordedCall) => text(c).includes('Cause:') || text(c).includes(WAIT);
      await waitFor(
        () => targets.every((t) => answersIn(mark, (c) => text(c).includes(t) && answered(c)).length > 0),
        'an answer to every command',
        60_000,
      );
      await allIdle();
      for (const target of targets) {
        expect({ target, answers: answersIn(mark, (c) => text(c).includes(target)).length }).toEqual({
          target,
          answers: 1,
        });
      }

      // Front's own count (the sandbox's), not front-why's view: one window, within the checks' share of it (40% of
      // 50), so the customer's integrations keep the rest, reserve included.
      const windows = sandbox.rateWindows().filter((w) => w.bucket === 'company:acme');
      expect(windows).toHaveLength(1);
      expect(windows[0]!.limit).toBe(STARTER_LIMIT);
      expect(windows[0]!.used).toBeLessThanOrEqual(CHECK_SHARE * STARTER_LIMIT);
      expect(sandbox.stats().byStatus['429']).toBeUndefined();
      // The burst wanted more than that, so the share, not a lack of demand, is what held it: those checks were
      // answered with how long to wait.
      const held = answersIn(mark, (c) => text(c).includes(WAIT));
      expect(held.length).toBeGreaterThan(0);
      // And the share went to checks that could finish: each replica answered at least one (when a check took one
      // unit to start, the started checks starved each other and the burst was answered by one or two, or none).
      expect(targets.length - held.length).toBeGreaterThanOrEqual(replicas.length);
    }, 90_000);

    test('each event, delivered to two replicas at once, is answered once', async () => {
      const messages = Array.from({ length: 6 }, () => userMessage(ERROR(freshConversation())));
      const mark = slack.calls.length;
      await Promise.all(
        messages.flatMap((message, i) => {
          const id = `Ev0REPLICAS${i}`;
          return [replicas[i % 3]!.event(message, id), replicas[(i + 1) % 3]!.event(message, id)];
        }),
      );
      await waitFor(
        () => messages.every((m) => answersIn(mark, (c) => c.args.thread_ts === m.ts).length > 0),
        'a reply to every event',
        30_000,
      );
      await allIdle();
      for (const m of messages) expect(answersIn(mark, (c) => c.args.thread_ts === m.ts)).toHaveLength(1);
    }, 60_000);

    /** The 'rules reloaded' line each replica logged after `marks`. */
    async function reloadedLines(marks: number[]): Promise<LogLine[]> {
      return Promise.all(
        replicas.map((r, i) =>
          r.waitForLog((l) => r.logs.indexOf(l) >= marks[i]! && l.msg === 'rules reloaded', 'the reload to be logged'),
        ),
      );
    }

    test('a reload on one replica is served by all three, and the admin is told so', async () => {
      const before = Number(replicas[0]!.logs.find((l) => l.msg === 'ready')?.rules);
      // One rule file more: each replica's count says whether it loaded the new set.
      writeOperatorCause(rules, {
        id: 'acme-proxy-blocked',
        wording: 'Blocked by the Acme proxy',
        customerCanFix: false,
        headline: 'The Acme proxy blocked the request',
      });
      const marks = replicas.map((r) => r.logs.length);
      const responseUrl = slack.responseUrl();
      const mark = slack.calls.length;
      await replicas[1]!.command('reload', { user: ADMIN, responseUrl });
      const lines = await reloadedLines(marks);
      const after = Number(lines[1]!.rules);
      expect(after).toBe(before + 1);
      expect(lines.map((l) => l.rules)).toEqual([after, after, after]);
      expect(lines.map((l) => l.trigger)).toEqual(['replica', 'slack', 'replica']);
      const told = await waitFor(
        () =>
          slack.calls.slice(mark).find((c) => c.method === 'response_url' && c.path === new URL(responseUrl).pathname),
        'the answer to the admin',
      );
      expect(text(told)).toContain(`Rules reloaded: *${after}* rule files loaded`);
      expect(text(told)).toContain(`Replicas: 3 replicas now serve ${after} rule files.`);

      // `front-why rules reload` reaches them through the store too, from any host with the database's address.
      rmSync(path.join(rules, 'acme-proxy-blocked.yml'));
      rmSync(path.join(rules, 'acme-proxy-blocked.test.yml'));
      const cliMarks = replicas.map((r) => r.logs.length);
      const run = await runCli(['rules', 'reload'], {
        FRONT_WHY_DB: pg.location,
        FRONT_WHY_ENCRYPTION_KEY: key,
        FRONT_WHY_RULES_DIR: rules,
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(`reloaded: 3 replicas now serve ${before} rule files\n`);
      expect(run.code).toBe(0);
      expect((await reloadedLines(cliMarks)).map((l) => l.rules)).toEqual([before, before, before]);
    }, 60_000);

    test('/readyz: ready while the store answers and rules are loaded', async () => {
      for (const r of replicas) {
        const res = await fetch(`${r.url}/readyz`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ ready: true });
      }
    });
  });
} else if (process.env.CI) {
  describe('three serve processes on one PostgreSQL schema', () => {
    it('needs a reachable PostgreSQL in CI', () => {
      throw new Error(
        `PostgreSQL at ${where} is unreachable (${probe.reason}); CI must run the replica tests against it.`,
      );
    });
  });
} else {
  process.stderr.write(
    `Skipping the three-process replica tests: PostgreSQL at ${where} is unreachable (${probe.reason}).\n`,
  );
  describe.skip('three serve processes on one PostgreSQL schema (PostgreSQL unreachable)', () => {
    it('runs against PostgreSQL', () => undefined);
  });
}
