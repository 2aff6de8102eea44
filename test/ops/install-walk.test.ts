import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server';
import { ADMIN, AGENT, CHANNEL, commandPayload, connectSubmission, waitFor } from '../slack/helpers/harness';
import { signedHeaders } from '../slack/helpers/signing';
import { BOT_USER_ID, startSlackStandIn, type RecordedCall, type SlackStandIn } from '../slack/helpers/slack-standin';
import { runCli, startServe, type ServeProcess } from './helpers';

/**
 * docs/install.md walked as written, in HTTP mode and in Socket Mode: its variables, its commands and its slash commands, read from the
 * page itself, against the Slack stand-in (signed requests to the real `front-why serve`, or envelopes over its Socket Mode connection) and the Front sandbox.
 * A step the page adds, drops or rewords that this walk does not know fails here, so the page cannot go stale.
 */

const ROOT = path.resolve(__dirname, '../..');
const PAGE = readFileSync(path.join(ROOT, 'docs/install.md'), 'utf8');

interface Block {
  lang: string;
  lines: string[];
}

/** Every fenced block of the page, in order, indentation (a block inside a list item) removed. */
function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)].map((m) => ({
    lang: m[2]!,
    lines: m[3]!
      .split('\n')
      .map((l) => l.slice(m[1]!.length).trim())
      .filter((l) => l !== ''),
  }));
}

/** `export NAME=VALUE   # comment` → [NAME, VALUE]. */
function exports(page: Block[]): [string, string][] {
  return page
    .filter((b) => b.lang === 'sh')
    .flatMap((b) => b.lines)
    .map((l) => /^export ([A-Z_]+)=(.*?)(?:\s+#.*)?$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!]);
}

const botToken = `xoxb-${randomBytes(8).toString('hex')}-install`;
const secret = randomBytes(16).toString('hex');
const appToken = `xapp-1-${randomBytes(8).toString('hex')}-install`;

let dir: string;
let slack: SlackStandIn;
let sandbox: Sandbox;
let server: ServeProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'front-why-install-'));
  slack = await startSlackStandIn({ botToken, appToken });
  sandbox = await startSandbox({ port: 0, faults: { rateLimitPerMinute: 100_000 } });
});

afterAll(async () => {
  await server?.kill();
  await sandbox?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * What a reader would paste for each placeholder, as the stand-ins know it. A value without a placeholder (the key's
 * `$(openssl …)`) is run through the shell, as the reader's shell would.
 */
function valueFor(name: string, written: string): string {
  const placeholders: Record<string, string> = {
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: secret,
    SLACK_APP_TOKEN: appToken,
    FRONT_WHY_ADMINS: ADMIN,
  };
  const stand = placeholders[name];
  if (stand !== undefined) {
    // The page's placeholder starts as the real value does (xoxb-…), or is a sample of its shape (U0123ABCD).
    const shown = written.replace(/…$/, '');
    if (name === 'FRONT_WHY_ADMINS') expect(shown).toMatch(/^U[A-Z0-9]+$/);
    else expect(stand.startsWith(shown)).toBe(true);
    return stand;
  }
  if (written.includes('…')) throw new Error(`the walk does not know what to give for ${name}=${written}`);
  const run = spawnSync('bash', ['-c', `printf %s ${written}`], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  return run.stdout;
}

function text(call: RecordedCall): string {
  return JSON.stringify(call.args);
}

function since(mark: number, method: string): RecordedCall[] {
  return slack.calls.slice(mark).filter((c) => c.method === method);
}

/** How the walk reaches the app: signed HTTP requests, or envelopes over the Socket Mode connection it opened. */
interface Door {
  command(text: string, user: string): Promise<void>;
  interact(payload: Record<string, unknown>): Promise<string>;
}

function httpDoor(running: ServeProcess): Door {
  return {
    async command(text, user) {
      expect((await running.command(text, { user, responseUrl: slack.responseUrl() })).status).toBe(200);
    },
    async interact(payload) {
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const res = await fetch(`${running.url}/slack/events`, {
        method: 'POST',
        headers: signedHeaders(secret, body, 'application/x-www-form-urlencoded'),
        body,
      });
      expect(res.status).toBe(200);
      return res.text();
    },
  };
}

function socketDoor(): Door {
  return {
    async command(text, user) {
      await slack.sendEnvelope('slash_commands', commandPayload(text, slack.responseUrl(), { user }));
    },
    async interact(payload) {
      return JSON.stringify((await slack.sendEnvelope('interactive', payload)).payload ?? {});
    },
  };
}

const MODES = { http: 'SLACK_SIGNING_SECRET', socket: 'SLACK_APP_TOKEN' } as const;

test.each(Object.keys(MODES) as (keyof typeof MODES)[])(
  'docs/install.md, walked step by step in %s mode, ends in a threaded answer',
  async (mode) => {
    const page = blocks(PAGE);
    const folder = mkdtempSync(path.join(dir, `${mode}-`));

    // 1. The manifest it links to is the repository's (its schema is checked in test/slack/manifest.test.ts).
    expect(PAGE).toContain('[manifest.yml](../manifest.yml)');
    expect(existsSync(path.join(ROOT, 'manifest.yml'))).toBe(true);

    // 2–3. The variables: everything the page exports but what the other mode needs.
    const written = exports(page);
    expect(written.map(([name]) => name).sort()).toEqual([
      'FRONT_WHY_ADMINS',
      'FRONT_WHY_ENCRYPTION_KEY',
      'SLACK_APP_TOKEN',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
    ]);
    const other = mode === 'http' ? MODES.socket : MODES.http;
    const env: Record<string, string> = Object.fromEntries(
      written.filter(([name]) => name !== other).map(([name, value]) => [name, valueFor(name, value)]),
    );
    expect(Buffer.from(env.FRONT_WHY_ENCRYPTION_KEY!, 'base64')).toHaveLength(32);
    // What points the app at the stand-ins and keeps its files in this test's folder; nothing else is added.
    Object.assign(env, {
      SLACK_API_URL: slack.apiUrl,
      FRONT_API_BASE_URL: sandbox.url,
      PORT: '0',
      FRONT_WHY_DB: path.join(folder, 'front-why.db'),
      FRONT_WHY_PID_FILE: path.join(folder, 'front-why.pid'),
      LOG_LEVEL: 'info',
    });

    // 4. Start it, and ask /readyz as the page does.
    const commands = page
      .filter((b) => b.lang === 'sh')
      .flatMap((b) => b.lines.filter((l) => !l.startsWith('export ')));
    expect(commands[0]).toBe('npx front-why serve');
    server = await startServe(env, secret);
    expect(server.logs.find((l) => l.msg === 'ready')).toMatchObject({ mode });
    expect(server.logs.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
    const readyPath = /^curl -s localhost:3000(\/\w+)$/.exec(commands[1] ?? '')?.[1];
    expect(readyPath).toBe('/readyz');
    const ready = (await (await fetch(`${server.url}${readyPath}`)).json()) as { ready: boolean };
    expect(ready).toMatchObject({ ready: true });
    expect(commands).toHaveLength(2);
    if (mode === 'socket') await slack.socketConnected();
    const door = mode === 'http' ? httpDoor(server) : socketDoor();

    // 5–8. The slash commands, in the page's order.
    const slash = page.filter((b) => b.lang === 'text').flatMap((b) => b.lines);
    expect(slash.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      '/invite @front-why',
      '/front-why connect',
      '/front-why bind',
      '/front-why cnv_yo1kg5q',
    ]);
    for (const line of slash) {
      const [command, verb, arg] = line.split(' ');
      const mark = slack.calls.length;
      if (command === '/invite') {
        // Slack's own command: the bot becomes a member of the channel.
        slack.setChannel(CHANNEL, [ADMIN, AGENT, BOT_USER_ID]);
      } else if (verb === 'connect') {
        await door.command(`connect ${arg}`, ADMIN);
        const opened = await waitFor(() => since(mark, 'views.open')[0], 'the connect form');
        expect(await door.interact(connectSubmission(opened, sandbox.tokens.acme_private))).not.toContain('errors');
        await waitFor(() => since(mark, 'views.update')[0], 'the form saying it is connected');
        const stored = await runCli(['tenants', 'list', '--json'], env);
        expect(JSON.parse(stored.stdout)).toMatchObject({ tenants: [{ name: arg }] });
      } else if (verb === 'bind') {
        await door.command(`bind ${arg}`, ADMIN);
        const answer = await waitFor(() => since(mark, 'response_url')[0], 'the answer to bind');
        expect(text(answer)).toContain(`This channel now checks with tenant *${arg}*`);
      } else if (/^(cnv|msg)_\w+$/.test(verb ?? '')) {
        await door.command(verb!, AGENT);
        const reply = await waitFor(
          () =>
            since(mark, 'chat.postMessage').find(
              (c) => c.args.channel === CHANNEL && c.args.thread_ts && text(c).includes('*Cause:*'),
            ),
          'the threaded answer',
          15_000,
        );
        expect(text(reply)).toContain(verb);
      } else {
        throw new Error(`the walk does not know the step "${line}"`);
      }
    }
    await server.kill();
    server = undefined;
  },
);
