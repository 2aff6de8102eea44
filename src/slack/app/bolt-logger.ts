import { inspect } from 'node:util';
import type { Logger as BoltLogger } from '@slack/bolt';
import { LogLevel } from './bolt';
import type { Logger } from '../../log';
import { errorFields } from '../send/failure';

/**
 * Bolt, its Web API client and the Socket Mode client log through this, so their lines get the same redaction as
 * ours. Their debug output quotes whole payloads (a connect modal's submission among them), so it is written at
 * `trace`: only someone who asks for everything gets it, and even then through the secret scrubbing.
 */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack' });
  const write =
    (level: 'trace' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      // Bolt and the Web API client log several debug lines per request, whole payloads among them: at the usual
      // level they are dropped, so they are not formatted first.
      if (!child.isLevelEnabled(level)) return;
      const err = parts.find((p): p is Error => p instanceof Error);
      const text = withoutPayloads(
        parts
          .filter((p) => !(p instanceof Error))
          .map((p) => (typeof p === 'string' ? p : inspect(p, { depth: 3, breakLength: Infinity })))
          .join(' '),
      );
      if (err) child[level]({ err: errorFields(err) }, text || err.message);
      else child[level](text);
    };
  return {
    debug: write('trace'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    // The level is ours (LOG_LEVEL); Bolt's attempts to change it are ignored.
    setLevel: () => undefined,
    getLevel: () => levelOf(logger.level),
    setName: () => undefined,
  };
}

/**
 * The Socket Mode client logs every frame it receives, a view submission included: with the connect modal, that
 * frame holds the pasted token. Token-shaped values would be scrubbed anyway, but anything pasted there is
 * meant to be a secret, so the frame is left out whole.
 */
const RAW_FRAME =
  /^(Received a message on the WebSocket: |Unable to parse an incoming WebSocket message \(will ignore\): [^,]*, )[\s\S]*$/;

function withoutPayloads(text: string): string {
  return text.replace(RAW_FRAME, '$1[payload not logged]');
}

function levelOf(level: string): LogLevel {
  switch (level) {
    case 'trace':
      return LogLevel.DEBUG;
    case 'debug':
    case 'info':
      return LogLevel.INFO;
    case 'warn':
      return LogLevel.WARN;
    default:
      return LogLevel.ERROR;
  }
}
