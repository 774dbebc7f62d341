/**
 * Routes registered from the contract: inputs parsed by the declared schemas
 * (400 VALIDATION_FAILED in the shared shape otherwise, unknown body fields
 * included), replies checked by the compiler against the declared responses.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import winston from 'winston';
import {
  errorHandler, expressPath, jsonBody, restContract, route,
} from '@chat/shared';

const { renameGroup } = restContract.chatServer;
const GROUP = 'ab'.repeat(12);

const group = (name: string) => ({
  id: GROUP, name, users: ['1'], createdBy: '1', owner: '1', admins: [], lastSeq: 0, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
});

/** Never run: each `@ts-expect-error` below is checked by `npm run lint`. */
export function replyTypes(router: Router): void {
  // @ts-expect-error 201 is not a response renameGroup declares
  route(router, renameGroup)(() => ({ status: 201, body: group('x') }));
  // @ts-expect-error a body that is not a group
  route(router, renameGroup)(() => ({ status: 200, body: { id: GROUP } }));
  // @ts-expect-error deleteGroup answers 204 without a body
  route(router, restContract.chatServer.deleteGroup)(() => ({ status: 204, body: group('x') }));
  // @ts-expect-error the parsed body has no `users`
  route(router, renameGroup)(({ body }) => ({ status: 200, body: group(body.users) }));
}

describe('routes registered from the contract', () => {
  let url: string;
  let server: ReturnType<ReturnType<typeof express>['listen']>;

  before(async () => {
    const app = express();
    app.use(jsonBody());
    const router = Router();
    route(router, renameGroup)(({ params, body }) => (
      { status: 200, body: { ...group(body.name), id: params.group } }));
    app.use(router);
    app.use(errorHandler(winston.createLogger({ silent: true })));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => { server.once('listening', resolve); });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => { server.close(resolve); }));

  const patch = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    type Body = { name?: string; id?: string; error?: { code: string; message: string } };
    return { status: res.status, body: await res.json() as Body };
  };

  it('turns OpenAPI paths into Express paths', () => {
    assert.equal(expressPath('/group/{id}/members/{up}'), '/group/:id/members/:up');
  });

  it('hands the handler parsed params and body (ids read as lower case, names trimmed)', async () => {
    const res = await patch(`/chat/groups/${GROUP.toUpperCase()}`, { name: '  team  ' });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, GROUP);
    assert.equal(res.body.name, 'team');
  });

  it('refuses unknown body fields, bad params and over-long text with 400 in the shared shape', async () => {
    const extra = await patch(`/chat/groups/${GROUP}`, { name: 'x', createdBy: '2' });
    assert.equal(extra.status, 400);
    assert.equal(extra.body.error?.code, 'VALIDATION_FAILED');
    assert.match(extra.body.error?.message ?? '', /createdBy/);
    const badId = await patch('/chat/groups/nope', { name: 'x' });
    assert.equal(badId.status, 400);
    assert.match(badId.body.error?.message ?? '', /^group: /);
    const long = await patch(`/chat/groups/${GROUP}`, { name: '😀'.repeat(101) });
    assert.equal(long.status, 400);
    assert.equal(long.body.error?.message, 'name: must be 1 to 100 characters long (counted in Unicode code points)');
  });
});
