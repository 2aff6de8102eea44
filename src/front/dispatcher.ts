import type { Dispatcher } from 'undici';

/**
 * An undici Agent keeps one connection pool per origin, so a single instance serves every tenant's
 * client. Timeouts here are only a backstop: each request is aborted by the client's own timer.
 */
export function createFrontDispatcher(options: { connections?: number } = {}): Dispatcher {
  // Required here, not at the top: undici is the largest module the CLI would load, and `explain` never sends.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Agent } = require('undici') as typeof import('undici');
  return new Agent({
    connections: options.connections ?? 16,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 30_000,
    connect: { timeout: 10_000 },
  });
}

let shared: Dispatcher | undefined;

/** The process-wide pool used when a client is created without a dispatcher. */
export function sharedFrontDispatcher(): Dispatcher {
  shared ??= createFrontDispatcher();
  return shared;
}

/** For shutdown: closes the shared pool's idle connections after in-flight requests finish. */
export async function closeSharedFrontDispatcher(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.close();
}
