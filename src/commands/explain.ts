import { loadConfig, ruleCacheDir } from '../config';
import { diagnose, diagnosesToText, type DiagnoseOutcome } from '../diagnosis';
import { MAX_PASTE_BYTES, tooLargeMessage } from '../input';
import { loadRulesOrThrow } from '../rules/rule-set';
import { parseCommandArgs, readCounted, writeJson, type CliIo } from './io';
import { usageOf } from './help';
import { recordCliUnknowns } from './unknown-wordings';

export const EXPLAIN_USAGE = usageOf('explain');

/** `front-why explain`: the paste alone, no network. */
export async function explainCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, EXPLAIN_USAGE, {
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  });
  const config = loadConfig(io.env);
  const rules = loadRulesOrThrow(config.FRONT_WHY_RULES_DIR, { cacheDir: ruleCacheDir(io.env), compileText: false });
  const text = await textFrom(positionals, io);
  const outcome = await diagnose(text, { rules });
  await recordCliUnknowns(config, io, outcome, null);
  return printOutcome(outcome, io, { json: values.json === true, verbose: values.verbose === true });
}

export async function textFrom(positionals: string[], io: CliIo): Promise<string> {
  if (positionals.length > 0) return positionals.join(' ');
  // A multi-line JSON error is awkward to quote on a command line, so a terminal is read like a pipe, saying so.
  if (io.stdin.isTTY) io.stderr.write(TERMINAL_PROMPT);
  const read = await readCounted(io.stdin, MAX_PASTE_BYTES, MAX_COUNTED_BYTES);
  // Said here, with the real size: the parser sees only what was kept.
  if (read.bytes > MAX_PASTE_BYTES) throw new Error(tooLargeMessage(read.bytes, read.stoppedCounting));
  return read.text;
}

export const TERMINAL_PROMPT =
  'Paste the error, then press Ctrl-D on a line of its own to finish (Ctrl-Z then Enter on Windows; Ctrl-C to cancel).\n';

/** Past this, a piped input is not read further just to say how large it is. */
const MAX_COUNTED_BYTES = 256 * 1024 * 1024;

export interface PrintOptions {
  /** One JSON object with every field of every diagnosis. */
  json: boolean;
  /** The text with the why, the checks that decided and the links; without it, the first screen only. */
  verbose: boolean;
  /** The stored tenant checked, named in the commands the text suggests. */
  tenant?: string;
}

export function printOutcome(outcome: DiagnoseOutcome, io: CliIo, options: PrintOptions): number {
  if (!outcome.ok) {
    io.stderr.write(`front-why: ${outcome.message}\n`);
    return 1;
  }
  if (options.json) {
    writeJson(io, { diagnoses: outcome.diagnoses });
    return 0;
  }
  const text =
    outcome.diagnoses.length > 0
      ? diagnosesToText(outcome.diagnoses, { verbose: options.verbose, tenant: options.tenant })
      : nothingFound(outcome);
  io.stdout.write(`${text}\n`);
  return 0;
}

/** Said when a paste holds neither a Front error nor an ID of anything that can be private. */
export const NOTHING_TO_DIAGNOSE =
  'No Front error and no Front ID to check (a conversation cnv_…, message msg_…, tag tag_… or another kind that can be private, or an app link to one) in the paste: nothing to diagnose.';

function nothingFound(outcome: Extract<DiagnoseOutcome, { ok: true }>): string {
  if (outcome.sawError) return 'The paste holds a Front error, but no rule explains it.';
  if (outcome.targets.length > 0 && !outcome.live) {
    return `No Front error in the paste. To check ${outcome.targets.join(', ')} live, run \`front-why diagnose\` with the customer's token (a tenant or FRONT_API_TOKEN).`;
  }
  return NOTHING_TO_DIAGNOSE;
}
