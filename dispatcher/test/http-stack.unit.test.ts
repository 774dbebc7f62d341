/** The dispatcher on the service kit's stack (in-memory store): one error mapping and the security headers. */
import assert from 'node:assert/strict';
import { call, removeLogDirs, startTestDispatcher } from './support';
import type { TestDispatcher } from './support';

describe('dispatcher HTTP stack (in-memory store)', () => {
  let dispatcher: TestDispatcher;
  before(async () => { dispatcher = await startTestDispatcher(null); });
  after(async () => {
    await dispatcher?.close();
    removeLogDirs();
  });

  it('answers a malformed percent-escape in the URL with 400 VALIDATION_FAILED, not 500', async () => {
    const res = await call(dispatcher.url, 'DELETE', '/dispatcher/servers/%E0%A4%A');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: { code: 'VALIDATION_FAILED', message: 'the URL is not valid' } });
  });

  it('sends the security headers, the docs page included', async () => {
    const docs = await fetch(`${dispatcher.url}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(docs.headers.get('x-content-type-options'), 'nosniff');
  });
});
