/**
 * The browser-origin allow-list holds on REST: a page on a foreign origin gets
 * 403 and its call does nothing, while allowed pages, the server's own pages
 * and clients that send no Origin (apps, curl) are served.
 */
import assert from 'node:assert/strict';
import type { Group } from '@chat/shared';
import { Cluster, startDataTier } from './support/cluster';
import type { DataTier, TestUser } from './support/cluster';

describe('chat server: REST from browser origins', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let alice: TestUser;

  before(async () => {
    tier = await startDataTier('rest-origin');
    cluster = new Cluster(tier);
    // A listed origin, so the server's own origin passes as itself, not as a local development page.
    await cluster.addServer({ CORS_ORIGINS: 'http://localhost:5173' });
    [alice] = await cluster.users(1) as [TestUser];
  });
  after(async () => {
    await cluster.close();
    await tier.close();
  });

  const call = (method: string, pathname: string, origin: string | undefined, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${alice.token}` };
    if (origin) headers.origin = origin;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${cluster.server(0).url}${pathname}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  const groupNames = async () => ((await (await call('GET', '/chat/groups', undefined)).json()) as { items: Group[] })
    .items.map((g) => g.name);

  it('refuses a foreign origin with 403 in the shared error shape, and does nothing', async () => {
    const read = await call('GET', '/chat/groups', 'http://evil.example');
    assert.equal(read.status, 403);
    assert.equal(read.headers.get('access-control-allow-origin'), null);
    const { error } = await read.json() as { error: { code: string; message: string } };
    assert.equal(error.code, 'FORBIDDEN');
    assert.match(error.message, /origin/);

    const write = await call('POST', '/chat/groups', 'http://evil.example', { name: 'planted', users: [] });
    assert.equal(write.status, 403);
    assert.ok(!(await groupNames()).includes('planted'), 'the refused call created nothing');

    const sandboxed = await call('GET', '/chat/groups', 'null');
    assert.equal(sandboxed.status, 403, 'a sandboxed page (Origin: null) is foreign too');
  });

  it('serves allowed origins, the server\'s own pages and clients that send no Origin', async () => {
    const allowed = await call('GET', '/chat/groups', 'http://localhost:5173');
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    const own = await call('GET', '/chat/groups', new URL(cluster.server(0).url).origin);
    assert.equal(own.status, 200);
    assert.equal((await call('GET', '/chat/groups', undefined)).status, 200);
  });
});
