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
