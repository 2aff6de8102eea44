/**
 * Every failure the store reports on purpose. The `code` lets callers (CLI exit codes, Slack replies)
 * branch without parsing text; the message says what to do. No message ever carries a token or a key.
 */
export type StoreErrorCode =
  | 'invalid_input'
  | 'tenant_exists'
  | 'tenant_not_found'
  | 'api_key_exists'
  | 'key_config'
  | 'key_unknown'
  | 'key_mismatch'
  | 'decrypt_failed'
  | 'schema_too_new'
  | 'connection_failed';

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
