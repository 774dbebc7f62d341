/**
 * A chat server with users in groups is killed (kill -9). The dispatcher moves
 * its users once its heartbeats run out, and then:
 * - every moved user is connected again (GET /chat/location → handshake) and
 *   holds every acknowledged message of its groups, once, within the heartbeat
 *   timeout + 2 s of the kill (the bound a user is promised; the waits below
 *   end at that deadline);
 * - the server a placement names accepts it at once: no client that went where
 *   the dispatcher said is refused, and no WRONG_SERVER ever names the dead server;
 * - a handshake tried on the survivor right after the kill, before the
 *   dispatcher has noticed, is accepted or sent to a live server.
 */
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { ResilientClient } from '../support/chat-client';
import type { Refusal } from '../support/chat-client';
import { startSystem } from '../support/system';
import type { Account, ChatServerProcess, TestSystem } from '../support/system';

const HEARTBEAT_TIMEOUT_MS = 3000;
/** What the issue allows between the kill and every moved user being back and caught up. */
const FAILOVER_BOUND_MS = HEARTBEAT_TIMEOUT_MS + 2000;
const GROUPS = 3;
const PER_SIDE = 4;

type HandshakeOutcome = { accepted: true } | { accepted: false; code?: string; url?: string };

/** One raw handshake, as a client that knows nothing of placement would try it. */
function tryHandshake(url: string, auth: Record<string, unknown>): Promise<HandshakeOutcome> {
  const socket = io(url, {
    auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5000,
  });
  return new Promise<HandshakeOutcome>((resolve) => {
    socket.once('connect', () => resolve({ accepted: true }));
    socket.once('connect_error', (err) => {
      const { data } = err as { data?: { code?: string; url?: string } };
      resolve({ accepted: false, code: data?.code ?? err.message, url: data?.url });
    });
  }).finally(() => socket.disconnect());
}

/** Polls `check` until it holds; fails with `describe()` once `deadline` (epoch ms) has passed. */
async function within(deadline: number, check: () => boolean, describe: () => string): Promise<void> {
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not done within ${FAILOVER_BOUND_MS} ms of the kill: ${describe()}`);
    await new Promise((r) => { setTimeout(r, 25); });
  }
}

describe('failover window after kill -9 of a chat server', function () {
  this.timeout(120000);
  let system: TestSystem;
  const clients: ResilientClient[] = [];

  before(async () => {
    system = await startSystem({
      chatServers: 2,
      // Beats every timeout / 3, as the dispatcher tells servers to: a survivor's map is up to a beat old.
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      heartbeatIntervalMs: HEARTBEAT_TIMEOUT_MS / 3,
      label: 'failover window',
    });
  });
  after(async () => {
    clients.forEach((c) => c.close());
    await system?.close();
  });

  it('moves the dead server\'s users to a server that takes them at once, caught up, within the bound', async () => {
    const [victim, survivor] = system.chatServers as [ChatServerProcess, ChatServerProcess];
    const accounts = await system.createAccounts(Array.from({ length: 30 }, (_, i) => `66${String(i).padStart(3, '0')}`));
    const placed = await Promise.all(accounts.map(async (a) => ({ a, at: await system.locate(a.token) })));
    const side = (id: string) => placed.filter((p) => p.at.serverId === id).map((p) => p.a);
    const [onVictim, onSurvivor] = [side(victim.id), side(survivor.id)];
    assert.ok(onVictim.length >= GROUPS * PER_SIDE && onSurvivor.length >= GROUPS * PER_SIDE, 'users on both servers');

    // Each group: users of the victim and of the survivor.
    const members = new Map<string, Account[]>();
    for (let g = 0; g < GROUPS; g += 1) {
      const group = [
        ...onVictim.slice(g * PER_SIDE, (g + 1) * PER_SIDE), ...onSurvivor.slice(g * PER_SIDE, (g + 1) * PER_SIDE)];
      const [owner] = group as [Account];
      members.set(await system.createGroup(owner, `failover ${g}`, group.map((a) => a.up)), group);
    }
    const clientOf = new Map<string, ResilientClient>();
    const roomsOf = (up: string) => [...members]
      .filter(([, group]) => group.some((a) => a.up === up)).map(([room]) => room);
    await Promise.all([...new Set([...members.values()].flat())].map(async (a) => {
      const client = new ResilientClient(system, a.up, a.token, { maxRetryDelayMs: 250 });
      clients.push(client);
      clientOf.set(a.up, client);
      await client.connect();
      for (const room of roomsOf(a.up)) await client.join(room);
    }));
    const movers = onVictim.slice(0, GROUPS * PER_SIDE).map((a) => clientOf.get(a.up) as ResilientClient);
    const stayers = onSurvivor.slice(0, GROUPS * PER_SIDE).map((a) => clientOf.get(a.up) as ResilientClient);
    assert.ok(movers.every((c) => c.serverId === victim.id), 'the movers are on the victim');

    const acked = new Map<string, number[]>();
    const send = async (sender: ResilientClient, room: string, text: string) => {
      const { seq } = await sender.send(room, text);
      acked.set(room, [...(acked.get(room) ?? []), seq]);
    };
    const roomsOfClient = (c: ResilientClient) => roomsOf(c.up);
    await Promise.all([...movers, ...stayers].map((c) => send(c, roomsOfClient(c)[0] as string, `before ${c.up}`)));

    const moverAccount = onVictim[0] as Account;
    const staleVersion = (await system.locate(moverAccount.token)).mapVersion;

    const killedAt = Date.now();
    await victim.kill();
    // Before the dispatcher has noticed: with and without the (stale) map version of the client's placement.
    const early = await Promise.all([
      tryHandshake(survivor.url, { token: moverAccount.token }),
      tryHandshake(survivor.url, { token: moverAccount.token, mapVersion: staleVersion }),
    ]);
    early.forEach((outcome) => {
      assert.ok(
        outcome.accepted || (outcome.code === 'WRONG_SERVER' && outcome.url === survivor.url),
        `a handshake on the survivor right after the kill is accepted or sent to a live server: ${JSON.stringify(outcome)}`,
      );
    });

    // Meanwhile the survivor's users keep talking: the movers must catch up on this.
    await Promise.all(stayers.map((c) => send(c, roomsOfClient(c)[0] as string, `during ${c.up}`)));

    const deadline = killedAt + FAILOVER_BOUND_MS;
    const missing = (c: ResilientClient) => roomsOfClient(c).flatMap((room) => {
      const held = new Set((c.messages.get(room) ?? []).map((m) => m.seq));
      return (acked.get(room) ?? []).filter((seq) => !held.has(seq)).map((seq) => `${room}#${seq}`);
    });
    const back = (c: ResilientClient) => c.connected && c.currentUrl === survivor.url;
    await within(
      deadline,
      () => movers.every((c) => back(c) && missing(c).length === 0),
      () => movers.filter((c) => !back(c) || missing(c).length > 0)
        .map((c) => `${c.up} ${back(c) ? 'missing' : `not back (${c.lastConnectError})`} ${missing(c).join(' ')}`).join('; '),
    );

    const firstBack = Math.min(...movers.map((c) => c.connectedAt)) - killedAt;
    const allBack = Math.max(...movers.map((c) => c.connectedAt)) - killedAt;
    process.stdout.write(`      failover: ${JSON.stringify({
      killedAt: new Date(killedAt).toISOString(),
      firstReconnectMs: firstBack,
      allReconnectedMs: allBack,
      caughtUpMs: Date.now() - killedAt,
      early,
    })}\n`);

    const refusals: (Refusal & { up: string })[] = clients.flatMap((c) => c.refusals.map((r) => ({ ...r, up: c.up })));
    const wrongServer = refusals.filter((r) => r.code === 'WRONG_SERVER');
    assert.deepEqual(
      wrongServer.filter((r) => r.at >= killedAt && r.redirect === victim.url),
      [],
      'no WRONG_SERVER names the dead server',
    );
    assert.deepEqual(wrongServer, [], 'every placement the dispatcher handed out was accepted by the server it named');
    clients.forEach((c) => assert.equal(c.duplicateMessages, 0, `${c.up} holds every message once`));
    movers.forEach((c) => assert.equal(c.serverId, survivor.id, `${c.up} was placed on the survivor`));
  });
});
