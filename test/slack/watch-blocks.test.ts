import type { Watch } from '../../src/store';
import { watchListMessage, watchNoticeMessage, watchStartedMessage } from '../../src/slack/render/blocks-watch';

/** Everything a watch message repeats (names from Front, a label from a paste, a tenant) is escaped. */

const T0 = Date.parse('2026-03-02T09:00:00.000Z');

const watch: Watch = {
  id: 'w0123456789abcdef',
  tenant: 'acme',
  tenantId: 't0123456789abcdef',
  teamId: 'T1',
  channelId: 'C1',
  threadTs: '1710000000.000100',
  target: 'cnv_yo1kg5q',
  label: 'cnv_yo1kg5q <!channel>',
  cause: 'teammate_api_access_disabled',
  owner: 'Bo <@U0BOSS> Kim <bo@acme.example>',
  state: 'active',
  startedBy: 'U1',
  startedAt: new Date(T0),
  nextCheckAt: new Date(T0 + 60_000),
  attempts: 0,
  expiresAt: new Date(T0 + 7 * 86_400_000),
  lastCause: 'teammate_api_access_disabled',
  lastResult: null,
  lastCheckedAt: null,
  endedAt: null,
  endedBy: null,
  leaseHolder: null,
  leaseUntil: null,
};

test('escapes what it repeats, so a name or a paste cannot ping or link', () => {
  const all = JSON.stringify([
    watchStartedMessage(watch, 'U1', 1),
    watchNoticeMessage('fixed', "Bo <@U0BOSS> Kim's preference is now on; <!here> reads fine."),
    watchListMessage([watch], T0),
  ]);
  expect(all).not.toMatch(/<!channel>|<!here>|<@U0BOSS>/);
  expect(all).toContain('&lt;!here&gt;');
  expect(all).toContain('&lt;!channel&gt;');
});

test('lists at most 20 watches and counts the rest', () => {
  const many = Array.from({ length: 23 }, (_, i) => ({ ...watch, id: `w${String(i).padStart(16, '0')}` }));
  const text = JSON.stringify(watchListMessage(many, T0));
  expect(text).toContain('(23)');
  expect(text).toContain('… and 3 more');
});
