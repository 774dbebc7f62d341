/**
 * Each running service documents its own routes at /docs, with the URL it
 * really answers on as the server (a chat server on another port than 4000
 * must not send its readers to http://localhost:4000).
 */
import assert from 'node:assert/strict';
import {
  Cluster, startDataTier, startTestDispatcher,
} from './support/cluster';
import type { DataTier, TestDispatcher } from './support/cluster';

interface ServedDoc {
  servers: { url: string }[];
  paths: Record<string, unknown>;
}

const docsOf = async (url: string): Promise<ServedDoc> => {
  const res = await fetch(`${url}/docs/swagger.json`);
  assert.equal(res.status, 200);
  return await res.json() as ServedDoc;
};

describe('running services: their own /docs', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let dispatcher: TestDispatcher;

  before(async () => {
    tier = await startDataTier('docs');
    cluster = new Cluster(tier);
    await cluster.addServer();
    dispatcher = await startTestDispatcher('docs');
  });
  after(async () => {
    await cluster.close();
    await dispatcher.close();
    await tier.close();
  });

  it('a chat server lists its routes and its own URL, not another port', async () => {
    const { url } = cluster.server(0);
    const doc = await docsOf(url);
    assert.deepEqual(doc.servers.map((s) => s.url), [url]);
    assert.ok(doc.paths['/chat/groups'] && doc.paths['/auth/login']);
    assert.equal(doc.paths['/group'], undefined);
    assert.equal(doc.paths['/dispatcher/servers'], undefined);
  });

  it('the data service and the dispatcher list only their own routes, at their own URLs', async () => {
    const data = await docsOf(tier.url);
    assert.deepEqual(data.servers.map((s) => s.url), [tier.url]);
    assert.ok(data.paths['/group/{id}']);
    assert.equal(data.paths['/chat/groups'], undefined);
    const placement = await docsOf(dispatcher.url);
    assert.deepEqual(placement.servers.map((s) => s.url), [dispatcher.url]);
    assert.ok(placement.paths['/chat/location'] && placement.paths['/dispatcher/servers']);
    assert.equal(placement.paths['/chat/groups'], undefined);
  });
});
