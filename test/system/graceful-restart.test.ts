/**
 * A graceful restart (SIGTERM, as `docker stop` or a deploy sends): the chat
 * server stops accepting, tells its sockets to reconnect elsewhere, finishes
 * the writes under way, deregisters, and exits 0 in bounded time. Clients
 * sending all the while lose no acknowledged message.
 */
import assert from 'node:assert/strict';
import { deliveryReport, ResilientClient } from '../support/chat-client';
import { startSystem } from '../support/system';
import type { TestSystem } from '../support/system';

describe('graceful restart of a chat server', function () {
  this.timeout(180000);
  let system: TestSystem;
  const clients: ResilientClient[] = [];

  before(async () => {
    system = await startSystem({ chatServers: 2, label: 'graceful restart', env: { PASSWORD_HASH_MEMORY_KIB: '1024' } });
  });
  after(async () => {
    clients.forEach((c) => c.close());
    await system?.close();
  });

  it('exits 0 within its bound and loses no acknowledged message', async () => {
    // Ten users across all ten last digits, so both servers hold some of them.
    const accounts = await system.createAccounts(Array.from({ length: 10 }, (_, i) => `7100${i}`));
    const [owner] = accounts;
    if (!owner) throw new Error('no accounts');
    const room = await system.createGroup(owner, 'restart', accounts.map((a) => a.up));
    accounts.forEach((a) => clients.push(new ResilientClient(system, a.up, a.token)));
    await Promise.all(clients.map(async (c) => { await c.connect(); await c.join(room); }));

    const victim = system.chatServers[0];
    if (!victim) throw new Error('no chat server');
    assert.ok(clients.some((c) => c.currentUrl === victim.url.replace('localhost', '127.0.0.1')), 'someone is on the server that restarts');

    const acked: number[] = [];
    let sent = 0;
    let sending = true;
    const senders = clients.slice(0, 4).map(async (c, n) => {
      while (sending) {
        sent += 1;
        const res = await c.send(room, `from ${c.up} #${n}-${sent}`);
        acked.push(res.seq);
        await new Promise((r) => { setTimeout(r, 50); });
      }
    });

    await new Promise((r) => { setTimeout(r, 1500); });
    const stopStarted = Date.now();
    await victim.stop(15000);
    const stopMs = Date.now() - stopStarted;
    assert.equal(victim.child.exitCode, 0, 'SIGTERM ends the process with exit code 0');
    assert.ok(stopMs < 15000, `it stopped within its bound (${stopMs} ms)`);

    await new Promise((r) => { setTimeout(r, 1500); });
    await victim.start();
    await system.waitUntilPlaced(victim.id);
    await new Promise((r) => { setTimeout(r, 1500); });
    sending = false;
    await Promise.all(senders);

    // Everyone catches up, then every acknowledged message must be with every member.
    await Promise.all(clients.map(async (c) => { await c.connect(); await c.join(room); }));
    const report = deliveryReport(sent, new Map([[room, acked]]), new Map([[room, clients]]));
    process.stdout.write(`      graceful restart: ${JSON.stringify({ ...report, stopMs })}\n`);
    assert.ok(report.acked > 20, `messages flowed during the restart (${report.acked} acked)`);
    assert.equal(report.lost, 0, 'no acknowledged message was lost');
    assert.deepEqual([...new Set(acked)].sort((a, b) => a - b), [...acked].sort((a, b) => a - b), 'no seq acknowledged twice');
    clients.forEach((c) => {
      const seqs = (c.messages.get(room) ?? []).map((m) => m.seq);
      assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), `${c.up} holds 1..N in order`);
    });
  });
});
