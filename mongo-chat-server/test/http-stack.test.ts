/** The data service on the service kit's stack: one error mapping and the security headers. */
import assert from 'node:assert/strict';
import request from 'supertest';
import { startHarness, TOKEN } from './helpers';
import type { Harness } from './helpers';

describe('data service: HTTP stack', () => {
  let h: Harness;
  before(async () => { h = await startHarness('http stack'); });
  after(async () => { await h?.close(); });

  it('answers a malformed percent-escape in the URL with 400 VALIDATION_FAILED, not 500', async () => {
    const res = await request(h.url).get('/group/%E0%A4%A').set('x-internal-token', TOKEN);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: { code: 'VALIDATION_FAILED', message: 'the URL is not valid' } });
  });

  it('sends the security headers, the docs page included', async () => {
    const docs = await request(h.url).get('/docs/');
    assert.equal(docs.status, 200);
    assert.match(String(docs.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(docs.headers['x-content-type-options'], 'nosniff');
  });
});
