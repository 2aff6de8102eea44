import { ConfigError } from './config';
import { RuleSetError } from './rules';
import { UsageError, type CliIo } from './commands/io';

type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Commands load lazily so `front-why explain` never pays for Bolt or the database drivers. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  explain: { summary: 'explain a pasted Front error from the text alone', load: async () => (await import('./commands/explain')).explainCommand },
  diagnose: { summary: "diagnose a conversation or paste live, with the customer's token", load: async () => (await import('./commands/diagnose')).diagnoseCommand },
  audit: { summary: 'check the token and list every teammate whose API access preference is off', load: async () => (await import('./commands/audit')).auditCommand },
  rules: { summary: 'lint the rule files, run their examples, list the fact paths, reload them in the running server', load: async () => (await import('./commands/rules')).rulesCommand },
  tenants: { summary: 'add, list, check, remove tenants (encrypted Front tokens); rotate the encryption key', load: async () => (await import('./commands/tenants')).tenantsCommand },
  'audit-log': { summary: 'print who ran which diagnosis or changed which tenant', load: async () => (await import('./commands/audit-log')).auditLogCommand },
  serve: { summary: 'run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)', load: async () => (await import('./commands/serve')).serveCommand },
  sandbox: { summary: 'run the local Front-compatible sandbox and print its demo tokens', load: async () => (await import('./commands/sandbox')).sandboxCommand },
  demo: { summary: 'start the sandbox and diagnose its scenarios as the bot would reply', load: async () => (await import('./commands/demo')).demoCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: front-why <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`front-why: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`front-why ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof RuleSetError) {
      io.stderr.write(`front-why: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
