import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { openApiDocument } from '../../src/api/openapi';

type Doc = {
  components: { schemas: Record<string, unknown> };
  paths: Record<
    string,
    { post: { responses: Record<string, { content: { 'application/json': { schema: unknown } } }> } }
  >;
};

/**
 * Holds requests and answers to the OpenAPI document GET /v1/openapi.json serves: what a client generated from it
 * would send and expect. Strict: a schema keyword ajv does not know fails the compile.
 */
export function apiContract(document: Doc = openApiDocument() as Doc) {
  // strictRequired off: `oneOf: [{ required: ['path'] }, …]` names properties declared beside it, as JSON Schema allows.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  ajv.addVocabulary(['components']);
  ajv.addSchema({ components: document.components }, 'openapi');
  const compiled = new Map<string, ValidateFunction>();
  const schemaAt = (pointer: string): ValidateFunction => {
    let validate = compiled.get(pointer);
    if (!validate) {
      validate = ajv.getSchema(`openapi#${pointer}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      compiled.set(pointer, validate);
    }
    return validate;
  };
  const problems = (validate: ValidateFunction, value: unknown): string[] =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  return {
    schemaNames: Object.keys(document.components.schemas),
    /** Compiles the component `name`; throws when it is not a valid JSON Schema. */
    compile: (name: string) => schemaAt(`/components/schemas/${name}`),
    /** What is wrong with a request body by the document ([] when nothing). */
    requestProblems: (body: unknown) => problems(schemaAt('/components/schemas/DiagnoseRequest'), body),
    /** What is wrong with an answer of `status` by the document; a status the document does not list is a problem. */
    answerProblems(status: number, body: unknown): string[] {
      const response = document.paths['/v1/diagnose']?.post.responses[String(status)];
      if (!response) return [`status ${status} is not in the document`];
      const name = status === 200 ? 'DiagnoseAnswer' : 'Error';
      return problems(schemaAt(`/components/schemas/${name}`), body);
    },
  };
}
