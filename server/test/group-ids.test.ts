/**
 * The groups of connecting users are looked up in batches: a crowd connecting
 * at once costs the data service a few calls, each answer is the user's own,
 * and nothing is cached past a call (a new membership counts at the next connect).
 */
import assert from 'node:assert/strict';
import { createDataClient } from '../src/data/client';
import { createGroupIds } from '../src/groups/group-ids';
import {
  Cluster, INTERNAL_TOKEN, connected, startDataTier,
} from './support/cluster';
import type { ChatClient, DataTier, TestUser } from './support/cluster';

describe('chat server: group lookups at handshake', function () {
  this.timeout(60000);
  let tier: DataTier;
  let cluster: Cluster;
  let users: TestUser[];
  const groups = new Map<string, string[]>();

  before(async () => {
    tier = await startDataTier('group-ids');
    cluster = new Cluster(tier);
    await cluster.addServer();
    users = await cluster.users(24);
    // Three groups of eight; the first user is in all three.
    for (let g = 0; g < 3; g += 1) {
      const members = users.slice(g * 8, (g + 1) * 8);
      const [owner, ...rest] = members;
      const first = users[0] as TestUser;
      const id = await cluster.group(owner as TestUser, g === 0 ? rest : [...rest, first]);
      [...members, first].forEach((u) => groups.set(u.up, [...new Set([...(groups.get(u.up) ?? []), id])]));
    }
  });
  after(async () => {
    await cluster?.close();
    await tier?.close();
  });

  const calls = async (): Promise<number> => {
    const text = await (await fetch(`${tier.url}/metrics`, { headers: { 'x-internal-token': INTERNAL_TOKEN } })).text();
    return [...text.matchAll(/http_request_duration_seconds_count\{[^}]*route="\/group\/ids"[^}]*\} (\d+)/g)]
      .reduce((sum, m) => sum + Number(m[1]), 0);
  };

  /** Group-id lookups one call at a time, remembering how many users each call asked for. */
  const countedLookups = (gatherMs: number) => {
    const data = createDataClient({ baseUrl: tier.url, internalToken: INTERNAL_TOKEN });
    const batches: number[] = [];
    const lookups = createGroupIds({
      groupIdsOf: (ups) => { batches.push(ups.length); return data.groupIdsOf(ups); },
    }, { maxInFlight: 1, gatherMs });
    return { lookups, batches };
  };

  it('answers lookups made together with a few calls, each with the user\'s own groups', async () => {
    const { lookups, batches } = countedLookups(0);
    // One lookup goes out at once; the others, made while it is in flight, wait and gather.
    const asked = [...users, ...users.slice(1, 5)];
    const first = lookups.of(asked[0]?.up as string);
    await new Promise((r) => { setImmediate(r); });
    const answers = [await first, ...await Promise.all(asked.slice(1).map((u) => lookups.of(u.up)))];
    answers.forEach((ids, i) => {
      const { up } = asked[i] as TestUser;
      assert.deepEqual(ids, [...(groups.get(up) ?? [])].sort(), `the groups of ${up}`);
    });
    assert.deepEqual(batches, [1, users.length - 1], 'the first alone, then everyone who waited in one call, each user once');

    const newcomer = users[23] as TestUser;
    const extra = await cluster.group(users[1] as TestUser, [newcomer], 'late');
    assert.ok((await lookups.of(newcomer.up)).includes(extra), 'a membership made after a lookup is seen by the next');
  });

  it('holds a lookup a few milliseconds so that lookups arriving just after it share its call', async () => {
    const { lookups, batches } = countedLookups(50);
    const [a, b] = [users[2], users[3]] as [TestUser, TestUser];
    const first = lookups.of(a.up);
    await new Promise((r) => { setTimeout(r, 10); });
    const second = lookups.of(b.up);
    assert.deepEqual([await first, await second], [a, b].map((u) => [...(groups.get(u.up) ?? [])].sort()));
    assert.deepEqual(batches, [2], 'one call for both');
  });

  it('puts a crowd of sockets connecting at once in their rooms for a few data-service calls', async () => {
    const before = await calls();
    const crowd: ChatClient[] = await Promise.all(users.map((u) => cluster.connect(u)));
    await Promise.all(crowd.map((c) => (c.connected ? Promise.resolve() : connected(c))));
    const made = (await calls()) - before;
    // How many gather depends on timing; fewer calls than sockets shows they were gathered.
    assert.ok(made >= 1 && made < crowd.length, `${crowd.length} handshakes made ${made} group lookups`);
    const sockets = await cluster.server().io.fetchSockets();
    users.forEach((u) => {
      const socket = sockets.find((s) => s.data.up === u.up);
      assert.ok(socket, `${u.up} is connected`);
      (groups.get(u.up) ?? []).forEach((id) => assert.ok(socket.rooms.has(id), `${u.up} is in the room of ${id}`));
    });
  });
});
