import type { Logger as BoltLogger, webApi } from '@slack/bolt';
import { defaultProcessEventErrorHandler, HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver } from './bolt';
import type { Config } from '../../config';
import { RefusedRequestError, signedStamp } from './request-guard';
import { RestartingError } from './shutdown-gate';
import { SLACK_CALL_TIMEOUT_MS, SLACK_RETRY } from '../send/chat-call';

export const EVENTS_PATH = '/slack/events';

const REFUSAL_TEXT = {
  stale: 'request timestamp out of range\n',
  replayed: 'request already received\n',
  malformed: 'request signature malformed\n',
};

/** A fresh object each call: Bolt writes its logger into the options it is given. */
export function slackClientOptions(config: Config, log: BoltLogger): webApi.WebClientOptions {
  return {
    logger: log,
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    retryConfig: { ...SLACK_RETRY },
    // Left alone, the client answers a 429 by pausing every call of the workspace for Retry-After, so a form
    // whose trigger expires in 3 seconds would wait it out too. Each caller decides instead (see send/slack-retry.ts).
    rejectRateLimitedCalls: true,
    timeout: SLACK_CALL_TIMEOUT_MS,
  };
}

/**
 * How Slack's requests arrive: a Socket Mode connection, or HTTP at /slack/events (the front door, front-door.ts,
 * hands this receiver each request once its headers passed and its body is read, up to `bodyBytes`). Either way a
 * request refused while stopping is left for Slack to deliver again, and a stale, replayed or malformed one is
 * answered as Bolt answers a bad signature.
 */
export function buildReceiver(
  mode: 'http' | 'socket',
  config: Config,
  log: BoltLogger,
  bodyBytes: number,
): HTTPReceiver | SocketModeReceiver {
  if (mode === 'socket') {
    return new SocketModeReceiver({
      appToken: config.SLACK_APP_TOKEN as string,
      logger: log,
      installerOptions: { clientOptions: slackClientOptions(config, log) },
      // An event refused while stopping stays unacknowledged, so Slack delivers it again later.
      processEventErrorHandler: async (args) =>
        args.error instanceof RestartingError ? false : defaultProcessEventErrorHandler(args),
    });
  }
  return new HTTPReceiver({
    signingSecret: config.SLACK_SIGNING_SECRET as string,
    endpoints: EVENTS_PATH,
    logger: log,
    // The front door reads the body; this is the same bound, should a request ever reach Bolt unread.
    bodyLimit: bodyBytes,
    // The ack is sent as soon as a listener calls ack(): probes run after Slack has its answer.
    processBeforeResponse: false,
    customPropertiesExtractor: signedStamp,
    processEventErrorHandler: async (args) => {
      if (args.error instanceof RefusedRequestError && !args.response.headersSent) {
        // As Bolt answers a bad signature: Slack never sends such a request, so whoever did learns nothing more.
        args.response.writeHead(401, { 'content-type': 'text/plain' });
        args.response.end(REFUSAL_TEXT[args.error.reason]);
        return true;
      }
      if (!(args.error instanceof RestartingError) || args.response.headersSent)
        return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
      // Slack retries an event answered with anything but 2xx (at once, after 1 and 5 minutes).
      args.response.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '60' });
      args.response.end('front-why is restarting\n');
      return true;
    },
  });
}
