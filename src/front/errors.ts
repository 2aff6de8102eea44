import { isRecord } from '../is-record';

/** Front's `_error` envelope. Every field is optional: Front omits any of them in practice. */
export interface FrontErrorBody {
  status?: number;
  title?: string;
  message?: string;
  details?: string[];
}

const MAX_FIELD_CHARS = 2000;

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, MAX_FIELD_CHARS);
}

/**
 * Reads `{"_error": {...}}` from a parsed body, keeping only fields of the expected type. Returns
 * undefined when there is no envelope or it holds nothing usable.
 */
export function parseFrontError(body: unknown): FrontErrorBody | undefined {
  if (!isRecord(body) || !isRecord(body._error)) return undefined;
  const raw = body._error;
  const out: FrontErrorBody = {};
  if (typeof raw.status === 'number' && Number.isInteger(raw.status)) out.status = raw.status;
  else if (typeof raw.status === 'string' && /^\d{3}$/.test(raw.status)) out.status = Number(raw.status);
  const title = text(raw.title);
  if (title !== undefined) out.title = title;
  const message = text(raw.message);
  if (message !== undefined) out.message = message;
  if (Array.isArray(raw.details)) {
    const details = raw.details.map(text).filter((d): d is string => d !== undefined);
    if (details.length > 0) out.details = details;
  } else {
    const single = text(raw.details);
    if (single !== undefined) out.details = [single];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
