import { SANDBOX_SCENARIOS } from './scenarios';
import { PLAN_RATE_LIMITS } from './seed';
import { startSandbox, type Sandbox, type SandboxOptions } from './server';
import { TOKEN_NAMES } from './tokens';

/** `front-why sandbox`: run the local Front on a port and print what a demo needs to point at it. */

export const SANDBOX_DEFAULT_PORT = 4010;

export interface SandboxRunOptions {
  /** Where a failure to listen is reported; defaults to `out`. */
  err?: NodeJS.WritableStream;
  /** Stops the sandbox like SIGINT would (tests, or an embedding process). */
  signal?: AbortSignal;
  /** Called once the server listens. */
  onReady?: (sandbox: Sandbox) => void;
  /** Extra options for startSandbox (a test clock, a secret). */
  sandboxOptions?: Omit<SandboxOptions, 'port' | 'host' | 'latencyMs'>;
}

/** Where and how the sandbox listens, as `front-why sandbox` read them from its options. */
export interface SandboxListen {
  port: number;
  host: string;
  /** Delay added to every answer. */
  latencyMs: number;
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
export async function runSandbox(
  listen: SandboxListen,
  out: NodeJS.WritableStream,
  options: SandboxRunOptions = {},
): Promise<number> {
  const err = options.err ?? out;
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      ...options.sandboxOptions,
      port: listen.port,
      host: listen.host,
      latencyMs: listen.latencyMs,
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE'
        ? ` Port ${listen.port} is taken: pass --port <another> (or --port 0 for any free port).`
        : '';
    err.write(
      `front-why sandbox: could not listen on ${listen.host}:${listen.port}: ${(e as Error).message}.${hint}\n`,
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
