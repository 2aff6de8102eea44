import { redactSecrets } from '../redact';
import type { CliIo } from './io';

/**
 * Control characters a paste (or an answer from Front) could smuggle into the agent's terminal: ESC starts the
 * sequences that retitle the window, clear the screen or rewrite what is shown; C1 controls do the same on some
 * terminals; bidi overrides make text read differently from what it is. Tab and newline are kept.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function stripControls(text: string): string {
  // A write may start with \r to redraw its own progress line; anywhere else \r could hide what precedes it.
  const redraw = text.startsWith('\r') && !text.startsWith('\r\n') ? '\r' : '';
  return redraw + text.replace(/\r\n/g, '\n').replace(CONTROLS, '');
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
  const guard = (stream: CliIo['stdout']): CliIo['stdout'] => ({
    write: (text: string) => stream.write(clean(text)),
    isTTY: stream.isTTY,
  });
  return {
    ...io,
    stdout: guard(io.stdout),
    stderr: guard(io.stderr),
    secrets: {
      add(secret: string) {
        if (secret !== '' && !known.includes(secret)) known.push(secret);
      },
    },
  };
}
