import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { waitFor } from '../slack/helpers/harness';
import { startSlackStandIn, type RecordedCall, type SlackStandIn } from '../slack/helpers/slack-standin';
import { buttonIds, visibleText } from '../slack/helpers/visible';
import { serveEnvFor, startServe, type ServeProcess } from './helpers';

/**
 * "Watch until fixed" in `front-why serve` as a real process, on real timers: every other watch test ticks by hand,
 * so only here does a server that never re-checks on its own fail. With FRONT_WHY_WATCH_INTERVAL_MS=1000 the
 * thread must hear "reads fine" once the teammates turn their preference on, with nobody ticking.
 */

const botToken = `xoxb-${randomBytes(8).toString('hex')}-watch`;
const secret = randomBytes(16).toString('hex');

let dir: string;
let slack: SlackStandIn;
let sandbox: Sandbox;
let server: ServeProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'front-why-watch-'));
  slack = await startSlackStandIn({ botToken });
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 100_000 } });
});

afterAll(async () => {
  await server?.kill();
  await sandbox?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

function posts(mark: number): RecordedCall[] {
  return slack.calls.slice(mark).filter((c) => c.method === 'chat.postMessage');
}

test('the server re-checks a watch by itself and tells the thread when it reads fine', async () => {
  const parts = { botToken, secret, slackApiUrl: slack.apiUrl, frontUrl: sandbox.url, dir, name: 'watch' };
  server = await startServe(
    serveEnvFor(parts, {
      FRONT_API_TOKEN: sandbox.tokens.acme_private,
      FRONT_WHY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      FRONT_WHY_WATCH_INTERVAL_MS: '1000',
    }),
    secret,
  );
  const running = server;

  let mark = slack.calls.length;
  expect((await running.command('cnv_yo1kg5q', { responseUrl: slack.responseUrl() })).status).toBe(200);
  const answer = await waitFor(
    () => posts(mark).find((c) => buttonIds(c).includes(ACTION_IDS.watch)),
    'the answer offering a watch',
    15_000,
  );

  mark = slack.calls.length;
  expect((await running.click(answer, ACTION_IDS.watch, { responseUrl: slack.responseUrl() })).status).toBe(200);
  await waitFor(
    () => posts(mark).find((c) => visibleText(c).includes('Watching cnv_yo1kg5q')),
    'the watch started',
    15_000,
  );

  sandbox.setApiAccess('bruno.keller@acme.example', true);
  sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
  const fine = await waitFor(
    () => posts(mark).find((c) => visibleText(c).startsWith(':white_check_mark:')),
    'the thread told it reads fine, with nobody ticking',
    20_000,
  );
  expect(fine.args.thread_ts).toBe(answer.args.thread_ts);
  expect(visibleText(fine)).toContain('cnv_yo1kg5q reads fine');
}, 60_000);
