/** Front's error envelope and the exact wordings the diagnosis rules match on (docs/front-behaviour.md §3). */

export interface ErrorBody {
  _error: { status: number; title: string; message: string };
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export function errorReply(status: number, message: string, headers?: Record<string, string>): Reply {
  const body: ErrorBody = { _error: { status, title: TITLES[status] ?? 'Error', message } };
  return headers ? { status, body, headers } : { status, body };
}

export const unauthenticated = (): Reply => errorReply(401, 'JSON Web Token error');

export const notAllowedToRead = (kind: string, id: string): Reply =>
  errorReply(403, `This agent is not allowed to read the "${kind}" with ID: "${id}"`);

export const teammateResourcesDenied = (): Reply =>
  errorReply(403, 'You do not have access to the resources of this teammate');

export const missingPermission = (permission: string): Reply =>
  errorReply(403, `Token lacks the required \`${permission}\` scope`);

export const unknownId = (kind: string, id: string): Reply => errorReply(404, `Unknown ${kind} ID ${id}`);
