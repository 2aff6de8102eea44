import type { FrontClient, FrontPath, FrontResult } from '../front';

export interface GatewayResult {
  result: FrontResult;
  /** True when no request was sent for this caller: answered from the cache or by joining an identical call. */
  shared: boolean;
}

/**
 * A tenant's way to Front: identical concurrent calls share one request, and answers are kept briefly so a
 * burst of diagnoses about the same company costs Front (and the customer's rate limit) little.
 */
export interface FrontGateway {
  get(path: FrontPath, opts: { deadline: number; fresh?: boolean }): Promise<GatewayResult>;
}

export interface GatewayOptions {
  ttlMs?: number;
  clock?: () => number;
}

export function createFrontGateway(
  client: Pick<FrontClient, 'get'>,
  { ttlMs = 60_000, clock = Date.now }: GatewayOptions = {},
): FrontGateway & { /** Answers held now, each until its time is up and another answer is kept. */ kept(): number } {
  const cache = new Map<string, { at: number; result: FrontResult }>();
  const inFlight = new Map<string, Promise<FrontResult>>();

  return {
    async get(path, { deadline, fresh = false }) {
      const key = String(path);
      if (!fresh) {
        const hit = cache.get(key);
        if (hit && clock() - hit.at < ttlMs) return { result: hit.result, shared: true };
      }
      const pending = inFlight.get(key);
      if (pending) return { result: await pending, shared: true };

      const request = client.get(path, { deadline }).finally(() => inFlight.delete(key));
      inFlight.set(key, request);
      const result = await request;
      // Deleted before it is set again, so the cache stays in the order answers were kept.
      cache.delete(key);
      if (isWorthKeeping(result)) cache.set(key, { at: clock(), result });
      pruneExpired(cache, clock(), ttlMs);
      return { result, shared: false };
    },
    kept: () => cache.size,
  };
}

/** Only Front's own verdicts are kept: a timeout, a 5xx or a 429 must be asked again next time. */
function isWorthKeeping(result: FrontResult): boolean {
  return result.kind === 'response' && result.status < 500 && result.status !== 429;
}

/**
 * Drops the answers past their time, oldest first, stopping at the first one still fresh. Every answer kept is
 * dropped once it expires and another is kept, not only when the cache is large: a tenant's cache held a company's
 * 200 teammate answers for the life of the process.
 */
function pruneExpired(cache: Map<string, { at: number }>, now: number, ttlMs: number): void {
  for (const [key, entry] of cache) {
    if (now - entry.at < ttlMs) return;
    cache.delete(key);
  }
}
