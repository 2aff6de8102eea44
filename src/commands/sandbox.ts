import { runSandbox, SANDBOX_DEFAULT_PORT, type SandboxRunOptions } from '../sandbox';
import { usageOf } from './help';
import { parseCommandArgs, UsageError, type CliIo } from './io';

export const SANDBOX_USAGE = usageOf('sandbox');

/** `front-why sandbox`: a local Front to point FRONT_API_BASE_URL at. `running` lets a caller stop it, see it ready. */
export async function sandboxCommand(
  argv: string[],
  io: CliIo,
  running: Omit<SandboxRunOptions, 'err'> = {},
): Promise<number> {
  if (argv[0] === 'set-access') return (await import('./sandbox-access')).setAccessCommand(argv.slice(1), io);
  const { values, positionals } = parseCommandArgs(argv, SANDBOX_USAGE, {
    port: { type: 'string' },
    host: { type: 'string' },
    latency: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${SANDBOX_USAGE}`);
  const port = values.port === undefined ? SANDBOX_DEFAULT_PORT : wholeNumber('--port', values.port, 65535);
  const latencyMs = values.latency === undefined ? 0 : wholeNumber('--latency', values.latency);
  if (values.host === '') throw new UsageError('--host takes an address, e.g. --host 127.0.0.1');
  const host = values.host ?? '127.0.0.1';
  return runSandbox({ port, host, latencyMs }, io.stdout as NodeJS.WritableStream, {
    ...running,
    err: io.stderr as NodeJS.WritableStream,
  });
}

function wholeNumber(flag: string, value: string, max?: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || (max !== undefined && n > max)) {
    const range = max === undefined ? 'a whole number, 0 or more' : `a whole number from 0 to ${max}`;
    throw new UsageError(`${flag} takes ${range}, not "${value}"`);
  }
  return n;
}
