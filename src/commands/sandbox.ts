import { runSandboxCli } from '../sandbox';
import type { CliIo } from './io';

/** `front-why sandbox`: a local Front to point FRONT_API_BASE_URL at. */
export async function sandboxCommand(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'set-access') return (await import('./sandbox-access')).setAccessCommand(argv.slice(1), io);
  const code = await runSandboxCli(argv, io.stdout as NodeJS.WritableStream, {
    err: io.stderr as NodeJS.WritableStream,
  });
  // 2 is a usage error, already explained with the usage; point to the examples as every command does.
  if (code === 2) io.stderr.write('Run `front-why sandbox --help` for usage and examples.\n');
  return code;
}
