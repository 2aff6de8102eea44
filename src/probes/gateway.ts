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
): FrontGateway {
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
      if (isWorthKeeping(result)) cache.set(key, { at: clock(), result });
      else cache.delete(key);
      pruneExpired(cache, clock(), ttlMs);
      return { result, shared: false };
    },
  };
}

/** Only Front's own verdicts are kept: a timeout, a 5xx or a 429 must be asked again next time. */
function isWorthKeeping(result: FrontResult): boolean {
  return result.kind === 'response' && result.status < 500 && result.status !== 429;
}

function pruneExpired(cache: Map<string, { at: number }>, now: number, ttlMs: number): void {
  if (cache.size < 512) return;
  for (const [key, entry] of cache) if (now - entry.at >= ttlMs) cache.delete(key);
}
