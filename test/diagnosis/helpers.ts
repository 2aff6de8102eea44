import type { DiagnoseOutcome } from '../../src/diagnosis';
import { connectTenant, type TenantConnection } from '../../src/diagnosis/live';
import type { Clock } from '../../src/front';
import { NO_FAULTS, startSandbox, type Sandbox, type TokenName } from '../../src/sandbox';

export interface ConnectOptions {
  timeoutMs?: number;
  requestTimeoutMs?: number;
  maxCalls?: number;
  clock?: Clock;
}

/**
 * One sandbox for the calling file, calm and with fresh rate limits and stats before every test, and tenant
 * connections to it that are all closed with it; `use` hands the sandbox to the file's own variable.
 */
export function useLiveSandbox(use: (sandbox: Sandbox) => void): {
  connect(tokenName: TokenName, options?: ConnectOptions): TenantConnection;
} {
  let sandbox: Sandbox | undefined;
  const connections: TenantConnection[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    use(sandbox);
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    await sandbox?.close();
  });
  beforeEach(async () => {
    await sandbox?.setReachable(true);
    sandbox?.setFaults({ ...NO_FAULTS });
    sandbox?.resetRateLimits();
    sandbox?.resetStats();
  });
  return {
    connect(tokenName, options = {}) {
      if (!sandbox) throw new Error('the sandbox is not started yet: connect inside a test');
      const connection = connectTenant(
        sandbox.tokens[tokenName],
        {
          baseUrl: sandbox.url,
          requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
          timeoutMs: options.timeoutMs ?? 5_000,
          maxCalls: options.maxCalls ?? 12,
        },
        options.clock,
      );
      connections.push(connection);
      return connection;
    },
  };
}

export function okOutcome(outcome: DiagnoseOutcome): Extract<DiagnoseOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`diagnosis refused: ${outcome.message}`);
  return outcome;
}
