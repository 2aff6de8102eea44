import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { waitFor } from '../slack/helpers/harness';
import { startSlackStandIn, type RecordedCall, type SlackStandIn } from '../slack/helpers/slack-standin';
import { buttonIds, visibleText } from '../slack/helpers/visible';
import { writeOperatorCause } from '../rules/operator-cause';
import { runCli, serveEnvFor, startServe, type ServeProcess } from './helpers';

/**
 * An operator adds causes without forking: rule files in a folder of their own, outside the repository, named by
 * FRONT_WHY_RULES_DIR, picked up by a running `front-why serve` on `front-why rules reload` (no build, no restart),
 * and from then on diagnosed in Slack and the CLI, watched as their files say, counted in `stats` and /metrics.
 */

const botToken = `xoxb-${randomBytes(8).toString('hex')}-operator`;
const secret = randomBytes(16).toString('hex');
const key = randomBytes(32).toString('base64');

const FIXABLE = {
  id: 'acme-proxy-blocked',
  wording: 'Blocked by the Acme proxy',
  customerCanFix: true,
  headline: 'The Acme proxy blocked the request: the customer allows Front in the proxy',
  fixed: 'the Acme proxy lets the integration through',
};
const NOT_FIXABLE = {
  id: 'acme-maintenance',
  wording: 'Acme gateway under maintenance',
  customerCanFix: false,
  headline: 'The Acme gateway is under maintenance: wait for it to end',
};
const paste = (wording: string) =>
  `GET /conversations/cnv_yo1kg5q 403 {"_error":{"status":403,"message":"${wording} for cnv_yo1kg5q"}}`;

let dir: string;
let operatorRules: string;
let slack: SlackStandIn;
let sandbox: Sandbox;
let server: ServeProcess | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'front-why-operator-'));
  operatorRules = mkdtempSync(path.join(tmpdir(), 'front-why-operator-rules-'));
  slack = await startSlackStandIn({ botToken });
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 100_000 } });
  const parts = { botToken, secret, slackApiUrl: slack.apiUrl, frontUrl: sandbox.url, dir, name: 'operator' };
  env = serveEnvFor(parts, {
    FRONT_API_TOKEN: sandbox.tokens.acme_private,
    FRONT_WHY_ENCRYPTION_KEY: key,
    FRONT_WHY_RULES_DIR: operatorRules,
    FRONT_WHY_WATCH_INTERVAL_MS: '1000',
  });
});

afterAll(async () => {
  await server?.kill();
  await sandbox?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(operatorRules, { recursive: true, force: true });
});

function posts(mark: number): RecordedCall[] {
  return slack.calls.slice(mark).filter((c) => c.method === 'chat.postMessage');
}

/** `/front-why PASTE` and its threaded answer (the post naming a cause). */
async function answer(running: ServeProcess, text: string): Promise<RecordedCall> {
  const mark = slack.calls.length;
  expect((await running.command(text, { responseUrl: slack.responseUrl() })).status).toBe(200);
  return waitFor(
    () => posts(mark).find((c) => c.args.thread_ts && visibleText(c).includes('Cause')),
    'the threaded answer',
    15_000,
  );
}

test('a cause added in a folder outside the repository works after `rules reload`, with no build or restart', async () => {
  server = await startServe(env, secret);
  const running = server;
  const before = Number(running.logs.find((l) => l.msg === 'ready')?.rules);
  expect(visibleText(await answer(running, paste(FIXABLE.wording)))).not.toContain(FIXABLE.headline);

  writeOperatorCause(operatorRules, FIXABLE);
  writeOperatorCause(operatorRules, NOT_FIXABLE);
  const reload = await runCli(['rules', 'reload'], env);
  expect(reload.stderr).toBe('');
  expect(reload.stdout).toContain(`now serves ${before + 2} rule files`);
  expect(reload.code).toBe(0);

  // Slack: each new cause is the answer, and offers a watch exactly when its file says the customer can fix it.
  const fixable = await answer(running, paste(FIXABLE.wording));
  expect(visibleText(fixable)).toContain(FIXABLE.headline);
  expect(buttonIds(fixable)).toContain(ACTION_IDS.watch);
  const notFixable = await answer(running, paste(NOT_FIXABLE.wording));
  expect(visibleText(notFixable)).toContain(NOT_FIXABLE.headline);
  expect(buttonIds(notFixable)).not.toContain(ACTION_IDS.watch);

  // The CLI reads the same folders.
  const explained = await runCli(['explain', '--json', paste(FIXABLE.wording)], env);
  expect(JSON.parse(explained.stdout).diagnoses[0]).toMatchObject({ cause: 'acme_proxy_blocked' });

  // The watch tells the thread the fix in the rule file's own words.
  let mark = slack.calls.length;
  expect((await running.click(fixable, ACTION_IDS.watch, { responseUrl: slack.responseUrl() })).status).toBe(200);
  await waitFor(() => posts(mark).find((c) => visibleText(c).includes('Watching cnv_yo1kg5q')), 'the watch', 15_000);
  mark = slack.calls.length;
  sandbox.setApiAccess('bruno.keller@acme.example', true);
  sandbox.setApiAccess('dmitri.ivanov@acme.example', true);
  const fine = await waitFor(
    () => posts(mark).find((c) => visibleText(c).startsWith(':white_check_mark:')),
    'the thread told it reads fine',
    20_000,
  );
  expect(visibleText(fine)).toContain(`${FIXABLE.fixed[0]?.toUpperCase()}${FIXABLE.fixed.slice(1)}; cnv_yo1kg5q`);
  expect(visibleText(fine)).not.toContain('acme_proxy_blocked');

  // Counted like any built-in cause.
  const metrics = await (await fetch(`${running.metricsUrl}/metrics`)).text();
  expect(metrics).toMatch(/front_why_diagnoses_total\{cause="acme_proxy_blocked",status="confirmed"\} [1-9]/);
  expect(metrics).toMatch(/front_why_diagnoses_total\{cause="acme_maintenance",status="confirmed"\} [1-9]/);
  const stats = await runCli(['stats'], env);
  expect(stats.stdout).toMatch(/\d+ {2}acme_proxy_blocked\n/);
  expect(stats.stdout).toMatch(/\d+ {2}acme_maintenance\n/);
}, 90_000);
