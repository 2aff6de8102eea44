import { z } from 'zod';
import { API_BODY_BYTES, DIAGNOSE_PATH, OPENAPI_PATH } from './handler';
import { API_SCHEMAS, ERROR_CODES } from './schemas';

/** Where the committed copy lives, from the package root; a test holds it equal to `openApiDocument()`. */
export const OPENAPI_FILE = 'docs/openapi.json';

/** What each status of POST /v1/diagnose means, for the document and the README alike. */
export const STATUSES: Record<string, string> = {
  '200':
    "The diagnosis. With the same Idempotency-Key as an earlier call, that call's answer (header Idempotent-Replayed: true).",
  '400':
    'The body is not JSON (invalid_json), a field is wrong (invalid_request: the message names it), or the failure holds nothing front-why can read (unreadable).',
  '401': 'No API key, an unknown one, or a revoked one (unauthorized). Nothing of the body was read.',
  '403': 'The key may not ask about this tenant (forbidden).',
  '404': 'There is no tenant of that name (not_found).',
  '405': 'Only POST (method_not_allowed).',
  '409':
    'The first call with this Idempotency-Key is still running (idempotency_in_progress): retry after Retry-After.',
  '413': `The body is over ${API_BODY_BYTES / 1024} KiB, or the failure's text over 64 KiB (payload_too_large).`,
  '415': 'The body is not sent as application/json (unsupported_media_type).',
  '422': 'This Idempotency-Key was used for a different body (idempotency_key_reused).',
  '429':
    "The key's own calls a minute are spent (rate_limited), or front-why's share of the tenant's Front rate limit for this minute is (share_spent): retry after Retry-After.",
  '500': 'front-why failed (internal): the message has a reference for the operator.',
  '503': 'front-why is restarting (unavailable): retry after Retry-After.',
};

type JsonSchema = Record<string, unknown>;

/**
 * The OpenAPI 3.1 document of /v1, built from the zod schemas that validate the requests (schemas.ts): each schema
 * with an `id` becomes a component, referenced where it is used.
 */
export function openApiDocument(): JsonSchema {
  const generated = z.toJSONSchema(API_SCHEMAS, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  }).schemas as Record<string, JsonSchema>;
  const components = Object.fromEntries(
    Object.entries(generated).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema;
      return [id, rest];
    }),
  );
  const ref = (id: string): JsonSchema => {
    if (!components[id]) throw new Error(`no schema ${id} in API_SCHEMAS`);
    return { $ref: `#/components/schemas/${id}` };
  };
  const json = (schema: JsonSchema, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const request = ref('DiagnoseRequest');
  const answer = ref('DiagnoseAnswer');
  const error = ref('Error');
  const responses = Object.fromEntries(
    Object.entries(STATUSES).map(([status, description]) => [
      status,
      json(status === '200' ? answer : error, description),
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'front-why diagnosis API',
      version: '1',
      description:
        'Send a failing call to Front (or a paste of one) and get the cause and the fix, as /front-why gives them in Slack. ' +
        `Every error has the Error shape; its code is one of ${ERROR_CODES.join(', ')}.`,
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths: {
      [DIAGNOSE_PATH]: {
        post: {
          operationId: 'diagnose',
          summary: 'Diagnose a failing call to Front',
          parameters: [
            {
              name: 'live',
              in: 'query',
              required: false,
              description:
                "false: answer from the call alone. Default true: run the live checks with the tenant's stored token.",
              schema: { type: 'boolean', default: true },
            },
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description:
                'Makes a retry safe: a second call with the same key and body within 24 hours gets the first answer, without running again.',
              schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: request } } },
          responses,
        },
      },
      [OPENAPI_PATH]: {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'The OpenAPI document of /v1.', content: { 'application/json': {} } } },
        },
      },
    },
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A key from `front-why keys create NAME --tenant T`, sent as `Authorization: Bearer <key>`.',
        },
      },
    },
  };
}
