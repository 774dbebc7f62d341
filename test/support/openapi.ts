/**
 * Checks real responses against swagger.yaml (generated from the contract) with Ajv (JSON Schema 2020-12, as
 * OpenAPI 3.1 uses): the document is the contract, the tests hold the code to it.
 */
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ERROR_STATUS, isErrorCode, loadSwagger } from '@chat/shared';

interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: object }>;
}

interface Operation {
  responses?: Record<string, ResponseObject>;
}

/** Follows `$ref: '#/components/responses/Name'` to the response it names. */
function resolveResponse(response: ResponseObject | undefined): ResponseObject | undefined {
  const pointer = response?.$ref;
  if (!pointer) return response;
  const doc = loadSwagger() as { components?: { responses?: Record<string, ResponseObject> } };
  const name = pointer.replace('#/components/responses/', '');
  return doc.components?.responses?.[name];
}

const DOC_ID = 'swagger';
let ajv: Ajv2020 | undefined;

function getAjv(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: DOC_ID, ...loadSwagger() });
  }
  return ajv;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ResponseLike {
  status: number;
  body: unknown;
}

/**
 * Asserts that `res` is a response documented for `method path` (the OpenAPI
 * path template, e.g. `/group/{id}`) with its status, and that the body matches.
 */
export function assertMatchesSpec(method: string, pathTemplate: string, res: ResponseLike): void {
  const doc = loadSwagger() as { paths?: Record<string, Record<string, Operation>> };
  const op = doc.paths?.[pathTemplate]?.[method.toLowerCase()];
  assert.ok(op, `swagger.yaml has no ${method.toUpperCase()} ${pathTemplate}`);
  const status = String(res.status);
  const response = resolveResponse(op.responses?.[status]);
  assert.ok(response, `swagger.yaml does not document status ${status} for ${method.toUpperCase()} ${pathTemplate}`);
  const content = response.content?.['application/json'];
  if (!content?.schema) {
    assert.ok(
      res.body === undefined || res.body === '' || Object.keys(res.body as object).length === 0,
      `${method.toUpperCase()} ${pathTemplate} ${status} documents no body but one came`,
    );
    return;
  }
  const schemaRef = (content.schema as { $ref?: string }).$ref;
  const ref = schemaRef
    ? `${DOC_ID}${schemaRef}`
    : `${DOC_ID}#/paths/${escapePointer(pathTemplate)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  const check = getAjv().getSchema(ref);
  assert.ok(check, `cannot compile the schema at ${ref}`);
  const errorCode = (res.body as { error?: { code?: unknown } } | undefined)?.error?.code;
  if (isErrorCode(errorCode)) {
    assert.equal(ERROR_STATUS[errorCode], res.status, `${method.toUpperCase()} ${pathTemplate}: ${errorCode} answered with status ${res.status}`);
  }
  const valid = check(res.body);
  assert.ok(valid, `${method.toUpperCase()} ${pathTemplate} ${status} does not match swagger.yaml: ${getAjv().errorsText(check.errors)}\nbody: ${JSON.stringify(res.body).slice(0, 500)}`);
}
