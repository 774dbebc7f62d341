/**
 * Chat servers with the real dispatcher: they register, the dispatcher's
 * `GET /chat/location` and the servers agree on who serves a user, and a
 * server closing hands its users to another.
 */
import assert from 'node:assert/strict';
import {
  Cluster, eventually, next, refusal, startDataTier, startTestDispatcher,
} from './support/cluster';
import type { DataTier, TestDispatcher, TestUser } from './support/cluster';

interface Location { url: string; serverId: string; mapVersion: number }

describe('chat server: with the real dispatcher', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let dispatcher: TestDispatcher;

  before(async () => { tier = await startDataTier('dispatcher'); });
  after(async () => { await tier.close(); });
  beforeEach(async () => {
    dispatcher = await startTestDispatcher('dispatcher');
    cluster = new Cluster(tier);
    const common = { DISPATCHER_URL: dispatcher.url, HEARTBEAT_INTERVAL_MS: '200', REDIS_URL: '' };
    await cluster.addServer({ ...common, SERVER_ID: 'chat-one' });
    await cluster.addServer({ ...common, SERVER_ID: 'chat-two' });
  });
  afterEach(async () => {
    await cluster.close();
    await dispatcher.close();
  });

  const locate = async (user: TestUser): Promise<{ status: number; body: Location }> => {
    const res = await fetch(`${dispatcher.url}/chat/location`, { headers: { authorization: `Bearer ${user.token}` } });
    return { status: res.status, body: await res.json() as Location };
  };

  const indexOf = (serverId: string) => cluster.servers.findIndex((s) => s.serverId === serverId);

  /** The dispatcher's answer for `user` is what both chat servers act on. */
  async function checkPlacement(user: TestUser) {
    const { body } = await locate(user);
    const owner = indexOf(body.serverId);
    assert.ok(owner >= 0, `placed on a known server: ${body.serverId}`);
    await eventually(async () => {
      const here = (await cluster.rest('GET', '/chat/location', { user, server: owner })).body as Location;
      return here.serverId === body.serverId;
    }, 'the chat server agreeing with the dispatcher');
    const refused = await refusal(cluster.client(user.token, 1 - owner));
    assert.deepEqual(refused.data, { code: 'WRONG_SERVER', url: body.url });
    const socket = await cluster.connect(user, owner);
    assert.ok(socket.connected);
  }

  it('places each user on one server, which accepts them while the other sends them there', async () => {
    const users = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => cluster.register(0, d)));
    await eventually(async () => {
      const ids = new Set(await Promise.all(users.map(async (u) => (await locate(u)).body.serverId)));
      return ids.has('chat-one') && ids.has('chat-two');
    }, 'users spread over both servers');
    for (const user of users.slice(0, 4)) await checkPlacement(user);
  });

  it('hands the users of a closing server to the other one', async () => {
    const user = await cluster.register(0, 4);
    let owner = -1;
    await eventually(async () => {
      const { status, body } = await locate(user);
      owner = status === 200 ? indexOf(body.serverId) : -1;
      if (owner < 0) return false;
      const here = (await cluster.rest('GET', '/chat/location', { user, server: owner })).body as Location;
      return here.serverId === body.serverId;
    }, 'a placement both agree on');
    const socket = await cluster.connect(user, owner);
    const relocated = next(socket, 'relocate');
    const other = cluster.server(1 - owner);
    await cluster.server(owner).close();
    assert.equal((await relocated).url, other.publicUrl);
    const { body } = await locate(user);
    assert.equal(body.serverId, other.serverId);
  });
});
