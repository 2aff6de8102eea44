/** Request counters, so tests and the benchmark can read how many calls a diagnosis cost. */

export interface SandboxStats {
  total: number;
  /** Keyed by request path without the query, e.g. "/conversations/cnv_yo1kg5q". */
  byPath: Record<string, number>;
  /** Keyed by token name; "(none)" without an Authorization header, "(invalid)" for a token the sandbox never issued. */
  byToken: Record<string, number>;
  /**
   * Keyed by the request as sent: method, path and query string ("GET /teammates?limit=50"), so a test can hold
   * every request the probes made against Front's OpenAPI document.
   */
  byRequest: Record<string, number>;
  /** Keyed by "GET /conversations/{conversation_id}" (the spec's template), or "<METHOD> (unknown route)". */
  byRoute: Record<string, number>;
  /** Keyed by the HTTP status answered, or "dropped" / "hung" for requests that got no answer. */
  byStatus: Record<string, number>;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export class StatsCounter {
  private data: SandboxStats = StatsCounter.empty();

  private static empty(): SandboxStats {
    return { total: 0, byPath: {}, byRequest: {}, byToken: {}, byRoute: {}, byStatus: {} };
  }

  /** `search` is the query string as sent, with its "?" ("" without one). */
  request(method: string, path: string, search: string, route: string, token: string): void {
    this.data.total += 1;
    bump(this.data.byPath, path);
    bump(this.data.byRequest, `${method} ${path}${search}`);
    bump(this.data.byToken, token);
    bump(this.data.byRoute, route);
  }

  outcome(status: number | 'dropped' | 'hung'): void {
    bump(this.data.byStatus, String(status));
  }

  snapshot(): SandboxStats {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = StatsCounter.empty();
  }
}
