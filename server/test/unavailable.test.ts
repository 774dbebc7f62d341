/**
 * The data service going away: sends are answered UNAVAILABLE (never a false
 * ok) and nothing refused is stored; readiness says so; new sockets are
 * refused; once it is back, everything works again without a restart.
 */
import assert from 'node:assert/strict';
import { freePort } from '@chat/local-services';
import type { SendMessageResult } from '@chat/shared';
import {
  Cluster, clientId, refusal, request, startDataTier,
} from './support/cluster';
import type { DataTier } from './support/cluster';

describe('chat server: when the data service is down', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;

  afterEach(async () => {
    await cluster.close();
    await tier.close();
  });

  it('answers UNAVAILABLE, stores nothing it refused, and recovers when the data service returns', async () => {
    const port = await freePort();
    tier = await startDataTier('unavailable', { port });
    cluster = new Cluster(tier);
    await cluster.addServer();
    const [alice, bob] = await cluster.users(2);
    const group = await cluster.group(alice!, [bob!]);
    const a = await cluster.connect(alice!);
    const sent = await request<SendMessageResult>(a, 'chat message', {
      message: 'before', up: alice!.up, room: group, clientId: clientId(),
    });
    assert.ok(sent.ok);

    await tier.stop();
    const refused = await request(a, 'chat message', {
      message: 'during', up: alice!.up, room: group, clientId: clientId(),
    });
    assert.equal(!refused.ok && refused.error.code, 'UNAVAILABLE');
    const read = await request(a, 'read', { room: group, seq: 1 });
    assert.equal(!read.ok && read.error.code, 'UNAVAILABLE');
    const ready = await cluster.rest('GET', '/ready');
    assert.equal(ready.status, 503);
    assert.equal((ready.body as { checks: { dataService: string } }).checks.dataService, 'down');
    const newcomer = await refusal(cluster.client(bob!.token));
    assert.deepEqual(newcomer.data, { code: 'UNAVAILABLE' });
    const groups = await cluster.rest('GET', '/chat/groups', { user: alice });
    assert.equal(groups.status, 503);
    assert.equal((groups.body as { error: { code: string } }).error.code, 'UNAVAILABLE');

    // What a connected member already had keeps working: the recent buffer answers the rejoin.
    const rejoin = await request(a, 'join room', { up: alice!.up, room: group, since: 0 });
    assert.ok(rejoin.ok, JSON.stringify(rejoin));

    tier = await startDataTier('unavailable', { port, mongoUrl: tier.mongoUrl });
    const after = await request<SendMessageResult>(a, 'chat message', {
      message: 'after', up: alice!.up, room: group, clientId: clientId(),
    });
    assert.ok(after.ok, JSON.stringify(after));
    assert.equal(after.seq, 2, 'the refused message took no seq');
    const history = await cluster.rest('GET', `/chat/${group}/message`, { user: bob });
    assert.deepEqual((history.body as { items: { message: string }[] }).items.map((m) => m.message), ['before', 'after']);
  });
});
