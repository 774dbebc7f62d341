/**
 * Scenario 1: a chat server is killed (kill -9) while 50 clients in 5 groups
 * keep sending. Its clients reconnect through the dispatcher and catch up;
 * every acknowledged message must reach every member exactly once, in seq
 * order, and nothing may be stored twice. Its users who do not come back
 * must go offline (presence of a crashed server expires), those who moved
 * must stay online.
 */
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import type { PresenceBatch, User } from '@chat/shared';
import { ResilientClient } from '../support/chat-client';
import type { ClientSocket } from '../support/chat-client';
import type { ChatServerProcess, TestSystem } from '../support/system';
import { recordResult } from './support/results';
import {
  createAccounts, createGroupDirect, freshUps, internal, startReliabilitySystem,
} from './support/setup';
import {
  Traffic, assertNoLossNoDuplicate, buildCohort, closeCohort, settle, verify,
} from './support/traffic';
import type { Cohort } from './support/traffic';
import { eventually, sleep } from './support/wait';

describe('reliability: a chat server killed with kill -9 under load', function () {
  this.timeout(240000);
  let system: TestSystem;
  let cohort: Cohort;
  let victim: ChatServerProcess;
  let killedAt = 0;
  // Presence watch: users left on the victim who never come back, users who move, and a watcher elsewhere.
  const leavers: ClientSocket[] = [];
  const movers: ResilientClient[] = [];
  const batches: { at: number; batch: PresenceBatch }[] = [];
  let watcher: ClientSocket | undefined;
  const leaverUps: string[] = [];

  before(async () => {
    system = await startReliabilitySystem({ chatServers: 3, label: 'crash' });
    cohort = await buildCohort(system, 5, 10);
    const perServer = new Map<string, number>();
    cohort.clients.forEach((c) => perServer.set(c.serverId, (perServer.get(c.serverId) ?? 0) + 1));
    const busiest = [...perServer].sort((a, b) => b[1] - a[1])[0]?.[0];
    victim = system.chatServers.find((s) => s.id === busiest) as ChatServerProcess;

    // Watcher on a surviving server; leavers and movers on the victim, all in one group.
    const candidates = await createAccounts(system, freshUps(24));
    const placed = await Promise.all(candidates.map(async (a) => ({ a, at: await system.locate(a.token) })));
    const onVictim = placed.filter((p) => p.at.serverId === victim.id).map((p) => p.a);
    const elsewhere = placed.find((p) => p.at.serverId !== victim.id);
    assert.ok(onVictim.length >= 4 && elsewhere, 'users on the victim and elsewhere');
    const group = await createGroupDirect(system, 'presence', [elsewhere.a.up, ...onVictim.map((a) => a.up)]);
    watcher = io(elsewhere.at.url, { auth: { token: elsewhere.a.token }, transports: ['websocket'], forceNew: true });
    watcher.on('presence', (batch) => batches.push({ at: Date.now(), batch }));
    await new Promise<void>((resolve, reject) => { watcher?.once('connect', resolve); watcher?.once('connect_error', reject); });
    const [first, second, ...rest] = onVictim;
    [first, second].forEach((a) => { if (a) movers.push(new ResilientClient(system, a.up, a.token)); });
    await Promise.all(movers.map(async (m) => { await m.connect(); await m.join(group); }));
    await Promise.all(rest.map(async (a) => {
      const socket: ClientSocket = io(victim.url, { auth: { token: a.token }, transports: ['websocket'], reconnection: false });
      await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
      leavers.push(socket);
      leaverUps.push(a.up);
    }));
  });

  after(async () => {
    closeCohort(cohort);
    movers.forEach((m) => m.close());
    leavers.forEach((s) => s.disconnect());
    watcher?.disconnect();
    await system?.close();
  });

  it('delivers every acknowledged message to every member exactly once, in order, and stores none twice', async () => {
    const onVictim = cohort.clients.filter((c) => c.serverId === victim.id).length;
    const traffic = new Traffic(cohort, 500);
    await sleep(3000);
    killedAt = Date.now();
    await victim.kill();
    await sleep(9000);
    await traffic.stop();
    const { settleMs, repaired } = await settle(cohort);
    const v = await verify(cohort, traffic);
    recordResult('1 kill -9 a chat server', {
      clients: cohort.clients.length,
      groups: cohort.rooms.size,
      killed: victim.id,
      clientsOnKilledServer: onVictim,
      reconnects: cohort.clients.reduce((n, c) => n + c.reconnects, 0),
      settleMs,
      repairedByFinalCatchUp: repaired,
      ...v,
    });
    assert.ok(onVictim > 0, 'the killed server held clients');
    assertNoLossNoDuplicate(v);
    assert.equal(v.gaveUp, 0, 'every send was acknowledged in the end');
  });

  // Continues from the kill above.
  it('shows the killed server\'s users offline unless they reconnected elsewhere', async () => {
    const offline = () => new Set(batches.flatMap((b) => b.batch.offline.map((o) => o.up)));
    await eventually(() => leaverUps.every((up) => offline().has(up)), 'the leavers shown offline', 30000);
    const shownAt = (up: string) => batches.find((b) => b.batch.offline.some((o) => o.up === up))?.at ?? NaN;
    await sleep(1000);
    const moverUps = movers.map((m) => m.up);
    const users = await Promise.all([...leaverUps, ...moverUps].map(async (up) => (
      await internal<User>(system, 'GET', `/user/${up}`)).body));
    recordResult('1b presence after kill -9', {
      leavers: leaverUps.length,
      shownOfflineAfterKillMs: Math.max(...leaverUps.map(shownAt)) - killedAt,
      moversBackAfterKillMs: Math.max(...movers.map((m) => m.connectedAt)) - killedAt,
      leaversOffline: users.filter((u) => leaverUps.includes(u.up) && !u.online).length,
      moversOnline: users.filter((u) => moverUps.includes(u.up) && u.online).length,
      moversShownOffline: moverUps.filter((up) => offline().has(up)).length,
      presenceBatchesSeen: batches.length,
    });
    users.filter((u) => leaverUps.includes(u.up)).forEach((u) => assert.equal(u.online, false, `${u.up} stored offline`));
    users.filter((u) => moverUps.includes(u.up)).forEach((u) => assert.equal(u.online, true, `${u.up} still online`));
    moverUps.forEach((up) => assert.ok(!offline().has(up), `${up} moved to another server and was never shown offline`));
  });
});
