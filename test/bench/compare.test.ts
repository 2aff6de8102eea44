import { compareFigures, formatComparison, type Comparison } from '../../bench/compare';
import { FIGURES } from '../../bench/figures';

/** What an older bench printed with --json: no Front-request section, no explain timing, no bare Bolt app. */
const olderRun = (parseAndMatchPerSec: number, rssAfterMb: number) => ({
  throughput: { parseAndMatchPerSec, parsePerSec: 50_000, hostile: { ratio: 1.5 } },
  slack: {
    startup: { medianReadyMs: 500, medianHealthMs: 510 },
    burst: { rssAfterMb, ackP99Ms: 90 },
    endToEnd: [
      { scenario: 'original_report', ratio: 1.2 },
      { scenario: 'missing_private_scope', ratio: 1.4 },
      { scenario: 'front_outage', ratio: 20 },
    ],
  },
});

const newerRun = (parseAndMatchPerSec: number, afterAudit: number) => ({
  ...olderRun(parseAndMatchPerSec, 120),
  frontRequests: {
    cold: { requests: 6, teammateChecks: 4, sharePercent: 12 },
    afterAudit: { requests: afterAudit, teammateChecks: 1, sharePercent: afterAudit * 2 },
    bigCompany: { measurable: false },
  },
  cliStart: { ratio: 2.5, medianExplainMs: 150 },
});

function compared(base: unknown[], change: unknown[]): Comparison {
  return {
    ref: 'v0.1.0',
    base: { commit: 'aaaaaaaaa' },
    change: { commit: 'bbbbbbbbb' },
    rounds: base.length,
    passOn: ['--skip', 'replicas'],
    figures: compareFigures(base, change, FIGURES),
  };
}

describe('bench --compare', () => {
  const comparison = compared(
    [olderRun(10_000, 150), olderRun(12_000, 160), olderRun(11_000, 155)],
    [newerRun(20_000, 3), newerRun(24_000, 2), newerRun(22_000, 3)],
  );
  const row = (label: string) => {
    const line = formatComparison(comparison, false)
      .split('\n')
      .find((l) => l.startsWith(label));
    if (!line) throw new Error(`no row "${label}"`);
    return line;
  };

  it('says a figure the older bench did not measure is not measured at the ref, and still shows this tree', () => {
    expect(row('`front-why explain` vs `node -e 0`')).toContain('not measured at v0.1.0');
    expect(row('`front-why explain` vs `node -e 0`')).toContain('2.5×');
    expect(row('Front requests, seed case (`diagnose`), after an audit')).toMatch(
      /not measured at v0\.1\.0\s+2 \/ 3 \/ 3/,
    );
  });

  it('gives each side min / median / max over the rounds and the ratio of the medians', () => {
    expect(row('parse + match, one core')).toMatch(
      /10,000 \/ 11,000 \/ 12,000 pastes\/s\s+20,000 \/ 22,000 \/ 24,000 pastes\/s\s+2 \(better\)/,
    );
    expect(row('resident memory after the burst')).toMatch(/150 \/ 155 \/ 160 MB\s+120 MB\s+0\.77 \(better\)/);
  });

  it('counts the Slack answers within their bound without the outage scenario', () => {
    expect(row('Slack answers within')).toMatch(/1 scenarios\s+1 scenarios\s+1$/);
  });

  it('leaves out a figure neither side measured', () => {
    expect(comparison.figures.map((f) => f.key)).not.toContain('replicas-1');
    expect(comparison.figures.map((f) => f.key)).not.toContain('big-company-share');
  });

  it('prints a Markdown table with the same rows', () => {
    const markdown = formatComparison(comparison, true);
    expect(markdown).toContain('| figure | goal | v0.1.0 (aaaaaaaaa) | this tree (bbbbbbbbb) | this / ref |');
    expect(markdown).toContain('| `front-why explain` vs `node -e 0` | ≤ 3× | not measured at v0.1.0 | 2.5× | - |');
  });
});
