/**
 * assertMatchesSpec from test/support/openapi.ts, plus the statuses it does not
 * resolve yet: those documented through a reusable response (`$ref:
 * '#/components/responses/…'`) must carry exactly the shared error shape, with
 * a code that belongs to the status.
 */
import assert from 'node:assert/strict';
import { ERROR_STATUS, loadSwagger } from '@chat/shared';
// The root package's test support has no package name to import it by.
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec } from '../../test/support/openapi';
// eslint-disable-next-line import/no-relative-packages
import type { ResponseLike } from '../../test/support/openapi';

type Operation = { responses?: Record<string, { $ref?: string }> };

export function assertSpec(method: string, pathTemplate: string, res: ResponseLike): void {
  const doc = loadSwagger() as {
    paths?: Record<string, Record<string, Operation>>;
    components?: { responses?: Record<string, unknown> };
  };
  const documented = doc.paths?.[pathTemplate]?.[method.toLowerCase()]?.responses?.[String(res.status)];
  if (!documented?.$ref) {
    assertMatchesSpec(method, pathTemplate, res);
    return;
  }
  const where = `${method.toUpperCase()} ${pathTemplate} ${res.status}`;
  const name = /^#\/components\/responses\/(\w+)$/.exec(documented.$ref)?.[1];
  assert.ok(name && doc.components?.responses?.[name], `${where}: ${documented.$ref} is not a reusable response`);
  const body = res.body as { error?: { code?: unknown; message?: unknown } } | undefined;
  assert.deepEqual(Object.keys(body ?? {}), ['error'], `${where}: body is not {error}`);
  assert.deepEqual(Object.keys(body?.error ?? {}).sort(), ['code', 'message'], `${where}: error is not {code, message}`);
  const code = String(body?.error?.code) as keyof typeof ERROR_STATUS;
  assert.equal(ERROR_STATUS[code], res.status, `${where}: error code ${code} does not belong to this status`);
  assert.equal(typeof body?.error?.message, 'string');
}
