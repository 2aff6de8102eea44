import { randomBytes } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { connectTenant } from '../../src/diagnosis/live';
import { createLogger } from '../../src/log';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { AuditScheduler } from '../../src/slack/checks/audit-scheduler';
import { auditThrough, postAuditChange } from '../../src/slack/checks/scheduled-audit';
import { TenantConnections } from '../../src/slack/checks/tenant-connections';
import type { Store } from '../../src/store';
import {
  keyring,
  newKey,
  PostgresHarness,
  probePostgres,
  SqliteHarness,
  testPostgresUrl,
  type Harness,
} from '../store/harness';
import { startSlackStandIn, TEAM_ID, type SlackStandIn } from './helpers/slack-standin';

const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T08:00:00.000Z');
const pg = probePostgres(testPostgresUrl());

/** Everything a scheduled audit touches is real: the store, the Front sandbox, the Slack client and its stand-in. */
interface World {
  store: Store;
  clock: { now: number };
  scheduler(holder: string, store?: Store): AuditScheduler;
  /** The text of every message the stand-in received, in order. */
  posts(): string[];
  /** Runs after each audit's sweep, before the scheduler records and posts what it found. */
  afterSweep?: () => Promise<void>;
}

function describeScheduling(kind: 'sqlite' | 'postgres', makeHarness: () => Promise<Harness>): void {
  describe(`scheduled audits (${kind})`, () => {
    let h: Harness;
    let sandbox: Sandbox;
    let slack: SlackStandIn;
    let connections: TenantConnections[];
    let world: World;
    const key = keyring(newKey());

    beforeEach(async () => {
      h = await makeHarness();
      sandbox = await startSandbox({ port: 0 });
      const botToken = `xoxb-${randomBytes(6).toString('hex')}`;
      slack = await startSlackStandIn({ botToken });
      connections = [];
      const clock = { now: T0 };
      const store = await h.open(key, { clock: () => new Date(clock.now) });
      const client = new webApi.WebClient(botToken, { slackApiUrl: slack.apiUrl });
      const logger = createLogger({ level: 'silent' });
      await store.addTenant({ name: 'acme', token: sandbox.tokens.acme_private });
      for (const channelId of ['C0ONE', 'C0TWO'])
        await store.bindChannel({ teamId: TEAM_ID, channelId, tenant: 'acme', boundBy: 'U0ADMIN' });
      world = {
        store,
        clock,
        scheduler(holder, on = store) {
          const tenants = new TenantConnections(
            (token) =>
              connectTenant(token, { baseUrl: sandbox.url, requestTimeoutMs: 2_000, timeoutMs: 5_000, maxCalls: 12 }),
            on,
            undefined,
          );
          connections.push(tenants);
          return new AuditScheduler({
            store: on,
            clock: () => clock.now,
            holder,
            // The Front connection keeps real time (the sandbox checks token expiry against it); the schedule runs on the test clock.
            audit: async (tenant, tenantId) => {
              const report = await auditThrough(tenants, Date.now)(tenant, tenantId);
              await world.afterSweep?.();
              return report;
            },
            post: postAuditChange(client),
            logger,
          });
        },
        posts: () => slack.callsTo('chat.postMessage').map((c) => JSON.stringify(c.args.blocks)),
      };
    });

    afterEach(async () => {
      await Promise.all(connections.map((c) => c.closeAll()));
      await h.dispose();
      await slack.close();
      await sandbox.close();
    });

    it('records a baseline once, then posts on a change and stays silent without one, across a restart', async () => {
      const { store, clock } = world;
      await store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: 'U0ADMIN', nextRunAt: new Date(T0) });
      const first = world.scheduler('replica-a');

      expect(await first.runDue()).toBe(1);
      // One baseline per bound channel, naming who already has the preference off.
      expect(slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual(['C0ONE', 'C0TWO']);
      expect(world.posts()[0]).toContain('baseline recorded');
      expect(world.posts()[0]).toContain('Bruno Keller');
      expect(world.posts()[0]).toContain('Dmitri Ivanov');

      // Not due again before a day has passed; due then, and nothing changed: nothing posted.
      clock.now += DAY - 1;
      expect(await first.runDue()).toBe(0);
      clock.now += 1;
      expect(await first.runDue()).toBe(1);
      expect(world.posts()).toHaveLength(2);

      // Erin turns the preference off: she will fail next, so both channels hear it, once.
      sandbox.setApiAccess('erin.walsh@acme.example', false);
      clock.now += DAY;
      expect(await first.runDue()).toBe(1);
      expect(world.posts()).toHaveLength(4);
      expect(world.posts()[2]).toContain('Newly with');
      expect(world.posts()[2]).toContain('Erin Walsh');
      expect(world.posts()[2]).not.toContain('Bruno Keller');
      clock.now += DAY;
      expect(await first.runDue()).toBe(1);
      expect(world.posts()).toHaveLength(4);

      // A restart: a new store connection and scheduler compare with the stored result, not a fresh baseline.
      await first.stop();
      const reopened = await h.open(key, { clock: () => new Date(clock.now) });
      const second = world.scheduler('replica-b', reopened);
      sandbox.setApiAccess('bruno.keller@acme.example', true);
      clock.now += DAY;
      expect(await second.runDue()).toBe(1);
      expect(world.posts()).toHaveLength(6);
      expect(world.posts()[4]).toContain('Turned it on');
      expect(world.posts()[4]).toContain('Bruno Keller');
      expect(world.posts()[4]).not.toContain('baseline');
      expect((await reopened.getAuditResult('acme'))?.preferenceOff.map((t) => t.name).sort()).toEqual([
        expect.stringContaining('Dmitri Ivanov'),
        expect.stringContaining('Erin Walsh'),
      ]);

      const actions = (await reopened.listActivity({ tenant: 'acme', limit: 1000 })).map((e) => e.action);
      expect(actions.filter((a) => a === 'audit.scheduled')).toHaveLength(5);
      expect(actions.filter((a) => a === 'audit.notice')).toHaveLength(6);
    });

    it('says when the token stops working and when it works again', async () => {
      const { store, clock } = world;
      await store.setAuditSchedule({ tenant: 'acme', cadence: 'weekly', setBy: 'U0ADMIN', nextRunAt: new Date(T0) });
      const scheduler = world.scheduler('replica-a');
      await scheduler.runDue();
      await store.replaceTenantToken('acme', sandbox.tokens.acme_revoked);
      clock.now += 7 * DAY;
      expect(await scheduler.runDue()).toBe(1);
      expect(world.posts()).toHaveLength(4);
      expect(world.posts()[2]).toContain('The token stopped working');
      // The teammates were not checked with a refused token: nobody reads as having turned it on.
      expect(world.posts()[2]).not.toContain('Turned it on');
      clock.now += 7 * DAY;
      expect(await scheduler.runDue()).toBe(1);
      expect(world.posts()).toHaveLength(4);
      await store.replaceTenantToken('acme', sandbox.tokens.acme_private);
      clock.now += 7 * DAY;
      expect(await scheduler.runDue()).toBe(1);
      expect(world.posts()).toHaveLength(6);
      expect(world.posts()[4]).toContain('The token works again');
      expect(world.posts()[4]).not.toContain('Newly with');
    });

    it('posts nothing while Front is down: a token it could not ask about has not stopped working', async () => {
      const { store, clock } = world;
      await store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: 'U0ADMIN', nextRunAt: new Date(T0) });
      const scheduler = world.scheduler('replica-a');
      expect(await scheduler.runDue()).toBe(1);
      expect(world.posts()).toHaveLength(2);

      sandbox.setFaults({ outage: true });
      clock.now += DAY;
      await scheduler.runDue();
      expect(world.posts()).toHaveLength(2);
      expect(world.posts().join('\n')).not.toContain('stopped working');

      // Front back, nothing changed: still nothing to say (no "works again", no baseline anew).
      sandbox.setFaults({ outage: false });
      clock.now += DAY;
      expect(await scheduler.runDue()).toBe(1);
      expect(world.posts()).toHaveLength(2);
    });

    it('runs every due audit in one pass, and none after it is stopped', async () => {
      const { store, clock } = world;
      await store.addTenant({ name: 'globex', token: sandbox.tokens.globex_private });
      await store.bindChannel({ teamId: TEAM_ID, channelId: 'C0GLOBEX', tenant: 'globex', boundBy: 'U0ADMIN' });
      await store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: 'U0ADMIN', nextRunAt: new Date(T0) });
      await store.setAuditSchedule({ tenant: 'globex', cadence: 'daily', setBy: 'U0ADMIN', nextRunAt: new Date(T0) });
      const scheduler = world.scheduler('replica-a');
      expect(await scheduler.runDue()).toBe(2);
      expect(slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual(['C0ONE', 'C0TWO', 'C0GLOBEX']);
      expect(world.posts()[2]).toContain('Marco Rossi');
      await scheduler.stop();
      clock.now += DAY;
      expect(await scheduler.runDue()).toBe(0);
    });

    it('ends with its tenant: removed while it ran and the name added back for another company, it records and posts nothing', async () => {
      const { store } = world;
      await store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: 'U0ADMIN', nextRunAt: new Date(T0) });
      world.afterSweep = async () => {
        world.afterSweep = undefined;
        await store.removeTenant('acme');
        await store.addTenant({ name: 'acme', token: sandbox.tokens.globex_private });
        await store.bindChannel({ teamId: TEAM_ID, channelId: 'C0GLOBEX', tenant: 'acme', boundBy: 'U0ADMIN' });
      };
      const scheduler = world.scheduler('replica-a');
      expect(await scheduler.runDue()).toBe(1);
      // Acme's teammates never reach the channel now bound to the name, nor become the new tenant's baseline.
      expect(world.posts()).toEqual([]);
      expect(await store.getAuditResult('acme')).toBeNull();
      expect(await store.getAuditSchedule('acme')).toBeNull();
      world.clock.now += 2 * DAY;
      expect(await scheduler.runDue()).toBe(0);
    });

    it('runs nothing when the schedule is off', async () => {
      await world.store.setAuditSchedule({ tenant: 'acme', cadence: 'off', setBy: 'U0ADMIN', nextRunAt: null });
      expect(await world.scheduler('replica-a').runDue()).toBe(0);
      expect(sandbox.stats().total).toBe(0);
      expect(world.posts()).toEqual([]);
    });

    if (kind === 'postgres')
      it('runs a due audit once when two replicas share the database', async () => {
        const { store } = world;
        await store.setAuditSchedule({ tenant: 'acme', cadence: 'daily', setBy: 'U0ADMIN', nextRunAt: new Date(T0) });
        const other = await h.open(key, { clock: () => new Date(world.clock.now) });
        const a = world.scheduler('replica-a');
        const b = world.scheduler('replica-b', other);
        const ran = await Promise.all([a.runDue(), b.runDue()]);
        expect(ran[0] + ran[1]).toBe(1);
        expect(await Promise.all([a.runDue(), b.runDue()])).toEqual([0, 0]);
        expect(world.posts()).toHaveLength(2);
        expect((await store.listActivity({ actions: ['audit.scheduled'] })).length).toBe(1);
      });
  });
}

describeScheduling('sqlite', async () => new SqliteHarness());
if (pg.ok) describeScheduling('postgres', () => PostgresHarness.create(testPostgresUrl()));
else
  describe.skip('scheduled audits (postgres unreachable)', () => {
    it('runs against PostgreSQL', () => undefined);
  });
