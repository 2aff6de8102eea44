import { runSandboxCli } from '../sandbox';
import type { CliIo } from './io';

/** `front-why sandbox`: a local Front to point FRONT_API_BASE_URL at. */
export function sandboxCommand(argv: string[], io: CliIo): Promise<number> {
  return runSandboxCli(argv, io.stdout as NodeJS.WritableStream, { err: io.stderr as NodeJS.WritableStream });
}
