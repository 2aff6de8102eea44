import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import yaml from 'js-yaml';

const SCHEMA_PATH = path.resolve(__dirname, '../../vendor/slack-manifest-schema/manifest.schema.1.0.0.json');
const MANIFEST_PATH = path.resolve(__dirname, '../../manifest.yml');

interface Manifest {
  features: {
    app_home: { home_tab_enabled: boolean };
    bot_user: { display_name: string };
    slash_commands: { command: string; usage_hint?: string }[];
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
}

/** ajv-formats is not installed; the only format in the schema is the optional `$schema` URI, unused here. */
function compile(): ReturnType<Ajv['compile']> {
  return new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(loadSchema());
}

function loadSchema(): object {
  return JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;
}

const manifest = yaml.load(readFileSync(MANIFEST_PATH, 'utf8')) as Manifest;

test('manifest.yml is valid against Slack’s app manifest schema 1.0.0', () => {
  const validate = compile();
  const valid = validate(manifest);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
});

test('the schema check is not vacuous: it rejects an unknown key and a command without "/"', () => {
  const validate = compile();
  const broken = structuredClone(manifest) as unknown as {
    features: { bot_user: Record<string, unknown>; slash_commands: { command: string }[] };
  };
  broken.features.bot_user.colour = 'red';
  expect(validate(broken)).toBe(false);
  const noSlash = structuredClone(manifest);
  noSlash.features.slash_commands[0]!.command = 'front-why';
  expect(validate(noSlash)).toBe(false);
});

test('declares the bot user, the Home tab, /front-why with a usage hint, only the bot scopes the code uses, message and Home events, interactivity and Socket Mode', () => {
  expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  expect(manifest.features.bot_user.display_name).toBe('front-why');
  expect(manifest.features.slash_commands).toEqual([
    expect.objectContaining({ command: '/front-why', usage_hint: expect.stringContaining('cnv_') }),
  ]);
  expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
    'channels:history',
    'channels:read',
    'chat:write',
    'commands',
    'groups:history',
    'groups:read',
    'usergroups:read',
    'users:read',
  ]);
  expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([
    'app_home_opened',
    'message.channels',
    'message.groups',
  ]);
  expect(manifest.settings.interactivity.is_enabled).toBe(true);
  expect(manifest.settings.socket_mode_enabled).toBe(true);
});

test('the HTTP-mode set-up the header comment gives is valid against the schema too', () => {
  const header = readFileSync(MANIFEST_PATH, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('#'));
  const keys = header.map((line) => /^#\s+([a-z_]+(?:\.[a-z_]+|\[\d+\])+)\s*$/.exec(line)?.[1]).filter(Boolean);
  expect(keys).toHaveLength(3);
  const http = structuredClone(manifest) as unknown as Record<string, unknown>;
  (http.settings as Record<string, unknown>).socket_mode_enabled = false;
  for (const key of keys as string[]) {
    const parts = key.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
    let node = http as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
    node[parts.at(-1)!] = 'https://front-why.example.com/slack/events';
  }
  const validate = compile();
  expect(validate(http) ? [] : validate.errors).toEqual([]);
  // Every place Slack sends requests to in HTTP mode got the URL.
  const settings = http.settings as {
    event_subscriptions: { request_url?: string };
    interactivity: { request_url?: string };
  };
  expect(settings.event_subscriptions.request_url).toMatch(/^https:/);
  expect(settings.interactivity.request_url).toMatch(/^https:/);
  expect((http.features as { slash_commands: { url?: string }[] }).slash_commands[0]?.url).toMatch(/^https:/);
});
