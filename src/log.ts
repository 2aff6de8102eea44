import pino, { type DestinationStream, type Logger } from 'pino';
import { redactSecrets } from './redact';

/**
 * Paths that can hold a token or a credential anywhere in a log object. pino's redaction works on paths, so
 * the usual places are listed at two depths; `scrubSecrets` below catches what a path cannot (free text).
 */
const REDACT_PATHS = [
  'token',
  'apiToken',
  'accessToken',
  'authorization',
  'Authorization',
  'password',
  'secret',
  'signingSecret',
  'botToken',
  'appToken',
  'encryptionKey',
  'headers.authorization',
  'headers.Authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  'view.state.values',
  'body.view.state.values',
  '*.token',
  '*.apiToken',
  '*.accessToken',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.secret',
  '*.signingSecret',
  '*.botToken',
  '*.appToken',
];

/** JWTs (Front API tokens are JWTs), bearer values and Slack tokens, wherever they appear in text. */
export function scrubSecrets(text: string): string {
  return redactSecrets(text);
}

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: {
        log(object) {
          return scrubObject(object) as Record<string, unknown>;
        },
      },
      hooks: {
        logMethod(args, method) {
          // The message string itself may quote a token (an error text from a library, a pasted line).
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg)) as Parameters<
            typeof method
          >;
          method.apply(this, scrubbed);
        },
      },
      serializers: {
        err: (err: unknown) => scrubObject(pino.stdSerializers.err(err as Error)),
      },
    },
    options.destination ?? pino.destination(2),
  );
}

function scrubObject(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  // An Error's message and stack are not enumerable: serialise it first, or it would log as {}.
  if (value instanceof Error) return scrubObject(pino.stdSerializers.err(value), depth);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubObject(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = scrubObject(v, depth + 1);
  return out;
}

export type { Logger };
