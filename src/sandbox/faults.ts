/**
 * Injected failures, to show that a Front-side problem is reported as such (never as a bad token)
 * and that probes degrade instead of losing the reply.
 */

export type FailureKind = '502_html' | '503_json' | '500_json';

export interface FaultSettings {
  /** Added before every answer, including fault answers. */
  latencyMs: number;
  /** Share of requests (0..1) answered with `failKind`. Draws come from a seeded generator: runs repeat. */
  errorRate: number;
  /** The next N requests fail with `failKind`. */
  failNext: number;
  failKind: FailureKind;
  /** Share of requests (0..1) whose socket is destroyed without an answer. */
  dropRate: number;
  /** The next N requests have their socket destroyed. */
  dropNext: number;
  /** Every request answers 503 with an HTML page from the edge. */
  outage: boolean;
  /** Every request is left unanswered (to exercise client timeouts). */
  hang: boolean;
  /** The next N requests are left unanswered. */
  hangNext: number;
  /** When set, faults hit only requests whose path starts with one of these prefixes. */
  onlyPaths: string[] | null;
  /** Overrides every plan's per-minute limit (0: every request is refused); null keeps the plans' limits. */
  rateLimitPerMinute: number | null;
  /** Burst limit per company and route, requests per second; null: no burst limit. */
  burstPerSecond: number | null;
}

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  failNext: 0,
  failKind: '502_html',
  dropRate: 0,
  dropNext: 0,
  outage: false,
  hang: false,
  hangNext: 0,
  onlyPaths: null,
  rateLimitPerMinute: null,
  burstPerSecond: null,
});

export type FaultAction =
  | { kind: 'none' }
  | { kind: 'hang' }
  | { kind: 'drop' }
  | { kind: 'respond'; status: number; contentType: string; body: string };

const EDGE_PAGE = (status: number, text: string): string =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n</body>\r\n</html>\r\n`;

export function failureResponse(kind: FailureKind): Extract<FaultAction, { kind: 'respond' }> {
  switch (kind) {
    case '502_html':
      return { kind: 'respond', status: 502, contentType: 'text/html', body: EDGE_PAGE(502, 'Bad Gateway') };
    case '503_json':
      return {
        kind: 'respond',
        status: 503,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({
          _error: {
            status: 503,
            title: 'Service unavailable',
            message: 'The service is temporarily unavailable. Please retry later.',
          },
        }),
      };
    case '500_json':
      return {
        kind: 'respond',
        status: 500,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({
          _error: { status: 500, title: 'Internal server error', message: 'An unexpected error occurred.' },
        }),
      };
  }
}

export const OUTAGE_RESPONSE: Extract<FaultAction, { kind: 'respond' }> = {
  kind: 'respond',
  status: 503,
  contentType: 'text/html',
  body: EDGE_PAGE(503, 'Service Temporarily Unavailable'),
};

function checkSettings(s: FaultSettings): void {
  const share = (name: string, v: number): void => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`fault setting ${name} must be between 0 and 1, got ${v}`);
  };
  const count = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`fault setting ${name} must be a whole number ≥ 0, got ${v}`);
  };
  share('errorRate', s.errorRate);
  share('dropRate', s.dropRate);
  count('latencyMs', s.latencyMs);
  count('failNext', s.failNext);
  count('dropNext', s.dropNext);
  count('hangNext', s.hangNext);
  if (s.rateLimitPerMinute !== null) count('rateLimitPerMinute', s.rateLimitPerMinute);
  if (s.burstPerSecond !== null) count('burstPerSecond', s.burstPerSecond);
}

/** mulberry32: tiny, seedable, good enough to spread injected failures (and to generate a repeatable corpus). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private settings: FaultSettings;
  private readonly random: () => number;

  constructor(initial: Partial<FaultSettings> = {}, seed = 1) {
    this.settings = { ...NO_FAULTS, ...initial };
    checkSettings(this.settings);
    this.random = seededRandom(seed);
  }

  set(patch: Partial<FaultSettings>): void {
    const next = { ...this.settings, ...patch };
    checkSettings(next);
    this.settings = next;
  }

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  private applies(path: string): boolean {
    const only = this.settings.onlyPaths;
    return only === null || only.some((prefix) => path.startsWith(prefix));
  }

  latencyFor(path: string): number {
    return this.applies(path) ? this.settings.latencyMs : 0;
  }

  /** Decides (and consumes "next N" counters for) one request. Outage wins, then hang, drop, fail. */
  decide(path: string): FaultAction {
    const s = this.settings;
    if (!this.applies(path)) return { kind: 'none' };
    if (s.outage) return OUTAGE_RESPONSE;
    if (s.hang) return { kind: 'hang' };
    if (s.hangNext > 0) {
      s.hangNext -= 1;
      return { kind: 'hang' };
    }
    if (s.dropNext > 0) {
      s.dropNext -= 1;
      return { kind: 'drop' };
    }
    if (s.dropRate > 0 && this.random() < s.dropRate) return { kind: 'drop' };
    if (s.failNext > 0) {
      s.failNext -= 1;
      return failureResponse(s.failKind);
    }
    if (s.errorRate > 0 && this.random() < s.errorRate) return failureResponse(s.failKind);
    return { kind: 'none' };
  }
}
