import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../../metrics';
import { frontDoor } from './front-door';
import type { HttpRoute } from './health';
import { listen, type HttpLimits, type ListeningServer } from './http-server';

export const METRICS_PATH = '/metrics';

export interface MetricsServerOptions {
  /** FRONT_WHY_METRICS_HOST: 127.0.0.1 unless the operator chose otherwise (then with a token, see config.ts). */
  host: string;
  port: number;
  /** FRONT_WHY_METRICS_TOKEN: when set, every scrape must send `Authorization: Bearer <token>`. */
  token: string | undefined;
  metrics: Metrics;
  limits: HttpLimits;
  onError: (err: unknown) => void;
}

/**
 * GET /metrics on a port of its own, never on PORT: the metrics name the vendor's customers, their request volumes
 * and the process's runtime, which is nobody's business outside. Only that one path answers (404 otherwise).
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<ListeningServer> {
  const route = metricsRoute(options.metrics, options.token, options.onError);
  try {
    return await listen(options.port, options.host, frontDoor([route]), options.limits);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new Error(
        `FRONT_WHY_METRICS_PORT ${options.port} on FRONT_WHY_METRICS_HOST ${options.host} cannot be used (${code}): ` +
          'give each front-why on this host its own port (0 picks a free one), or an address this host has',
      );
    }
    throw err;
  }
}

function metricsRoute(metrics: Metrics, token: string | undefined, onError: (err: unknown) => void): HttpRoute {
  const allowed = token === undefined ? undefined : digest(`Bearer ${token}`);
  return {
    path: METRICS_PATH,
    method: ['GET'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      if (allowed && !bearerMatches(req.headers.authorization, allowed)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="front-why metrics"' });
        res.end('a bearer token is required\n');
        return;
      }
      metrics.text().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        (err: unknown) => {
          onError(err);
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('metrics unavailable\n');
        },
      );
    },
  };
}

/** Compared as digests, so the comparison takes as long whatever was sent and however long it is. */
function bearerMatches(header: string | undefined, allowed: Buffer): boolean {
  return header !== undefined && timingSafeEqual(digest(header), allowed);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
