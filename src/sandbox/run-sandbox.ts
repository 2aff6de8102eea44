import { SANDBOX_SCENARIOS } from './scenarios';
import { PLAN_RATE_LIMITS } from './seed';
import { startSandbox, type Sandbox, type SandboxOptions } from './server';
import { TOKEN_NAMES } from './tokens';

/** `front-why sandbox`: run the local Front on a port and print what a demo needs to point at it. */

export const SANDBOX_DEFAULT_PORT = 4010;

export interface SandboxCliOptions {
  /** Where usage errors go; defaults to `out`. */
  err?: NodeJS.WritableStream;
  /** Stops the sandbox like SIGINT would (tests, or an embedding process). */
  signal?: AbortSignal;
  /** Called once the server listens. */
  onReady?: (sandbox: Sandbox) => void;
  /** Extra options for startSandbox (a test clock, a secret). */
  sandboxOptions?: Omit<SandboxOptions, 'port' | 'host' | 'latencyMs'>;
}

const USAGE = `Usage: front-why sandbox [--port <n>] [--host <address>] [--latency <ms>]

Runs a local Front-compatible API with seeded companies and demo tokens, until Ctrl+C.
  --port <n>       port to listen on (default ${SANDBOX_DEFAULT_PORT}; 0 picks a free one)
  --host <address> address to bind (default 127.0.0.1)
  --latency <ms>   delay added to every answer
`;

type Parsed =
  { ok: true; port: number; host: string; latencyMs: number; help: boolean } | { ok: false; message: string };

function parseArgs(argv: readonly string[]): Parsed {
  let port = SANDBOX_DEFAULT_PORT;
  let host = '127.0.0.1';
  let latencyMs = 0;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        help = true;
        break;
      case '--port': {
        const v = value();
        const n = Number(v);
        if (v === undefined || v === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
          return {
            ok: false,
            message: `--port needs a whole number from 0 to 65535, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`,
          };
        }
        port = n;
        break;
      }
      case '--host': {
        const v = value();
        if (!v) return { ok: false, message: '--host needs an address, e.g. --host 127.0.0.1' };
        host = v;
        break;
      }
      case '--latency': {
        const v = value();
        const n = Number(v);
        if (v === undefined || v === '' || !Number.isInteger(n) || n < 0) {
          return {
            ok: false,
            message: `--latency needs a whole number of milliseconds, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`,
          };
        }
        latencyMs = n;
        break;
      }
      default:
        return { ok: false, message: `unknown option ${JSON.stringify(arg)}` };
    }
  }
  return { ok: true, port, host, latencyMs, help };
}

export function describeSandbox(sandbox: Sandbox): string {
  const lines: string[] = [];
  lines.push(`Front sandbox listening on ${sandbox.url}`);
  lines.push(`Point front-why at it with FRONT_API_BASE_URL=${sandbox.url} (instead of https://api2.frontapp.com).`);
  lines.push('The tokens below are fakes that work only against this sandbox.');
  lines.push('');
  lines.push('Companies');
  for (const company of Object.values(sandbox.companies)) {
    lines.push(
      `  ${company.name} (${company.id}), ${company.plan} plan, ${PLAN_RATE_LIMITS[company.plan]} requests/minute`,
    );
    const person = (t: (typeof company.teammates)[number]): string => `${t.firstName} ${t.lastName} (${t.id})`;
    const on = company.teammates.filter((t) => t.apiAccessToIndividualResources).map(person);
    const off = company.teammates.filter((t) => !t.apiAccessToIndividualResources).map(person);
    lines.push(`    API access to individual resources on:  ${on.join(', ') || 'nobody'}`);
    lines.push(`    API access to individual resources off: ${off.join(', ') || 'nobody'}`);
  }
  lines.push('');
  lines.push('Tokens');
  for (const name of TOKEN_NAMES) {
    const info = sandbox.tokenInfo[name];
    lines.push(`  ${name}: ${sandbox.companies[info.company].name}, ${info.description}`);
    lines.push(`    ${sandbox.tokens[name]}`);
  }
  lines.push('');
  lines.push('Scenarios (token → expected cause)');
  for (const s of SANDBOX_SCENARIOS) {
    const faults = s.faults ? `  [set faults ${JSON.stringify(s.faults)}]` : '';
    lines.push(`  ${s.name}: ${s.tokenName} → ${s.expectedCause}${faults}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Resolves with the exit code once the sandbox has stopped (SIGINT, SIGTERM or `signal`). */
export async function runSandboxCli(
  argv: readonly string[],
  out: NodeJS.WritableStream,
  options: SandboxCliOptions = {},
): Promise<number> {
  const err = options.err ?? out;
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    err.write(`front-why sandbox: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    out.write(USAGE);
    return 0;
  }

  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      ...options.sandboxOptions,
      port: parsed.port,
      host: parsed.host,
      latencyMs: parsed.latencyMs,
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE'
        ? ` Port ${parsed.port} is taken: pass --port <another> (or --port 0 for any free port).`
        : '';
    err.write(
      `front-why sandbox: could not listen on ${parsed.host}:${parsed.port}: ${(e as Error).message}.${hint}\n`,
    );
    return 1;
  }

  out.write(describeSandbox(sandbox));
  out.write('\nPress Ctrl+C to stop.\n');
  options.onReady?.(sandbox);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop);
  });

  await sandbox.close();
  out.write('Front sandbox stopped.\n');
  return 0;
}
