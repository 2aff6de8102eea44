import { z } from 'zod';
import type { Diagnosis, OwnerFinding } from '../diagnosis';

/** The schemas the OpenAPI document names as components, by their id. */
export const API_SCHEMAS = z.registry<{ id: string }>();

/**
 * The contract of /v1, declared once: these schemas validate every request, type the answers, and are what
 * openapi.ts turns into the OpenAPI document (docs/openapi.json). Change one here and the document changes with it
 * (a test holds the committed document to what these generate).
 */

const tenant = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, { error: 'tenant must be a tenant name: 1–40 lowercase letters, digits or dashes' })
  .meta({ description: 'The tenant (a customer stored with `front-why tenants add`) whose call failed.' });

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** The failing call to Front as the integration saw it. */
export const failedCall = z
  .strictObject({
    tenant,
    method: z.enum(HTTP_METHODS, { error: `method must be one of ${HTTP_METHODS.join(', ')}` }),
    path: z
      .string()
      .regex(/^\/[\x21-\x7e]{0,2047}$/, {
        error: 'path must start with "/" and hold no spaces (at most 2048 characters)',
      })
      .optional()
      .meta({ description: 'The request path, e.g. `/conversations/cnv_123`. Give `path` or `url`.' }),
    url: z
      .string()
      .regex(/^https?:\/\/[\x21-\x7e]{1,2040}$/, {
        error: 'url must be an http(s) URL without spaces (at most 2048 characters)',
      })
      .optional()
      .meta({ description: 'The full request URL. Give `path` or `url`.' }),
    status: z
      .number({ error: 'status must be the HTTP status Front answered, a whole number from 100 to 599' })
      .int({ error: 'status must be a whole number from 100 to 599' })
      .min(100, { error: 'status must be a whole number from 100 to 599' })
      .max(599, { error: 'status must be a whole number from 100 to 599' }),
    headers: z
      .record(z.string().max(200), z.string().max(8192), { error: 'headers must be an object of header names to text' })
      .optional()
      .meta({
        description: "Front's response headers (x-ratelimit-*, retry-after, location…). Never send your token.",
      }),
    body: z
      .union([z.string(), z.record(z.string(), z.unknown())], {
        error: "body must be Front's response body, as text or as the JSON object",
      })
      .optional(),
    request_id: z.string().max(200, { error: 'request_id must be at most 200 characters' }).optional(),
  })
  .refine((c) => (c.path === undefined) !== (c.url === undefined), { error: 'give exactly one of path or url' })
  .meta({
    description: 'The failing call to Front, as your integration saw it.',
    // The refinement above, as JSON Schema says it (zod does not translate refinements).
    oneOf: [{ required: ['path'] }, { required: ['url'] }],
  })
  .register(API_SCHEMAS, { id: 'FailedCall' });

/** A raw paste, as an agent would paste it into Slack. */
export const pastedFailure = z
  .strictObject({
    tenant,
    paste: z
      .string({ error: 'paste must be text' })
      .min(1, { error: 'paste is empty' })
      .meta({ description: 'The error as text: a log line, curl -i output, a JSON error body (at most 64 KiB).' }),
  })
  .meta({ description: 'A failure as a raw paste.' })
  .register(API_SCHEMAS, { id: 'PastedFailure' });

export const diagnoseRequest = z
  .union([failedCall, pastedFailure])
  .meta({ description: 'A failing call, or a paste of one.' })
  .register(API_SCHEMAS, { id: 'DiagnoseRequest' });

export type FailedCall = z.output<typeof failedCall>;
export type DiagnoseRequest = z.output<typeof diagnoseRequest>;

const evidence = z
  .object({
    source: z.enum(['paste', 'probe']),
    check: z.string(),
    result: z.string(),
    ok: z.boolean().nullable(),
    ms: z.number().optional(),
  })
  .register(API_SCHEMAS, { id: 'Evidence' });

const diagnosis = z
  .object({
    cause: z.string().meta({ description: "The cause's name, e.g. `teammate_api_access_disabled`." }),
    rule: z.string(),
    variant: z.string().optional(),
    status: z.enum(['confirmed', 'possible']),
    confidence: z.enum(['high', 'medium', 'low']),
    headline: z.string(),
    whatHappened: z
      .string()
      .optional()
      .meta({ description: "What happened, in plain words for the customer's people (no tool or check names)." }),
    why: z.string(),
    steps: z.object({ agent: z.array(z.string()), teammate: z.array(z.string()), admin: z.array(z.string()) }),
    links: z.array(z.object({ title: z.string(), url: z.string() })),
    evidence: z.array(evidence),
    decidedBy: z.array(z.string()),
    target: z.string().optional(),
    owner: z
      .object({
        how: z.enum(['inbox-owner', 'requested', 'elimination', 'candidates', 'unfinished']),
        name: z.string().optional(),
        candidates: z.array(z.string()).optional(),
        checked: z.number().optional(),
        total: z.number().optional(),
        asOf: z.string().optional(),
        confirmedBy: z.array(z.string()).optional(),
      })
      .optional(),
    rankedBy: z.string().optional(),
    overruledBy: z.string().optional(),
  })
  .meta({ description: 'One cause, as `front-why diagnose --json` gives it.' })
  .register(API_SCHEMAS, { id: 'Diagnosis' });

/**
 * The answer's schemas refuse fields they do not declare, so a field the diagnosis gains must be declared here too:
 * these fail to compile until it is.
 */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type DiagnosisJson = z.output<typeof diagnosis>;
export const DIAGNOSIS_FIELDS_DECLARED: SameKeys<Diagnosis, DiagnosisJson> = true;
export const OWNER_FIELDS_DECLARED: SameKeys<OwnerFinding, NonNullable<DiagnosisJson['owner']>> = true;

export const diagnoseAnswer = z
  .object({
    tenant: z.string(),
    live: z.boolean().meta({ description: "Whether the checks ran live with the tenant's stored token." }),
    calls: z.number().int().meta({ description: 'Requests sent to Front for this answer.' }),
    fingerprint: z
      .string()
      .regex(/^f[0-9a-f]{16}$/)
      .meta({
        description:
          'The same for every failure of this tenant with this cause, resource kind, HTTP status and error wording (IDs and numbers masked): group by it.',
      }),
    diagnoses: z.array(diagnosis),
  })
  .meta({
    description: 'The diagnosis as `front-why diagnose --json` gives it, plus a fingerprint.',
  })
  .register(API_SCHEMAS, { id: 'DiagnoseAnswer' });

export type DiagnoseAnswer = z.output<typeof diagnoseAnswer>;

export const ERROR_CODES = [
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'unsupported_media_type',
  'invalid_json',
  'invalid_request',
  'unreadable',
  'payload_too_large',
  'rate_limited',
  'share_spent',
  'idempotency_in_progress',
  'idempotency_key_reused',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const apiError = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().meta({ description: 'What was wrong, for a person: the field, the limit, what to do.' }),
      retry_after: z
        .number()
        .int()
        .optional()
        .meta({ description: 'Seconds to wait before trying again (also in the Retry-After header).' }),
    }),
  })
  .meta({ description: 'Every error of /v1 has this shape.' })
  .register(API_SCHEMAS, { id: 'Error' });

export type ApiError = z.output<typeof apiError>;
