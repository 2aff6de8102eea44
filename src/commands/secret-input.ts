import readline from 'node:readline';
import type { CliIo } from './io';
import { readAll } from './io';

/**
 * Reads a secret from stdin, never from the command line (shell history, process lists). On a terminal it
 * prompts and does not echo what is typed.
 */
export async function readSecret(io: CliIo, prompt: string): Promise<string> {
  if (!io.stdin.isTTY) return (await readAll(io.stdin, 16 * 1024)).trim();
  io.stderr.write(prompt);
  const rl = readline.createInterface({ input: io.stdin, terminal: true, output: undefined });
  try {
    const line = await new Promise<string>((resolve) => rl.once('line', resolve));
    io.stderr.write('\n');
    return line.trim();
  } finally {
    rl.close();
  }
}
