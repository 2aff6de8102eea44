import { parseArgs } from 'node:util';

/** What a CLI command may touch, passed in so tests can run commands in-process with captured output. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Where a command registers a token it holds, so output never carries it (see output.ts). */
  secrets?: { add(secret: string): void };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Reads up to `maxBytes + 1` bytes of `stream` and counts the rest (up to `countTo`) without keeping it, so that
 * a refusal can say how large the input really was.
 */
export async function readCounted(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
  countTo: number,
): Promise<{ text: string; bytes: number; stoppedCounting: boolean }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buf.length;
    if (kept <= maxBytes) {
      const part = buf.subarray(0, maxBytes + 1 - kept);
      chunks.push(part);
      kept += part.length;
    }
    if (bytes > countTo) return { text: Buffer.concat(chunks).toString('utf8'), bytes: countTo, stoppedCounting: true };
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes, stoppedCounting: false };
}

export async function readAll(stream: NodeJS.ReadableStream, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    // Keep one byte past the limit so the parser can still say the paste is too large.
    if (size > maxBytes + 1) {
      chunks.push(buf.subarray(0, Math.max(0, buf.length - (size - maxBytes - 1))));
      break;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Flags as each command declares them; a wrong one is a usage error with the command's usage line. */
type OptionSpec = Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }>;

export function parseCommandArgs<T extends OptionSpec>(argv: string[], usage: string, options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${describeArgError(err, usage)}\n${usage}`);
  }
}

/**
 * parseArgs' own messages ("Option '--tenant <value>' argument missing", three lines about `--` for an unknown
 * option) read unlike every other usage error; each is said again in the words the commands use for a bad value.
 */
function describeArgError(err: unknown, usage: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const option = /--[\w-]+/.exec(message)?.[0] ?? /'(-[^' ]+)/.exec(message)?.[1];
  if (!option) return message;
  if ((err as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option "${option}"`;
  if (/argument missing|argument is ambiguous/.test(message)) return `${option} takes a value${example(option, usage)}`;
  if (/does not take an argument/.test(message)) return `${option} takes no value; give it alone`;
  return message;
}

/** "e.g. --tenant NAME", from the command's own usage line, when the line shows the option with its value. */
function example(option: string, usage: string): string {
  const shown = new RegExp(`${option}[ =](<[^>]+>|[A-Z][A-Z_]*)`).exec(usage)?.[0];
  return shown ? `, e.g. ${shown}` : '';
}
