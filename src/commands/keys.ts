import { newApiKey } from '../api/keys';
import { loadConfig } from '../config';
import { isStoreError, type ApiKey, type KeylessStore } from '../store';
import { usageOf } from './help';
import { parseCommandArgs, UsageError, writeJson, type CliIo } from './io';
import { withKeylessStore } from './store';

export const KEYS_USAGE = usageOf('keys');
const DEFAULT_PER_MINUTE = 60;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,20}$/;

/** `front-why keys …`: the API keys of POST /v1/diagnose. They are kept hashed, so no encryption key is needed. */
export async function keysCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(rest, KEYS_USAGE, {
    tenant: { type: 'string', multiple: true },
    notify: { type: 'string' },
    'per-minute': { type: 'string' },
    json: { type: 'boolean' },
  });
  const config = loadConfig(io.env);
  const actor = `cli:${io.env.USER ?? 'unknown'}`;
  switch (sub) {
    case 'create': {
      const name = nameArg(positionals);
      const perMinute = perMinuteArg(values['per-minute']);
      const notify = values.notify;
      if (notify !== undefined && !CHANNEL_ID.test(notify)) {
        throw new UsageError(`--notify takes a Slack channel ID such as C0123ABCD (not "#name")\n${KEYS_USAGE}`);
      }
      return withKeylessStore(config, (store) =>
        createKey(store, io, { name, tenants: values.tenant ?? [], notify, perMinute, actor }),
      );
    }
    case 'list':
      return withKeylessStore(config, async (store) => {
        const keys = await store.listApiKeys();
        if (values.json) writeJson(io, { keys });
        else
          io.stdout.write(
            keys.length === 0 ? 'No API keys. Create one with `front-why keys create NAME`.\n' : table(keys),
          );
        return 0;
      });
    case 'revoke':
      return withKeylessStore(config, async (store) => {
        const name = nameArg(positionals);
        const revoked = await store.revokeApiKey(name, new Date());
        if (!revoked) {
          io.stderr.write(`front-why: no working API key named "${name}" (see \`front-why keys list\`)\n`);
          return 1;
        }
        await store.recordActivity({ at: new Date(), actor, action: 'api.key.revoke', target: name });
        io.stdout.write(`Revoked API key "${name}": its next call gets 401, on every replica.\n`);
        return 0;
      });
    default:
      throw new UsageError(sub ? `unknown subcommand "${sub}"\n${KEYS_USAGE}` : KEYS_USAGE);
  }
}

async function createKey(
  store: KeylessStore,
  io: CliIo,
  options: { name: string; tenants: string[]; notify: string | undefined; perMinute: number; actor: string },
): Promise<number> {
  for (const tenant of options.tenants) {
    if (!(await store.getTenant(tenant))) {
      io.stderr.write(`front-why: no tenant named "${tenant}" (add it with \`front-why tenants add ${tenant}\`)\n`);
      return 1;
    }
  }
  const { key, hash } = newApiKey();
  let created: ApiKey;
  try {
    created = await store.createApiKey({
      name: options.name,
      keyHash: hash,
      tenants: options.tenants,
      notifyChannel: options.notify ?? null,
      perMinute: options.perMinute,
      createdBy: options.actor,
      createdAt: new Date(),
    });
  } catch (err) {
    if (isStoreError(err, 'api_key_exists') || isStoreError(err, 'invalid_input')) {
      io.stderr.write(`front-why: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  await store.recordActivity({
    at: new Date(),
    actor: options.actor,
    action: 'api.key.create',
    target: created.name,
    detail: describe(created),
  });
  // The key alone on stdout, so `KEY="$(front-why keys create …)"` captures exactly it.
  io.stdout.write(`${key}\n`);
  io.stderr.write(
    `Created API key "${created.name}": ${describe(created)}.\n` +
      'It is shown this once and kept only as a hash: store it now (send it as "Authorization: Bearer <key>").\n',
  );
  return 0;
}

function describe(key: ApiKey): string {
  const tenants = key.tenants.length === 0 ? 'every tenant' : `tenant(s) ${key.tenants.join(', ')}`;
  const notify = key.notifyChannel ? `, grouped alerts to ${key.notifyChannel}` : '';
  return `${tenants}, ${key.perMinute} call(s) a minute${notify}`;
}

function table(keys: ApiKey[]): string {
  return keys
    .map((k) => {
      const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'working';
      return `${k.name}  ${state}  ${describe(k)}  created ${k.createdAt.toISOString()} by ${k.createdBy}\n`;
    })
    .join('');
}

function nameArg(positionals: string[]): string {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`give exactly one key NAME\n${KEYS_USAGE}`);
  return positionals[0];
}

function perMinuteArg(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PER_MINUTE;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new UsageError(`--per-minute takes a whole number from 1 to 10000\n${KEYS_USAGE}`);
  }
  return n;
}
