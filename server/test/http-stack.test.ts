/** The chat server on the service kit's stack: one error mapping and the security headers. */
import assert from 'node:assert/strict';
import { Cluster, startDataTier } from './support/cluster';
import type { DataTier } from './support/cluster';

describe('chat server: HTTP stack', () => {
  let tier: DataTier;
  let cluster: Cluster;
  before(async () => {
    tier = await startDataTier('http-stack');
    cluster = new Cluster(tier);
    await cluster.addServer();
  });
  after(async () => {
    await cluster?.close();
    await tier?.close();
  });

  it('answers a malformed percent-escape in the URL with 400 VALIDATION_FAILED, not 500', async () => {
    const user = await cluster.register();
    const res = await cluster.rest('GET', '/chat/%E0%A4%A/message', { user });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: { code: 'VALIDATION_FAILED', message: 'the URL is not valid' } });
  });

  it('sends the security headers, the docs page included', async () => {
    const docs = await fetch(`${cluster.server().url}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(docs.headers.get('x-content-type-options'), 'nosniff');
  });
});
