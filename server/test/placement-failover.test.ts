/**
 * A chat server between two beats of its dispatcher: it lets in at once a user
 * the dispatcher has just moved to it, and it never sends anyone (by
 * WRONG_SERVER or `relocate`) to a server that does not answer.
 */
import assert from 'node:assert/strict';
import {
  Cluster, connected, eventually, next, refusal, sleep, startDataTier,
} from './support/cluster';
import type { DataTier } from './support/cluster';
import { twoServersOnFakeDispatcher } from './support/fake-dispatcher';
import type { FakeDispatcher } from './support/fake-dispatcher';

/** A URL where nothing listens (port 9 is discard, closed on test machines). */
const DEAD_URL = 'http://127.0.0.1:9';

describe('chat server: placement between heartbeats', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let dispatcher: FakeDispatcher;

  before(async () => { tier = await startDataTier('placement-failover'); });
  after(async () => { await tier.close(); });
  beforeEach(async () => {
    cluster = new Cluster(tier);
    dispatcher = await twoServersOnFakeDispatcher(cluster, { OWNERSHIP_GRACE_MS: '0' });
    const probe = await cluster.register(0);
    await eventually(async () => {
      const seen = await Promise.all([0, 1].map(async (server) => (
        (await cluster.rest('GET', '/chat/location', { user: probe, server })).body as { mapVersion: number }).mapVersion));
      return seen.every((version) => version === dispatcher.map.version);
    }, 'both servers on the current map');
    // From here on, whatever a server learns of a newer map, it asked for.
    dispatcher.freezeBeats();
  });
  afterEach(async () => {
    await cluster.close();
    await dispatcher.close();
  });

  it('lets in at once a user the dispatcher moved here after the last beat', async () => {
    const user = await cluster.register(0, 7);
    const refused = await refusal(cluster.client(user.token, 0));
    assert.deepEqual(refused.data, { code: 'WRONG_SERVER', url: cluster.server(1).publicUrl });

    dispatcher.place(() => 'chat-a');
    const socket = await cluster.connect(user, 0);
    assert.ok(socket.connected, 'accepted without waiting for a heartbeat');
  });

  it('lets in a client whose placement comes from a newer map than its dispatcher has', async () => {
    const user = await cluster.register(0, 7);
    const socket = cluster.client(undefined, 0);
    socket.auth = { token: user.token, mapVersion: dispatcher.map.version + 1 };
    await connected(socket);
    const bad = cluster.client(undefined, 0);
    bad.auth = { token: user.token, mapVersion: 'latest' };
    assert.equal(((await refusal(bad)).data as { code: string }).code, 'VALIDATION_FAILED');
  });

  it('keeps the users of a server that does not answer instead of sending them there', async () => {
    const user = await cluster.register(0, 7);
    dispatcher.map = {
      ...dispatcher.map,
      version: dispatcher.map.version + 1,
      servers: { ...dispatcher.map.servers, 'chat-b': { url: DEAD_URL } },
    };
    const socket = await cluster.connect(user, 0);
    assert.ok(socket.connected, 'accepted rather than sent to a server that does not answer');

    // A map change sweeps: a socket is not relocated to a server that does not answer, and is to one that does.
    const relocated = next(socket, 'relocate', () => true, 3000);
    dispatcher.place((d) => (d < 5 ? 'chat-a' : 'chat-b'));
    await cluster.connect(await cluster.register(0, 8), 0);
    await sleep(500);
    assert.ok(socket.connected, 'still here: its server does not answer');
    dispatcher.map = {
      ...dispatcher.map,
      version: dispatcher.map.version + 1,
      servers: { ...dispatcher.map.servers, 'chat-b': { url: cluster.server(1).publicUrl } },
    };
    await cluster.connect(await cluster.register(0, 9), 0).catch(() => undefined);
    assert.deepEqual(await relocated, { url: cluster.server(1).publicUrl, reason: 'placement changed' });
    await eventually(() => !socket.connected, 'moved to the server that answers');
  });
});
