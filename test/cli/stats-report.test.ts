import { buildStats, median, percentile, weekStart } from '../../src/commands/stats-report';
import type { ActivityEntry } from '../../src/store';

let id = 0;
function e(at: string, action: string, target: string, detail: string | null = null): ActivityEntry {
  id += 1;
  return {
    id,
    at: new Date(at),
    actor: 'U1',
    teamId: null,
    channelId: null,
    tenant: 'acme',
    action,
    target,
    cause: null,
    detail,
  };
}

test('a watch with no answer before it is timed from its start; an answer after the start does not count', () => {
  const report = buildStats(
    [
      e('2026-10-05T10:00:00Z', 'watch.start', 'cnv_a', 'watch=w1'),
      e('2026-10-05T10:30:00Z', 'diagnose', 'cnv_a'),
      e('2026-10-05T10:45:00Z', 'watch.fixed', 'cnv_a', 'watch=w1'),
      // Another target's answer and a fixed notice without a start are not paired with anything.
      e('2026-10-05T09:00:00Z', 'diagnose', 'cnv_b'),
      e('2026-10-05T11:00:00Z', 'watch.fixed', 'cnv_b', 'watch=w9'),
    ],
    new Date('2026-10-01T00:00:00Z'),
    new Date('2026-10-31T00:00:00Z'),
    null,
  );
  expect(report.watches.timeToFixed).toEqual({ count: 1, medianMs: 45 * 60_000, p90Ms: 45 * 60_000 });
  expect(report.watches.fixed).toBe(2);
});

test('weeks start on Monday UTC; median and nearest-rank p90', () => {
  expect(weekStart(new Date('2026-10-11T23:59:59Z'))).toBe('2026-10-05');
  expect(weekStart(new Date('2026-10-12T00:00:00Z'))).toBe('2026-10-12');
  expect(median([1, 2, 3, 10])).toBe(2.5);
  expect(median([])).toBeNull();
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  expect(percentile(ten, 90)).toBe(9);
  expect(percentile([...ten, 11], 90)).toBe(10);
});
