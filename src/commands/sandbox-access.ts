import { SANDBOX_DEFAULT_PORT } from '../sandbox';
import { usageOf } from './help';
import { parseCommandArgs, UsageError, type CliIo } from './io';

export const SET_ACCESS_USAGE = usageOf('sandbox set-access');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The sandbox to talk to: --url, else FRONT_API_BASE_URL when it points at this machine, else the default port. */
function sandboxUrl(given: string | undefined, env: NodeJS.ProcessEnv): string {
  const base = env.FRONT_API_BASE_URL?.trim();
  const candidate =
    given ?? (base && LOOPBACK_HOSTS.has(safeHost(base)) ? base : `http://127.0.0.1:${SANDBOX_DEFAULT_PORT}`);
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new UsageError(`--url must be the sandbox's address, e.g. http://127.0.0.1:${SANDBOX_DEFAULT_PORT}`);
  }
  return url.origin;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host.replace(/:\d+$/, '');
  } catch {
    return '';
  }
}

/** `front-why sandbox set-access <teammate> on|off`: what a teammate does in Front's preferences, for a running sandbox. */
export async function setAccessCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, SET_ACCESS_USAGE, { url: { type: 'string' } });
  const [teammate, state, extra] = positionals;
  if (!teammate || (state !== 'on' && state !== 'off') || extra !== undefined) {
    throw new UsageError(`give a teammate (ID or email) and on or off\n${SET_ACCESS_USAGE}`);
  }
  const base = sandboxUrl(values.url, io.env);
  let res: Response;
  try {
    res = await fetch(`${base}/_sandbox/teammates/${encodeURIComponent(teammate)}/api-access`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ allowed: state === 'on' }),
    });
  } catch (err) {
    io.stderr.write(
      `front-why sandbox set-access: no sandbox answers at ${base} (${(err as Error).message}); start one with \`front-why sandbox\` or pass --url\n`,
    );
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as {
    error?: string;
    teammate?: { name: string; id: string; email: string; apiAccessToIndividualResources: boolean };
  };
  if (!res.ok || !body.teammate) {
    io.stderr.write(`front-why sandbox set-access: ${body.error ?? `the sandbox answered ${res.status}`}\n`);
    return 1;
  }
  const t = body.teammate;
  io.stdout.write(
    `${t.name} (${t.id}, ${t.email}): "Allow access to my individual resources via the API" is now ${t.apiAccessToIndividualResources ? 'on' : 'off'}\n`,
  );
  return 0;
}
