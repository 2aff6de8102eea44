import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config';
import { RuleSetError } from './rules/rule-set';
import { asksForHelp, HELP, helpText, helpTopic } from './commands/help';
import { UsageError, type CliIo } from './commands/io';
import { guardOutput } from './commands/output';
import { closestName } from './commands/suggest';

type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Commands load lazily so `front-why explain` never pays for Bolt or the database drivers. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  explain: async () => (await import('./commands/explain')).explainCommand,
  diagnose: async () => (await import('./commands/diagnose')).diagnoseCommand,
  watch: async () => (await import('./commands/watch')).watchCommand,
  audit: async () => (await import('./commands/audit')).auditCommand,
  rules: async () => (await import('./commands/rules')).rulesCommand,
  tenants: async () => (await import('./commands/tenants')).tenantsCommand,
  keys: async () => (await import('./commands/keys')).keysCommand,
  activity: async () => (await import('./commands/activity')).activityCommand,
  unknowns: async () => (await import('./commands/unknowns')).unknownsCommand,
  stats: async () => (await import('./commands/stats')).statsCommand,
  serve: async () => (await import('./commands/serve')).serveCommand,
  sandbox: async () => (await import('./commands/sandbox')).sandboxCommand,
  demo: async () => (await import('./commands/demo')).demoCommand,
};

/** Old names that still work, so scripts written against them lose nothing; each use says the new name on stderr. */
const RENAMED: Record<string, string> = {
  'audit-log': 'activity',
};

/** The command an argument names, after a note on stderr when it is a renamed one. */
function commandName(name: string, io: CliIo): string {
  const renamed = Object.hasOwn(RENAMED, name) ? RENAMED[name] : undefined;
  if (!renamed) return name;
  io.stderr.write(`front-why: \`${name}\` is now \`${renamed}\`; the old name still works.\n`);
  return renamed;
}

/** "; did you mean explain?" when a mistyped name is one or two keystrokes from a command; else nothing. */
function didYouMean(given: string): string {
  if (given.startsWith('-')) return '';
  const close = closestName(given, [...Object.keys(COMMANDS), ...Object.keys(RENAMED)]);
  return close ? `; did you mean \`${close}\`?` : '';
}

export function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${HELP[name]?.summary ?? ''}`);
  return [
    'usage: front-why <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'Run `front-why <command> --help` for its usage and examples; `front-why --version` prints the version.',
    '',
  ].join('\n');
}

/** package.json sits one level above both src/ and dist/. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export async function runCli(argv: string[], processIo: CliIo = defaultIo()): Promise<number> {
  const [given, ...rest] = argv;
  // Everything printed from here on, errors included, goes through the guard (see output.ts).
  const io = guardOutput(processIo, { known: [processIo.env.FRONT_API_TOKEN], redact: given !== 'sandbox' });
  const name = given === undefined ? undefined : commandName(given, io);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' && rest[0] ? helpTopic(commandName(rest[0], io), rest.slice(1)) : undefined;
    if (topic && !COMMANDS[topic.split(' ')[0]!]) {
      io.stderr.write(`front-why: no command "${rest[0]}"${didYouMean(rest[0]!)}\n${usage()}`);
      return 2;
    }
    io.stdout.write(topic ? helpText(topic) : usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    const what = name.startsWith('-') ? `unknown option "${name}"` : `unknown command "${name}"`;
    io.stderr.write(`front-why: ${what}${didYouMean(name)}\n${usage()}`);
    return 2;
  }
  const topic = helpTopic(name, rest);
  if (asksForHelp(rest)) {
    io.stdout.write(helpText(topic));
    return 0;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`front-why ${name}: ${err.message}\nRun \`front-why ${topic} --help\` for usage and examples.\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof RuleSetError) {
      io.stderr.write(`front-why: ${err.message}\n`);
      return 1;
    }
    // Printed here, not by the caller, so an unexpected error's message passes the guard too.
    io.stderr.write(`front-why: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // process.stdin makes its stream on first read of the property: only a command that reads stdin pays for it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}
