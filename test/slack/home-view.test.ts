import { loadHomeData } from '../../src/slack/checks/home-data';
import { HOME_LIMITS, homeView, type HomeView } from '../../src/slack/render/home-view';
import type { Store } from '../../src/store';
import {
  fakeToken,
  keyring,
  newKey,
  PostgresHarness,
  probePostgres,
  SqliteHarness,
  testPostgresUrl,
  type Harness,
} from '../store/harness';

const NOW = Date.parse('2026-06-30T12:00:00.000Z');
const DAY = 86_400_000;
const TEAM = 'T0FRONTWHY';
const pg = probePostgres(testPostgresUrl());

function texts(view: HomeView): string[] {
  return view.blocks.flatMap((b) => {
    const block = b as { text?: { text: string }; elements?: { text?: string }[] };
    return [block.text?.text ?? '', ...(block.elements ?? []).map((e) => e.text ?? '')].filter(Boolean);
  });
}

function mine(...ids: string[]): Map<string, { shared: boolean }> {
  return new Map(ids.map((id) => [id, { shared: false }]));
}

function expectWithinLimits(view: HomeView): void {
  expect(view.blocks.length).toBeLessThanOrEqual(HOME_LIMITS.blocks);
  for (const text of texts(view)) expect(text.length).toBeLessThanOrEqual(HOME_LIMITS.sectionChars);
}

async function diagnose(store: Store, tenant: string, cause: string, daysAgo: number): Promise<void> {
  await store.recordActivity({
    at: new Date(NOW - daysAgo * DAY),
    actor: 'U0AGENT',
    teamId: TEAM,
    channelId: 'C0ACME',
    tenant,
    action: 'diagnose',
    target: 'cnv_1',
    cause,
  });
}

function describeHome(kind: string, makeHarness: () => Promise<Harness>): void {
  describe(`the Home tab built from the store (${kind})`, () => {
    let h: Harness;
    let store: Store;
    const token = fakeToken();

    beforeEach(async () => {
      h = await makeHarness();
      store = await h.open(keyring(newKey()), { clock: () => new Date(NOW) });
      await store.addTenant({ name: 'acme', token, companyName: 'Acme <Corp>', scopes: ['shared:*', 'private:*'] });
      await store.addTenant({ name: 'globex', token: fakeToken() });
      await store.bindChannel({ teamId: TEAM, channelId: 'C0ACME', tenant: 'acme', boundBy: 'U0ADMIN' });
      await store.bindChannel({ teamId: TEAM, channelId: 'C0GLOBEX', tenant: 'globex', boundBy: 'U0ADMIN' });
    });
    afterEach(() => h.dispose());

    it("shows a teammate's name from Front without its bidi overrides", async () => {
      await store.saveAuditResult({
        tenant: 'acme',
        ranAt: new Date(NOW - DAY),
        tokenWorks: true,
        tokenError: null,
        preferenceOff: [{ id: 'tea_b', name: 'Bruno \u202eKeller\u202c \u2066<bruno@acme.example>\u2069' }],
        checked: 5,
        total: 5,
        complete: true,
      });
      const data = await loadHomeData({
        store,
        now: new Date(NOW),
        teamId: TEAM,
        channels: mine('C0ACME'),
        admin: true,
      });
      const all = texts(homeView(data)).join('\n');
      expect(all).toContain('Bruno Keller');
      expect(all).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    });

    it('shows the tenants of the viewer’s channels: token masked, who is off, open watches, causes with bars', async () => {
      await store.saveAuditResult({
        tenant: 'acme',
        ranAt: new Date(NOW - DAY),
        tokenWorks: true,
        tokenError: null,
        preferenceOff: [{ id: 'tea_b', name: 'Bruno Keller <bruno@acme.example>' }],
        checked: 5,
        total: 5,
        complete: true,
      });
      await store.setAuditSchedule({ tenant: 'acme', cadence: 'weekly', setBy: 'U0ADMIN', nextRunAt: new Date(NOW) });
      for (let i = 0; i < 4; i += 1) await diagnose(store, 'acme', 'teammate_api_access_disabled', i);
      await diagnose(store, 'acme', 'token_missing_private_scope', 2);
      await diagnose(store, 'acme', 'token_revoked', 31); // older than 30 days: not counted
      const watch = (target: string, channelId: string, daysAgo: number) =>
        store.startWatch({
          tenant: 'acme',
          teamId: TEAM,
          channelId,
          threadTs: '1782000000.000100',
          target,
          label: target,
          cause: 'teammate_api_access_disabled',
          startedBy: 'U0AGENT',
          startedAt: new Date(NOW - daysAgo * DAY),
          nextCheckAt: new Date(NOW),
          expiresAt: new Date(NOW + 7 * DAY),
        });
      await watch('cnv_open', 'C0ACME', 2);
      const fixed = await watch('cnv_fixed', 'C0ACME', 3);
      await store.endWatch(fixed.watch.id, { state: 'fixed', at: new Date(NOW - DAY) });
      // Bound to acme too, but the viewer is not in that channel.
      await store.bindChannel({ teamId: TEAM, channelId: 'C0ACME2', tenant: 'acme', boundBy: 'U0ADMIN' });
      await watch('cnv_hidden', 'C0ACME2', 1);

      const base = { store, now: new Date(NOW), teamId: TEAM, channels: mine('C0ACME', 'C0ELSEWHERE') };
      const agent = homeView(await loadHomeData({ ...base, admin: false }));
      const all = texts(agent).join('\n');
      expectWithinLimits(agent);
      expect(all).toContain('*acme*');
      expect(all).not.toContain('globex');
      expect(all).toContain('Acme &lt;Corp&gt;');
      expect(all).toContain(`\`${token.slice(0, 4)}…${token.slice(-4)}\``);
      expect(all).not.toContain(token.split('.')[2]);
      expect(all).toContain('`private:*`');
      expect(all).toContain('Bruno Keller &lt;bruno@acme.example&gt;');
      expect(all).toContain('`cnv_open` in <#C0ACME>');
      expect(all).not.toContain('cnv_fixed');
      expect(all).not.toContain('cnv_hidden');
      expect(all).toMatch(/`█{20}` 4 `teammate_api_access_disabled`/);
      expect(all).toMatch(/`█{5} {15}` 1 `token_missing_private_scope`/);
      expect(all).not.toContain('token_revoked');
      expect(all).not.toContain('Audit schedule');

      const admin = texts(homeView(await loadHomeData({ ...base, admin: true }))).join('\n');
      expect(admin).toContain('Audit schedule: weekly');
    });

    it('shows the tenant of a channel shared with another organisation only where outsiders are allowed', async () => {
      const shared = new Map([['C0ACME', { shared: true }]]);
      const load = () => loadHomeData({ store, now: new Date(NOW), teamId: TEAM, channels: shared, admin: false });
      expect((await load()).tenants).toEqual([]);
      await store.setChannelSettings(TEAM, 'C0ACME', { allowExternal: true });
      expect((await load()).tenants.map((t) => t.name)).toEqual(['acme']);
    });

    it('says so when none of the viewer’s channels is bound', async () => {
      const view = homeView(
        await loadHomeData({ store, now: new Date(NOW), teamId: TEAM, channels: mine('C0OTHER'), admin: true }),
      );
      expect(texts(view).join('\n')).toContain('None of your channels is bound');
    });

    it('stays within Slack’s limits with many tenants, teammates and causes, counting what it leaves out', async () => {
      const channels = mine();
      for (let t = 0; t < 25; t += 1) {
        const name = `tenant-${t}`;
        await store.addTenant({ name, token: fakeToken() });
        await store.bindChannel({ teamId: TEAM, channelId: `C0T${t}`, tenant: name, boundBy: 'U0ADMIN' });
        channels.set(`C0T${t}`, { shared: false });
      }
      await store.saveAuditResult({
        tenant: 'tenant-0',
        ranAt: new Date(NOW),
        tokenWorks: false,
        tokenError: 'refused',
        preferenceOff: Array.from({ length: 300 }, (_, i) => ({
          id: `tea_${i}`,
          name: `Teammate ${i} ${'x'.repeat(150)}`,
        })),
        checked: 300,
        total: 300,
        complete: true,
      });
      for (let c = 0; c < 30; c += 1) await diagnose(store, 'tenant-0', `cause_${c}`, 1);
      const view = homeView(await loadHomeData({ store, now: new Date(NOW), teamId: TEAM, channels, admin: true }));
      expectWithinLimits(view);
      const all = texts(view).join('\n');
      expect(all).toContain('and 290 more');
      expect(all).toContain('and 20 more');
      expect(all).toMatch(/and \d+ more tenant\(s\)/);
      expect(all).toContain('refused by Front');
    });
  });
}

describeHome('sqlite', async () => new SqliteHarness());
if (pg.ok) describeHome('postgres', () => PostgresHarness.create(testPostgresUrl()));
else
  describe.skip('the Home tab (postgres unreachable)', () => {
    it('runs against PostgreSQL', () => undefined);
  });
