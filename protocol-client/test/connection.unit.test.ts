/**
 * The connection manager against real Socket.IO servers in this process
 * (stand-ins for chat servers: they only accept, refuse or relocate): it
 * follows WRONG_SERVER and `relocate`, survives a server going away by asking
 * for a location again, and stops on a refused token.
 */
import assert from 'node:assert/strict';
import { Connection } from '../src/connection';
import type { ConnectionState } from '../src/connection';
import { ProtocolError } from '../src/errors';
import type { Placement } from '../src/locator';
import { standIn, waitFor } from './support/stand-in';
import type { StandIn } from './support/stand-in';

describe('protocol client: connection', function () {
  this.timeout(15000);
  let a: StandIn;
  let b: StandIn;
  let connection: Connection | undefined;
  let placement: Placement | Error;
  let states: ConnectionState[];
  let urls: (string | null)[];
  let connectedTo: string[];
  let unauthorized: string[];

  /** What a renewal gives: a new token, or null (the session is over). */
  let renewTo: string | null;
  let renewals: number;

  const start = (initial = 'good-token') => {
    let token = initial;
    connection = new Connection({
      locate: async () => {
        if (placement instanceof Error) throw placement;
        return placement;
      },
      bind: () => {},
      connected: async (socket) => {
        connectedTo.push((socket.io as unknown as { uri: string }).uri);
      },
      status: (status) => {
        if (states[states.length - 1] !== status.state) states.push(status.state);
        urls.push(status.url);
      },
      unauthorized: (message) => { unauthorized.push(message); },
      renew: async () => {
        renewals += 1;
        if (renewTo === null) return false;
        token = renewTo;
        return true;
      },
    }, {
      token: () => token,
      minRetryMs: 20,
      maxRetryMs: 100,
      relocateSpreadMs: 20,
      connectTimeoutMs: 2000,
    });
    connection.start();
    return connection;
  };
  const online = () => connection?.status.state === 'online';

  beforeEach(async () => {
    a = await standIn('chat-a');
    b = await standIn('chat-b');
    placement = { url: a.url, serverId: a.id };
    states = [];
    urls = [];
    connectedTo = [];
    unauthorized = [];
    renewTo = null;
    renewals = 0;
  });

  afterEach(async () => {
    connection?.stop();
    connection = undefined;
    await Promise.all([a.close(), b.close()]);
  });

  it('connects where the dispatcher says and reports connecting → catching up → online', async () => {
    const conn = start();
    await waitFor(online, 'online');
    assert.deepEqual(states, ['connecting', 'catching-up', 'online']);
    assert.equal(conn.status.url, a.url);
    assert.equal(conn.status.serverId, 'chat-a');
    assert.ok(conn.liveSocket?.connected);
    assert.deepEqual(connectedTo.map((u) => u.replace(/\/$/, '')), [a.url]);
  });

  it('follows a WRONG_SERVER refusal to the server it names when the map is stale', async () => {
    a.refuseWith = { code: 'WRONG_SERVER', url: b.url };
    const conn = start();
    await waitFor(online, 'online');
    assert.equal(conn.status.url, b.url);
    assert.equal(b.io.of('/').sockets.size, 1);
    assert.equal(a.io.of('/').sockets.size, 0);
  });

  it('on relocate asks for its location again, moves there and catches up again', async () => {
    const conn = start();
    await waitFor(online, 'online on A');
    placement = { url: b.url, serverId: b.id };
    a.io.emit('relocate', { url: b.url, reason: 'rebalance' });
    await waitFor(() => online() && conn.status.url === b.url, 'online on B');
    assert.ok(states.includes('reconnecting'));
    assert.equal(connectedTo.length, 2, 'catch-up ran after each connect');
    await waitFor(() => a.io.of('/').sockets.size === 0, 'the old socket to close');
  });

  it('when its server dies, keeps asking where to go until a server takes it', async () => {
    const conn = start();
    await waitFor(online, 'online on A');
    placement = new ProtocolError('UNAVAILABLE', 'no chat server is alive');
    await a.close();
    await waitFor(() => conn.status.state === 'reconnecting' && conn.status.failures >= 2, 'failed attempts');
    assert.equal(conn.liveSocket, null);
    placement = { url: b.url, serverId: b.id };
    await waitFor(() => online() && conn.status.url === b.url, 'online on B');
    assert.equal(conn.status.failures, 0);
  });

  it('renews a refused token and connects with the new one, without asking the person', async () => {
    renewTo = 'good-token';
    start('expired-token');
    await waitFor(online, 'online');
    assert.deepEqual([renewals, unauthorized.length], [1, 0]);
  });

  it('renews and reconnects when the server ends the socket with TOKEN_EXPIRED; stops on SIGNED_OUT', async () => {
    renewTo = 'good-token';
    const conn = start();
    await waitFor(online, 'online');
    const [first] = [...a.io.of('/').sockets.values()];
    first!.emit('session ended', { reason: 'TOKEN_EXPIRED', message: 'expired' });
    first!.disconnect(true);
    await waitFor(() => renewals === 1 && online() && a.io.of('/').sockets.size === 1, 'renewed and back online');
    const [second] = [...a.io.of('/').sockets.values()];
    second!.emit('session ended', { reason: 'SIGNED_OUT', message: 'signed out elsewhere' });
    second!.disconnect(true);
    await waitFor(() => unauthorized.length === 1, 'the unauthorized hook');
    assert.deepEqual([conn.status.state, unauthorized[0], renewals], ['offline', 'signed out elsewhere', 1]);
  });

  it('stops and asks for a new sign-in when the token is refused and cannot be renewed', async () => {
    const conn = start('expired-token');
    await waitFor(() => unauthorized.length === 1, 'the unauthorized hook');
    assert.equal(renewals, 1, 'one renewal was tried');
    assert.equal(conn.status.state, 'offline');
    await new Promise((r) => { setTimeout(r, 150); });
    assert.equal(unauthorized.length, 1, 'no retry loop');
    assert.equal(a.io.of('/').sockets.size, 0);
  });

  it('stops for good when told to', async () => {
    const conn = start();
    await waitFor(online, 'online');
    conn.stop();
    await waitFor(() => a.io.of('/').sockets.size === 0, 'the socket to close');
    await new Promise((r) => { setTimeout(r, 150); });
    assert.equal(conn.status.state, 'offline');
    assert.equal(a.io.of('/').sockets.size, 0, 'no reconnect after stop');
  });
});
