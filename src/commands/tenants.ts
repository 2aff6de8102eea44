import { loadConfig, type Config } from '../config';
import { connectTenant } from '../diagnosis/live';
import { checkToken, describeTokenCheck } from '../diagnosis/token-check';
import { maskToken } from '../front';
import { Keyring, newTenantNameProblem } from '../store';
import { parseCommandArgs, UsageError, writeJson, type CliIo } from './io';
import { readSecret } from './secret-input';
import { withStore } from './store';
import { usageOf } from './help';
import { requestCount, startProgress, type Progress } from './progress';

export const TENANTS_USAGE = usageOf('tenants');

/** `front-why tenants …`: the customers whose Front tokens the bot holds, encrypted. */
export async function tenantsCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(rest, TENANTS_USAGE, {
    json: { type: 'boolean' },
    force: { type: 'boolean' },
  });
  const config = loadConfig(io.env);
  const actor = `cli:${io.env.USER ?? 'unknown'}`;
  switch (sub) {
    case 'add':
      return addTenant(config, io, nameArg(positionals), values.force === true, actor);
    case 'list':
      return listTenants(config, io, values.json === true);
    case 'check':
      return checkTenant(config, io, nameArg(positionals), actor);
    case 'remove':
      return withStore(config, io.env, async (store) => {
        const name = nameArg(positionals);
        if (!(await store.removeTenant(name))) {
          io.stderr.write(`front-why: no tenant named "${name}"\n`);
          return 1;
        }
        await store.recordActivity({ at: new Date(), actor, tenant: name, action: 'tenant.remove' });
        io.stdout.write(`Removed tenant "${name}" and its channel bindings.\n`);
        return 0;
      });
    case 'rotate-key':
      return withStore(config, io.env, async (store) => {
        const result = await store.rotateKey(Keyring.fromEnv(io.env));
        await store.recordActivity({
          at: new Date(),
          actor,
          action: 'key.rotate',
          detail: `key ${result.keyId}: ${result.rotated} of ${result.total} re-encrypted`,
        });
        io.stdout.write(`Re-encrypted ${result.rotated} of ${result.total} token(s) under key "${result.keyId}".\n`);
        return 0;
      });
    default:
      throw new UsageError(sub ? `unknown subcommand "${sub}"\n${TENANTS_USAGE}` : TENANTS_USAGE);
  }
}

function nameArg(positionals: string[]): string {
  if (positionals.length !== 1 || !positionals[0])
    throw new UsageError(`give exactly one tenant NAME\n${TENANTS_USAGE}`);
  return positionals[0];
}

async function addTenant(config: Config, io: CliIo, name: string, force: boolean, actor: string): Promise<number> {
  // Refused before the token is read or checked: the store would refuse it after.
  const problem = newTenantNameProblem(name);
  if (problem) throw new UsageError(problem);
  const token = await readSecret(io, `Paste the Front API token for "${name}" and press Enter: `);
  if (token === '')
    throw new UsageError('no token on stdin: pipe it in, e.g. `front-why tenants add acme < token.txt`');
  io.secrets?.add(token);
  const requests = requestCount();
  const connection = connectTenant(token, { ...liveSettings(config), onFrontAttempt: requests.onFrontAttempt });
  const progress = checkingToken(io, connection.maskedToken, requests.text);
  try {
    const check = await checkToken(connection).finally(progress.end);
    io.stderr.write(`Token ${connection.maskedToken}: ${describeTokenCheck(check)}\n`);
    if (check.verdict !== 'valid' && !force) {
      io.stderr.write('Not stored. Fix the token, or pass --force to store it unchecked.\n');
      return 1;
    }
    return await withStore(config, io.env, async (store) => {
      const valid = check.verdict === 'valid' ? check : undefined;
      const existing = await store.getTenant(name);
      const record = {
        companyId: valid?.companyId ?? null,
        companyName: valid?.companyName ?? null,
        scopes: valid?.scopes ?? [],
        checkedAt: new Date(),
      };
      if (existing) await store.replaceTenantToken(name, token, valid ? record : undefined);
      else {
        const checked = valid
          ? {
              companyId: valid.companyId,
              companyName: valid.companyName,
              scopes: record.scopes,
              checkedAt: record.checkedAt,
            }
          : {};
        await store.addTenant({ name, token, addedBy: actor, ...checked });
      }
      await store.recordActivity({
        at: new Date(),
        actor,
        tenant: name,
        action: existing ? 'tenant.token.replace' : 'tenant.add',
        detail: describeTokenCheck(check),
      });
      io.stdout.write(
        `${existing ? 'Replaced the token of' : 'Added'} tenant "${name}" (token ${connection.maskedToken}, stored encrypted).\n`,
      );
      return 0;
    });
  } finally {
    await connection.close();
  }
}

async function listTenants(config: Config, io: CliIo, json: boolean): Promise<number> {
  return withStore(config, io.env, async (store) => {
    const tenants = await store.listTenants();
    const rows = await Promise.all(
      tenants.map(async (t) => {
        const token = await store.getTenantToken(t.name);
        if (token) io.secrets?.add(token);
        return {
          name: t.name,
          company: t.companyName,
          companyId: t.companyId,
          scopes: t.scopes,
          checkedAt: t.checkedAt?.toISOString() ?? null,
          token: token ? maskToken(token) : null,
          keyId: t.tokenKeyId,
        };
      }),
    );
    if (json) {
      writeJson(io, { tenants: rows });
      return 0;
    }
    if (rows.length === 0) {
      io.stdout.write('No tenants yet: add one with `front-why tenants add NAME < token-file`.\n');
      return 0;
    }
    for (const r of rows) {
      const scopes = r.scopes === null ? 'not checked' : r.scopes.length > 0 ? r.scopes.join(' ') : 'no scopes claim';
      io.stdout.write(
        `${r.name}\t${r.company ?? '(company unknown)'}\ttoken ${r.token}\tscopes: ${scopes}\tchecked: ${r.checkedAt ?? 'never'}\n`,
      );
    }
    return 0;
  });
}

async function checkTenant(config: Config, io: CliIo, name: string, actor: string): Promise<number> {
  return withStore(config, io.env, async (store) => {
    const token = await store.getTenantToken(name);
    if (!token) {
      io.stderr.write(`front-why: no tenant named "${name}"\n`);
      return 1;
    }
    io.secrets?.add(token);
    const requests = requestCount();
    const connection = connectTenant(token, { ...liveSettings(config), onFrontAttempt: requests.onFrontAttempt });
    const progress = checkingToken(io, connection.maskedToken, requests.text);
    try {
      const check = await checkToken(connection).finally(progress.end);
      if (check.verdict === 'valid') {
        await store.updateTenantCheck(name, {
          companyId: check.companyId ?? null,
          companyName: check.companyName ?? null,
          scopes: check.scopes ?? [],
          checkedAt: new Date(),
        });
      }
      await store.recordActivity({
        at: new Date(),
        actor,
        tenant: name,
        action: 'tenant.check',
        detail: describeTokenCheck(check),
      });
      io.stdout.write(`${name}: token ${connection.maskedToken} ${describeTokenCheck(check)}\n`);
      return check.verdict === 'valid' ? 0 : 1;
    } finally {
      await connection.close();
    }
  });
}

function checkingToken(io: CliIo, maskedToken: string, requests: () => string): Progress {
  const progress = startProgress(io.stderr);
  progress.show(() => `checking token ${maskedToken} with Front: ${requests()}…`);
  return progress;
}

export function liveSettings(config: Config) {
  return {
    baseUrl: config.FRONT_API_BASE_URL,
    requestTimeoutMs: config.FRONT_WHY_REQUEST_TIMEOUT_MS,
    timeoutMs: config.FRONT_WHY_TIMEOUT_MS,
    maxCalls: config.FRONT_WHY_MAX_CALLS,
  };
}
