import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { OPENAPI_FILE, openApiDocument } from '../../src/api/openapi';
import { apiContract } from './contract';

/**
 * The committed OpenAPI document is what the zod schemas generate (regenerate it with
 * `FRONT_WHY_WRITE_OPENAPI=1 npx jest test/api/openapi.test.ts` after changing src/api/schemas.ts), and it is a valid
 * OpenAPI 3.1 document whose schemas compile.
 */
const ROOT = path.resolve(__dirname, '../..');
/**
 * The vendored schema, with `"$dynamicRef": "#meta"` read as the `$ref` to the `$dynamicAnchor` it names
 * (`#/$defs/schema`). That is what it resolves to for a document that sets no other dialect, as this one; ajv 8
 * resolves it to the root instead and then refuses every Schema Object for the root's `unevaluatedProperties`.
 */
const OAS_SCHEMA = JSON.parse(
  readFileSync(path.join(ROOT, 'vendor/openapi-3.1-schema/schema.json'), 'utf8').replaceAll(
    '"$dynamicRef": "#meta"',
    '"$ref": "#/$defs/schema"',
  ),
) as Record<string, unknown>;

test('the committed document is the one the zod schemas generate', () => {
  const generated = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
  const file = path.join(ROOT, OPENAPI_FILE);
  if (process.env.FRONT_WHY_WRITE_OPENAPI === '1') writeFileSync(file, generated);
  expect(readFileSync(file, 'utf8')).toBe(generated);
});

test('the document validates against the OpenAPI 3.1 schema, and its schemas compile', () => {
  const document = openApiDocument();
  // ajv-formats is not installed; the formats the OpenAPI schema names (uri, email) are for fields this document has not.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(OAS_SCHEMA);
  expect(validate(document) ? [] : validate.errors).toEqual([]);
  const contract = apiContract(document as Parameters<typeof apiContract>[0]);
  expect(contract.schemaNames.sort()).toEqual([
    'DiagnoseAnswer',
    'DiagnoseRequest',
    'Diagnosis',
    'Error',
    'Evidence',
    'FailedCall',
    'PastedFailure',
  ]);
  for (const name of contract.schemaNames) expect(() => contract.compile(name)).not.toThrow();
});
