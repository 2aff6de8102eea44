import { createHash } from 'node:crypto';
import { FRONT_ID_KINDS } from '../front/ids';
import type { Observation } from '../input';
import { wordingTemplate } from '../unknowns/template';

/**
 * What makes two failures "the same problem": the tenant, the cause found, the kind of resource refused
 * (conversation, tag, …) and the error's wording with its IDs, numbers and emails masked (the template the unknown
 * wordings use). Another conversation refused the same way is the same problem; another cause is a new one.
 * "f" and 16 hex digits of their SHA-256: stable across replicas, releases and days.
 */
export function fingerprintOf(tenant: string, cause: string, error: Observation | undefined): string {
  const kind = error ? resourceKind(error) : 'none';
  const wording = error ? wordingTemplate(error.message ?? error.title ?? '') : '';
  const status = error?.status ?? '';
  const digest = createHash('sha256').update([tenant, cause, kind, status, wording].join('\n')).digest('hex');
  return `f${digest.slice(0, 16)}`;
}

function resourceKind(error: Observation): string {
  if (error.resource?.kind) return error.resource.kind;
  const id = error.ids[0];
  return id ? (FRONT_ID_KINDS[id.split('_')[0] ?? ''] ?? 'unknown') : 'none';
}
