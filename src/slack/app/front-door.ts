import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../../log';
import { readBody } from '../../api/read-body';
import { errorFields } from '../send/failure';
import type { HttpRoute } from './health';
import { EVENTS_PATH } from './receiver';
import { REQUEST_WINDOW_SECONDS, SIGNATURE_FORMAT } from './request-guard';

/**
 * Slack's certificate check (`ssl_check=1&token=…`, form-encoded) is the one request Bolt lets through unsigned; a
 * body this small is read without signing headers so Bolt can answer it. Anything else unsigned is refused unread.
 */
const UNSIGNED_FORM_BYTES = 256;
const TIMESTAMP_FORMAT = /^[1-9][0-9]{0,11}$/;

export interface SlackEntrance {
  /** Bolt's HTTPReceiver listener, handed a request only once its body is read (as `rawBody`, which Bolt takes as is). */
  listener: RequestListener;
  clock: () => number;
  bodyBytes: number;
  logger: Logger;
}

/**
 * Everything that reaches a port front-why listens on (PORT, the metrics port): the exact paths and methods of `routes`
 * (GET /healthz, …; /v1 on PORT, whose handlers read their own bodies once the caller is known, see src/api),
 * POST /slack/events for Slack when `slack` is given (PORT in HTTP mode), 404 for anything else (other methods, casing, a trailing slash). A Slack request is judged on
 * its headers before a byte of its body is read: no signing headers, a signature not written as Slack writes it, a
 * timestamp more than five minutes from now, or a declared length over the limit, and it is answered at once and
 * its connection closed.
 */
export function frontDoor(routes: HttpRoute[], slack?: SlackEntrance): RequestListener {
  return (req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://front-why.invalid').pathname;
    } catch {
      return refuse(res, 400);
    }
    if (slack && path === EVENTS_PATH && req.method === 'POST') return admitSlack(req, res, slack);
    const route = routes.find((r) => r.path === path && r.method.includes(req.method ?? ''));
    if (route) return route.handler(req, res);
    refuse(res, 404);
  };
}

type Admission = { bodyBytes: number } | { status: 401 | 413; reason: string };

/** What the headers alone allow: how much body to read, or the answer without reading any. */
function admission(headers: IncomingHttpHeaders, nowMs: number, bodyBytes: number): Admission {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  const declared = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (signature === undefined && timestamp === undefined) {
    const tinyForm =
      headers['content-type'] === 'application/x-www-form-urlencoded' &&
      declared !== undefined &&
      declared <= UNSIGNED_FORM_BYTES;
    return tinyForm ? { bodyBytes: UNSIGNED_FORM_BYTES } : { status: 401, reason: 'no signing headers' };
  }
  if (typeof signature !== 'string' || !SIGNATURE_FORMAT.test(signature))
    return { status: 401, reason: 'signature not written as Slack writes it' };
  if (typeof timestamp !== 'string' || !TIMESTAMP_FORMAT.test(timestamp))
    return { status: 401, reason: 'timestamp not a whole number of seconds' };
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > REQUEST_WINDOW_SECONDS)
    return { status: 401, reason: 'timestamp more than five minutes from now' };
  if (declared !== undefined && declared > bodyBytes) return { status: 413, reason: 'declared body over the limit' };
  return { bodyBytes };
}

function admitSlack(req: IncomingMessage, res: ServerResponse, slack: SlackEntrance): void {
  const verdict = admission(req.headers, slack.clock(), slack.bodyBytes);
  if ('status' in verdict) {
    slack.logger.debug({ status: verdict.status, reason: verdict.reason }, 'refused a Slack request before its body');
    return refuse(res, verdict.status);
  }
  if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
  void readBody(req, verdict.bodyBytes).then((body) => {
    if (body === 'too large') {
      slack.logger.debug(
        { status: 413, limit: verdict.bodyBytes },
        'refused a Slack request whose body ran over the limit',
      );
      return refuse(res, 413);
    }
    if (body === 'gone') return;
    try {
      slack.listener(Object.assign(req, { rawBody: body }), res);
    } catch (err) {
      slack.logger.error({ err: errorFields(err) }, 'the Slack request listener failed');
      if (!res.headersSent) refuse(res, 500);
    }
  });
}

/** An answer without reading the request's body: the connection is closed after it, so the body is never read. */
function refuse(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
  res.end(status === 404 ? 'not found\n' : '');
}
