import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OPENAPI_FILE, openApiDocument } from '../../src/api/openapi';
import { apiContract } from './contract';

/**
 * The committed OpenAPI document is what the zod schemas generate (regenerate it with
 * `FRONT_WHY_WRITE_OPENAPI=1 npx jest test/api/openapi.test.ts` after changing src/api/schemas.ts), and it is a valid
 * OpenAPI 3.1 document whose schemas compile.
 */
const ROOT = path.resolve(__dirname, '../..');
/**
 * A well-kept validator of OpenAPI documents (its own copy of the OpenAPI 3.1 schema, with the `$dynamicRef` handling
 * ajv alone lacks). It is an ES module, so it runs as its command in a process of its own rather than in jest.
 */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown[] } {
  const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'front-why-openapi-'));
  try {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    // It exits 1 for an invalid document; its verdict is on stdout either way.
    const run = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
    return JSON.parse(run.stdout) as { valid: boolean; errors?: unknown[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the committed document is the one the zod schemas generate', () => {
  const generated = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
  const file = path.join(ROOT, OPENAPI_FILE);
  if (process.env.FRONT_WHY_WRITE_OPENAPI === '1') writeFileSync(file, generated);
  expect(readFileSync(file, 'utf8')).toBe(generated);
});

test('the document is a valid OpenAPI 3.1 document, and its schemas compile', () => {
  const document = openApiDocument();
  expect(validateOpenApi(document)).toEqual({ valid: true });
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

test('the validator refuses a document that breaks the OpenAPI schema', () => {
  const broken = structuredClone(openApiDocument()) as { info?: unknown };
  delete broken.info;
  expect(validateOpenApi(broken)).toMatchObject({
    valid: false,
    errors: [expect.objectContaining({ keyword: 'required' })],
  });
});
