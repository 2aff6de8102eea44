import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../../metrics';
import type { HttpRoute } from './health';

export const METRICS_PATH = '/metrics';

/** GET /metrics: the app's metrics in Prometheus' text format, served wherever /healthz is. */
export function metricsRoute(metrics: Metrics, onError: (err: unknown) => void): HttpRoute {
  return {
    path: METRICS_PATH,
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
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
