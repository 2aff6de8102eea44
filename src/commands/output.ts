import { withoutControls } from '../controls';
import { redactSecrets } from '../redact';
import type { CliIo } from './io';

/** What reaches the agent's terminal: no control characters (see controls.ts); tab and newline are kept. */
export function stripControls(text: string): string {
  // A write may start with \r to redraw its own progress line; anywhere else \r could hide what precedes it.
  const redraw = text.startsWith('\r') && !text.startsWith('\r\n') ? '\r' : '';
  return redraw + withoutControls(text);
}

export interface OutputGuardOptions {
  /** Secrets known by value from the start (FRONT_API_TOKEN). */
  known: (string | undefined)[];
  /** Off only for `front-why sandbox`, whose job is to print its own fake tokens. */
  redact: boolean;
}

/**
 * The CLI's one choke point: every write to stdout and stderr, by any command, passes here. Control characters
 * are stripped; JWTs, Bearer values and Slack tokens are redacted wherever they appear, and so is every token
 * a command registers through `io.secrets` (a tenant's token, the one read from stdin), altered forms included.
 * Redacting the final text, after JSON.stringify and every formatter, is what makes it hold for `--json` too.
 */
export function guardOutput(io: CliIo, options: OutputGuardOptions): CliIo {
  const known = options.known.filter((s): s is string => typeof s === 'string' && s !== '');
  const clean = (text: string): string => {
    const plain = stripControls(String(text));
    return options.redact ? redactSecrets(plain, { known }) : plain;
  };
  const guard = (stream: CliIo['stderr']): CliIo['stderr'] => ({
    write: (text: string) => stream.write(clean(text)),
    isTTY: stream.isTTY,
    // Read when asked: a terminal's width changes when its window is resized.
    get columns() {
      return stream.columns;
    },
  });
  return {
    env: io.env,
    // Read when asked: opening stdin costs a start that never reads it (`explain` with the paste as an argument).
    get stdin() {
      return io.stdin;
    },
    stdout: guard(io.stdout),
    stderr: guard(io.stderr),
    secrets: {
      add(secret: string) {
        if (secret !== '' && !known.includes(secret)) known.push(secret);
      },
    },
  };
}
