import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local stand-in for Slack's Web API, response_url endpoints and Socket Mode WebSocket. It records every call
 * exactly as Slack would receive it and answers in Slack's shapes (HTTP 200 with `ok: false` for API errors).
 */

export const TEAM_ID = 'T0FRONTWHY';
export const BOT_USER_ID = 'U0BOTUSER';
export const BOT_ID = 'B0BOTID';
export const BOT_NAME = 'front-why';
export const APP_ID = 'A0FRONTWHY';

export interface RecordedCall {
  /** Web API method (`chat.postMessage`) or `response_url`. */
  method: string;
  /** Decoded arguments; JSON-valued fields (`blocks`, `view`) parsed. */
  args: Record<string, unknown>;
  /** The request body as sent. */
  raw: string;
  authorization: string | undefined;
  at: number;
  /** The request path: `/api/chat.postMessage`, or the response_url's own path. */
  path: string;
  /** What the stand-in answered: the HTTP status and, for the Web API, `ok`, `error` and a posted message's `ts`. */
  answer?: { status: number; ok: boolean; error?: string; ts?: string };
}

export interface SocketAck {
  envelope_id: string;
  payload?: unknown;
  at: number;
}

export interface SlackStandIn {
  url: string;
  /** For SLACK_API_URL. */
  apiUrl: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Makes chat.postMessage / chat.postEphemeral in `channel` fail with `error` (e.g. not_in_channel). */
  failChannel(channel: string, error: string): void;
  /** Makes every call to `method` fail with `error` until cleared with `undefined`. */
  failMethod(method: string, error: string | undefined): void;
  /** Makes the next `times` calls to `method` fail with `error` (HTTP 200, `ok: false`), then work again. */
  failNext(method: string, error: string, times?: number): void;
  /**
   * Rate limits `method` as Slack does: HTTP 429, a `Retry-After` header (seconds) and
   * `{"ok":false,"error":"ratelimited"}`, for the next `times` calls (every call when absent) until cleared
   * with `undefined`.
   */
  rateLimit(method: string, limit: { retryAfterSec: number; times?: number } | undefined): void;
  /** Makes every response_url answer `status` (404 `expired_url`, as Slack does after 30 minutes) until cleared. */
  failResponseUrls(status: number | undefined): void;
  setGroupMembers(group: string, users: string[]): void;
  /** The team `users.info` says `user` is in; every user not set this way is in TEAM_ID. */
  setUserTeam(user: string, team: string): void;
  /**
   * A channel and its members, for `users.conversations`: a public channel is listed for each member; a private
   * one only for members when the bot is a member too, as Slack answers a bot token.
   */
  setChannel(
    channel: string,
    members: string[],
    options?: { private?: boolean; archived?: boolean; extShared?: boolean; name?: string },
  ): void;
  /** A fresh response_url, as Slack puts one in each command and interaction. */
  responseUrl(): string;
  /** Socket Mode: resolves once the app's WebSocket received its hello. */
  socketConnected(timeoutMs?: number): Promise<void>;
  /** Socket Mode: sends an envelope and resolves with the app's ack for it. */
  sendEnvelope(
    type: 'slash_commands' | 'events_api' | 'interactive',
    payload: unknown,
    timeoutMs?: number,
  ): Promise<SocketAck>;
  close(): Promise<void>;
}

export interface StandInOptions {
  botToken: string;
  appToken?: string;
}

const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata']);

export async function startSlackStandIn(options: StandInOptions): Promise<SlackStandIn> {
  const calls: RecordedCall[] = [];
  const channelErrors = new Map<string, string>();
  const methodErrors = new Map<string, string>();
  const nextErrors = new Map<string, { error: string; left: number }>();
  const rateLimits = new Map<string, { retryAfterSec: number; left: number }>();
  let responseUrlStatus: number | undefined;
  const groups = new Map<string, string[]>();
  const userTeams = new Map<string, string>();
  const channels = new Map<
    string,
    { members: Set<string>; private: boolean; archived: boolean; extShared: boolean; name: string }
  >();
  const channelFields = (id: string, c: typeof channels extends Map<string, infer C> ? C : never) => ({
    id,
    name: c.name,
    is_private: c.private,
    is_archived: c.archived,
    is_channel: !c.private,
    is_group: c.private,
    is_shared: c.extShared,
    is_ext_shared: c.extShared,
  });
  const sockets = new Set<WebSocket>();
  const pendingAcks = new Map<string, (ack: SocketAck) => void>();
  let connectedResolvers: (() => void)[] = [];
  let helloSent = false;
  let tsCounter = 0;
  let viewCounter = 0;
  let base = '';

  const nextTs = () => {
    tsCounter += 1;
    return `${1_700_000_000 + tsCounter}.${String(tsCounter).padStart(6, '0')}`;
  };

  function parseArgs(raw: string, contentType: string): Record<string, unknown> {
    if (contentType.includes('application/json')) {
      try {
        return raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      } catch {
        return { _unparsed: raw };
      }
    }
    const args: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(raw)) {
      if (JSON_FIELDS.has(key)) {
        try {
          args[key] = JSON.parse(value);
          continue;
        } catch {
          // keep the text: a malformed field is exactly what a test wants to see
        }
      }
      args[key] = value;
    }
    return args;
  }

  function answerApi(
    method: string,
    args: Record<string, unknown>,
    authorization: string | undefined,
  ): Record<string, unknown> {
    const bearer = authorization?.replace(/^Bearer\s+/i, '');
    if (method === 'apps.connections.open') {
      if (!options.appToken || bearer !== options.appToken) return { ok: false, error: 'not_allowed_token_type' };
      return { ok: true, url: `${base.replace(/^http/, 'ws')}/link/?ticket=${randomUUID()}&app_id=${APP_ID}` };
    }
    if (bearer !== options.botToken) return { ok: false, error: 'invalid_auth' };
    const forced = methodErrors.get(method);
    if (forced) return { ok: false, error: forced };
    const once = nextErrors.get(method);
    if (once && once.left > 0) {
      once.left -= 1;
      return { ok: false, error: once.error };
    }
    const channel = typeof args.channel === 'string' ? args.channel : undefined;
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://front-why-test.slack.invalid/',
          team: 'Front Why Test',
          user: BOT_NAME,
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const error = channelErrors.get(channel);
        if (error) return { ok: false, error };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        const ts = nextTs();
        const message: Record<string, unknown> = {
          type: 'message',
          user: BOT_USER_ID,
          bot_id: BOT_ID,
          app_id: APP_ID,
          text: args.text ?? '',
          ts,
          team: TEAM_ID,
        };
        if (args.blocks) message.blocks = args.blocks;
        if (args.thread_ts) message.thread_ts = args.thread_ts;
        return { ok: true, channel, ts, message };
      }
      case 'chat.postEphemeral': {
        if (!channel || !args.user) return { ok: false, error: 'channel_not_found' };
        const error = channelErrors.get(channel);
        if (error) return { ok: false, error };
        return { ok: true, message_ts: nextTs() };
      }
      case 'chat.getPermalink': {
        const ts = typeof args.message_ts === 'string' ? args.message_ts : undefined;
        if (!channel || !ts) return { ok: false, error: 'message_not_found' };
        return {
          ok: true,
          channel,
          permalink: `https://front-why-test.slack.invalid/archives/${channel}/p${ts.replace('.', '')}`,
        };
      }
      case 'chat.update': {
        if (!channel || !args.ts) return { ok: false, error: 'message_not_found' };
        return {
          ok: true,
          channel,
          ts: args.ts,
          text: args.text ?? '',
          message: { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, text: args.text ?? '', blocks: args.blocks },
        };
      }
      case 'views.open':
      case 'views.update': {
        if (method === 'views.open' && !args.trigger_id) return { ok: false, error: 'invalid_trigger_id' };
        const view = (args.view ?? {}) as Record<string, unknown>;
        viewCounter += 1;
        const id = typeof args.view_id === 'string' ? args.view_id : `V0VIEW${viewCounter}`;
        return {
          ok: true,
          view: {
            ...view,
            id,
            team_id: TEAM_ID,
            app_id: APP_ID,
            bot_id: BOT_ID,
            hash: `hash-${viewCounter}`,
            state: { values: {} },
          },
        };
      }
      case 'users.conversations': {
        const user = typeof args.user === 'string' ? args.user : BOT_USER_ID;
        const types = String(args.types ?? 'public_channel').split(',');
        const limit = Math.min(Number(args.limit ?? 100) || 100, 999);
        const start =
          typeof args.cursor === 'string' && args.cursor !== '' ? Number(args.cursor.replace('next:', '')) : 0;
        const excludeArchived = args.exclude_archived === true || args.exclude_archived === 'true';
        const listed = [...channels]
          .filter(([, c]) => c.members.has(user) && !(excludeArchived && c.archived))
          .filter(([, c]) => types.includes(c.private ? 'private_channel' : 'public_channel'))
          .filter(([, c]) => !c.private || c.members.has(BOT_USER_ID))
          .map(([id, c]) => channelFields(id, c));
        const page = listed.slice(start, start + limit);
        const next = start + limit < listed.length ? `next:${start + limit}` : '';
        return { ok: true, channels: page, response_metadata: { next_cursor: next } };
      }
      case 'views.publish': {
        const view = (args.view ?? {}) as { type?: string; blocks?: unknown[] };
        if (typeof args.user_id !== 'string' || view.type !== 'home') return { ok: false, error: 'invalid_arguments' };
        // Slack refuses a Home view of more than 100 blocks.
        if (!Array.isArray(view.blocks) || view.blocks.length > 100) return { ok: false, error: 'invalid_arguments' };
        viewCounter += 1;
        return { ok: true, view: { ...view, id: `V0HOME${viewCounter}`, team_id: TEAM_ID, app_id: APP_ID } };
      }
      case 'conversations.info': {
        // As Slack answers a bot token: a private channel the bot is not in does not exist for it.
        const id = typeof args.channel === 'string' ? args.channel : '';
        const c = channels.get(id);
        if (!c || (c.private && !c.members.has(BOT_USER_ID))) return { ok: false, error: 'channel_not_found' };
        return { ok: true, channel: { ...channelFields(id, c), is_member: c.members.has(BOT_USER_ID) } };
      }
      case 'users.info': {
        const user = typeof args.user === 'string' ? args.user : '';
        if (!/^[UW][A-Z0-9]+$/.test(user)) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id: user, team_id: userTeams.get(user) ?? TEAM_ID, name: user.toLowerCase() } };
      }
      case 'usergroups.users.list': {
        const group = typeof args.usergroup === 'string' ? args.usergroup : '';
        const users = groups.get(group);
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://standin.invalid').pathname;
      const contentType = String(req.headers['content-type'] ?? '');
      const authorization = req.headers.authorization;
      if (path.startsWith('/response/')) {
        const status = responseUrlStatus ?? 200;
        calls.push({
          method: 'response_url',
          args: parseArgs(raw, 'application/json'),
          raw,
          authorization,
          at: Date.now(),
          path,
          answer: { status, ok: status === 200 },
        });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'expired_url');
        return;
      }
      const match = /^\/api\/([a-zA-Z.]+)$/.exec(path);
      if (!match || req.method !== 'POST') {
        res.writeHead(404);
        res.end();
        return;
      }
      const method = match[1]!;
      const args = parseArgs(raw, contentType);
      const call: RecordedCall = { method, args, raw, authorization, at: Date.now(), path };
      calls.push(call);
      const limit = rateLimits.get(method);
      if (limit && limit.left > 0) {
        limit.left -= 1;
        // Slack's answer to a rate-limited Web API call: the only non-200 status its Web API uses.
        const body = JSON.stringify({ ok: false, error: 'ratelimited' });
        call.answer = { status: 429, ok: false, error: 'ratelimited' };
        res.writeHead(429, {
          'content-type': 'application/json; charset=utf-8',
          'retry-after': String(limit.retryAfterSec),
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      const answer = answerApi(method, args, authorization);
      call.answer = {
        status: 200,
        ok: answer.ok === true,
        ...(typeof answer.error === 'string' ? { error: answer.error } : {}),
        ...(typeof answer.ts === 'string' ? { ts: answer.ts } : {}),
      };
      const body = JSON.stringify(answer);
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith('/link/')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { envelope_id?: string; payload?: unknown };
        if (message.envelope_id)
          pendingAcks.get(message.envelope_id)?.({
            envelope_id: message.envelope_id,
            payload: message.payload,
            at: Date.now(),
          });
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'applink-standin', approximate_connection_time: 18060 },
          connection_info: { app_id: APP_ID },
        }),
      );
      helloSent = true;
      connectedResolvers.forEach((resolve) => resolve());
      connectedResolvers = [];
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiUrl: `${base}/api/`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failChannel: (channel, error) => channelErrors.set(channel, error),
    failMethod: (method, error) => (error ? methodErrors.set(method, error) : methodErrors.delete(method)),
    failNext: (method, error, times = 1) => nextErrors.set(method, { error, left: times }),
    rateLimit: (method, limit) =>
      limit
        ? rateLimits.set(method, { retryAfterSec: limit.retryAfterSec, left: limit.times ?? Number.POSITIVE_INFINITY })
        : rateLimits.delete(method),
    failResponseUrls: (status) => {
      responseUrlStatus = status;
    },
    setGroupMembers: (group, users) => groups.set(group, users),
    setUserTeam: (user, team) => userTeams.set(user, team),
    setChannel: (channel, members, opts = {}) =>
      channels.set(channel, {
        members: new Set(members),
        private: opts.private ?? false,
        archived: opts.archived ?? false,
        extShared: opts.extShared ?? false,
        name: opts.name ?? channel.toLowerCase(),
      }),
    responseUrl: () => `${base}/response/${randomUUID()}`,
    socketConnected: (timeoutMs = 5_000) =>
      helloSent
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error('the app never opened its Socket Mode connection')),
              timeoutMs,
            );
            connectedResolvers.push(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
    sendEnvelope: (type, payload, timeoutMs = 3_000) =>
      new Promise<SocketAck>((resolve, reject) => {
        const [socket] = sockets;
        if (!socket) return reject(new Error('no Socket Mode connection'));
        const envelopeId = randomUUID();
        const timer = setTimeout(() => reject(new Error(`no ack for envelope ${type}`)), timeoutMs);
        pendingAcks.set(envelopeId, (ack) => {
          clearTimeout(timer);
          pendingAcks.delete(envelopeId);
          resolve(ack);
        });
        socket.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: type !== 'events_api',
            retry_attempt: 0,
            retry_reason: '',
          }),
        );
      }),
    close: async () => {
      for (const socket of sockets) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
