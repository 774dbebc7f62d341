/**
 * A chat server is killed (kill -9) right after it acknowledged a message:
 * the offline member is still notified of it, once, because the data service
 * stored the message and turns it into notifications itself (docs/notifications.md).
 */
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import type { Group } from '@chat/shared';
import { startSystem } from '../support/system';
import type { TestSystem } from '../support/system';
// eslint-disable-next-line import/no-relative-packages -- the receiver is the data service's test support
import { Receiver } from '../../mongo-chat-server/test/notify-receiver';

const SECRET = 'system-notify-secret-0123';

describe('notifications survive a chat server killed after the ack', function () {
  this.timeout(90000);
  let system: TestSystem | undefined;
  let receiver: Receiver | undefined;

  before(async () => {
    receiver = await new Receiver(SECRET).start();
    system = await startSystem({
      chatServers: 1,
      label: 'notify chat crash',
      env: {
        NOTIFY_URL: receiver.url, NOTIFY_SECRET: SECRET, NOTIFY_DIGEST_S: '1', PASSWORD_HASH_MEMORY_KIB: '1024',
      },
    });
  });
  after(async () => {
    await system?.close();
    await receiver?.stop();
  });

  it('delivers the acknowledged message to the offline member exactly once', async () => {
    const sys = system as TestSystem;
    const ana = await sys.register('5150501');
    const bob = await sys.register('5150502');
    const res = await fetch(`${sys.data?.url}/group`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-token': sys.secrets.INTERNAL_TOKEN },
      body: JSON.stringify({ name: 'crash', users: [bob.up], createdBy: ana.up }),
    });
    const group = await res.json() as Group;
    const place = await sys.locate(ana.token);
    const socket = io(place.url, { auth: { token: ana.token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = await new Promise<{ ok: boolean; id?: string }>((resolve) => {
      socket.emit('chat message', {
        message: 'acked, then the server died', up: ana.up, room: group.id, clientId: 'crash-1',
      }, resolve);
    });
    await sys.chatServers[0]?.kill();
    socket.disconnect();
    assert.ok(ack.ok, JSON.stringify(ack));

    const deadline = Date.now() + 30000;
    const forBob = () => (receiver as Receiver).accepted.filter((d) => d.up === bob.up);
    while (forBob().length === 0) {
      if (Date.now() > deadline) throw new Error('no digest for the offline member');
      await new Promise((r) => { setTimeout(r, 100); });
    }
    const items = forBob().flatMap((d) => d.items);
    assert.deepEqual(items.map((i) => [i.messageId, i.excerpt]), [[ack.id, 'acked, then the server died']]);
    assert.ok((receiver as Receiver).requests.every((r) => r.signed));
  });
});
