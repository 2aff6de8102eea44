import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import {
  buttonClick,
  commandPayload,
  eventEnvelope,
  waitFor,
  type HttpReply,
  type Who,
} from '../slack/helpers/harness';
import type { RecordedCall } from '../slack/helpers/slack-standin';
import { signedHeaders } from '../slack/helpers/signing';

export const BIN = path.join(__dirname, '../../bin/front-why.js');

/**
 * The environment of a `serve` talking to a Slack stand-in and the sandbox, with its store and pid file in `dir`
 * under `name`; `extra` adds or overrides.
 */
export function serveEnvFor(
  parts: { botToken: string; secret: string; slackApiUrl: string; frontUrl: string; dir: string; name: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: parts.botToken,
    SLACK_SIGNING_SECRET: parts.secret,
    SLACK_API_URL: parts.slackApiUrl,
    PORT: '0',
    FRONT_API_BASE_URL: parts.frontUrl,
    FRONT_WHY_DB: path.join(parts.dir, `${parts.name}.db`),
    FRONT_WHY_PID_FILE: path.join(parts.dir, `${parts.name}.pid`),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  port: number;
  url: string;
  /** Where GET /metrics answers (FRONT_WHY_METRICS_PORT, on loopback). */
  metricsUrl: string;
  /** Every JSON log line so far, parsed. */
  logs: LogLine[];
  /** Whatever was written to stderr that is not a JSON log line (a crash, a CLI error). */
  otherStderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(match: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  command(text: string, who?: Who & { responseUrl?: string }): Promise<HttpReply>;
  event(event: Record<string, unknown>, eventId?: string): Promise<HttpReply>;
  /** Clicks the button `actionId` of a message the bot posted, as Slack sends the click. */
  click(message: RecordedCall, actionId: string, who: Who & { responseUrl: string }): Promise<HttpReply>;
  /** Kills it if a test left it running. */
  kill(): Promise<void>;
}

/**
 * `node bin/front-why.js serve` as an operator runs it: a real process, real signals, its log on stderr. Its
 * metrics port is a free one unless `env` says otherwise, so several can run side by side.
 */
export async function startServe(env: Record<string, string>, secret: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FRONT_WHY_METRICS_PORT: '0', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const otherStderr: string[] = [];
  let pending = '';
  child.stderr.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        otherStderr.push(line);
      }
    }
  });
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));

  const waitForLog = (match: (line: LogLine) => boolean, what: string, timeoutMs = 15_000) =>
    waitFor(
      () => {
        const found = logs.find(match);
        if (!found && exitedEarly && what !== 'exit')
          throw new Error(`front-why serve exited while waiting for ${what}: ${otherStderr.join('\n')}`);
        return found;
      },
      what,
      timeoutMs,
    );

  const ready = await waitForLog((l) => l.msg === 'ready', '"ready"');
  const port = Number(ready.port);
  const url = `http://127.0.0.1:${port}`;
  const metricsUrl = `http://127.0.0.1:${Number(ready.metricsPort)}`;
  const send = async (body: string, contentType: string): Promise<HttpReply> => {
    const started = Date.now();
    const res = await fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: signedHeaders(secret, body, contentType),
      body,
    });
    const receivedAt = Date.now();
    return { status: res.status, body: await res.text(), elapsedMs: receivedAt - started, receivedAt };
  };

  return {
    child,
    pid: child.pid as number,
    port,
    url,
    metricsUrl,
    logs,
    otherStderr,
    exited,
    waitForLog,
    command: (text, who = {}) =>
      send(
        new URLSearchParams(
          commandPayload(text, who.responseUrl ?? 'http://127.0.0.1:9/response/unused', who),
        ).toString(),
        'application/x-www-form-urlencoded',
      ),
    event: (event, eventId) => send(JSON.stringify(eventEnvelope(event, eventId)), 'application/json'),
    click: (message, actionId, who) =>
      send(
        new URLSearchParams({ payload: JSON.stringify(buttonClick(message, actionId, who)) }).toString(),
        'application/x-www-form-urlencoded',
      ),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One CLI command, e.g. `rules reload`, with exactly `env` (plus PATH and HOME). */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
