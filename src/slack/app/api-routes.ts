import type { IncomingMessage, ServerResponse } from 'node:http';
import { diagnoseHandler, DIAGNOSE_PATH, OPENAPI_PATH, type ApiCall } from '../../api/handler';
import { KeyRate } from '../../api/key-rate';
import type { Metrics } from '../../metrics';
import { diagnoseForApi, type AnsweredCall } from '../checks/api-diagnosis';
import { logFailure } from '../send/failure';
import type { SlackDeps } from './deps';
import type { HttpRoute } from './health';
import type { InFlight } from './inflight';

export interface ApiRouteOptions {
  metrics: Pick<Metrics, 'apiCall'>;
  stopping: () => boolean;
  /** Live replicas: each key's calls a minute are divided among them. */
  replicas: () => number;
  /** Every call, until answered and logged: a shutdown lets them finish. */
  requests: InFlight;
  /** Grouped alerts in Slack for keys with a notify channel (api-alerts.ts). */
  onAnswer: (answered: AnsweredCall) => void;
}

/** /v1 on PORT, in HTTP and Socket Mode alike: POST /v1/diagnose (any other method: 405) and its OpenAPI document. */
export function apiRoutes(deps: SlackDeps, options: ApiRouteOptions): HttpRoute[] {
  const rate = new KeyRate(deps.clock, options.replicas);
  const handler = diagnoseHandler({
    store: deps.store,
    clock: deps.clock,
    rate,
    stopping: options.stopping,
    diagnose: (request) => diagnoseForApi(deps, request, options.onAnswer),
    onCall: (call) => {
      options.metrics.apiCall(call.keyName ?? 'none', call.status);
      if (call.keyName !== undefined) void deps.inflight.track(recordCall(deps, call));
    },
    onError: (err) => logFailure(deps.logger, 'diagnosis API call', err),
  });
  let document: string | undefined;
  return [
    {
      path: DIAGNOSE_PATH,
      method: ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'],
      handler: (req: IncomingMessage, res: ServerResponse) => void options.requests.track(handler(req, res)),
    },
    {
      path: OPENAPI_PATH,
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        // Built at the first request, not at start: it is generated from the API's zod schemas.
        document ??= JSON.stringify(
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          (require('../../api/openapi') as typeof import('../../api/openapi')).openApiDocument(),
          null,
          2,
        );
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
        res.end(document);
      },
    },
  ];
}

/** Every call of a working key, answered or refused, in the activity log: who, which tenant, what came of it; never the body. */
async function recordCall(deps: SlackDeps, call: ApiCall): Promise<void> {
  const detail = [
    `HTTP ${call.status}`,
    ...(call.code ? [call.code] : []),
    ...(call.calls !== undefined ? [`${call.calls} request(s) to Front`] : []),
  ].join(', ');
  try {
    await deps.store.recordActivity({
      at: new Date(deps.clock()),
      actor: `api:${call.keyName}`,
      action: 'api.diagnose',
      ...(call.tenant ? { tenant: call.tenant } : {}),
      ...(call.target ? { target: call.target } : {}),
      ...(call.cause ? { cause: call.cause } : {}),
      detail,
    });
  } catch (err) {
    logFailure(deps.logger, 'activity log write', err, { apiKey: call.keyName, action: 'api.diagnose' });
  }
}
