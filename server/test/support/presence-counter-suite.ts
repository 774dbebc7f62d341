/**
 * The presence counter's rules, one suite for every flavour (memory, Redis):
 * a user is shown online from their first socket, stays online while any
 * socket is open, and goes offline only when the grace period ends with no
 * socket; a server's release hands back the users it held.
 */
import assert from 'node:assert/strict';
import type { PresenceCounter } from '../../src/presence/counter';

export type CounterFactory = () => Promise<{ counter: PresenceCounter; cleanup: () => Promise<void> }>;

export function presenceCounterSuite(flavour: string, make: CounterFactory): void {
  describe(`presence counter (${flavour})`, () => {
    let counter: PresenceCounter;
    let cleanup: () => Promise<void>;
    beforeEach(async () => { ({ counter, cleanup } = await make()); });
    afterEach(() => cleanup());

    it('shows a user online from the first socket, once', async () => {
      assert.equal(await counter.isOnline('1001'), false);
      assert.equal(await counter.connected('1001'), true, 'the first socket brings the user online');
      assert.equal(await counter.connected('1001'), false, 'a second socket changes nothing');
      assert.equal(await counter.isOnline('1001'), true);
    });

    it('goes offline only after the last socket, when the grace period finds none', async () => {
      await counter.connected('1001');
      await counter.connected('1001');
      assert.equal(await counter.disconnected('1001'), false, 'one socket is still open');
      assert.equal(await counter.disconnected('1001'), true, 'no socket left');
      assert.equal(await counter.isOnline('1001'), true, 'still shown online during the grace period');
      assert.equal(await counter.confirmOffline('1001'), true);
      assert.equal(await counter.isOnline('1001'), false);
      assert.equal(await counter.confirmOffline('1001'), false, 'already offline: nothing to announce');
    });

    it('keeps a user who reconnects within the grace period online, without a second announcement', async () => {
      await counter.connected('1001');
      await counter.disconnected('1001');
      assert.equal(await counter.connected('1001'), false, 'never shown offline, so not announced again');
      assert.equal(await counter.confirmOffline('1001'), false, 'a socket is open again');
      assert.equal(await counter.isOnline('1001'), true);
    });

    it('counts each user on their own', async () => {
      await counter.connected('1001');
      await counter.connected('1002');
      await counter.disconnected('1001');
      assert.equal(await counter.confirmOffline('1001'), true);
      assert.equal(await counter.isOnline('1002'), true);
    });

    it('sets a user\'s sockets here on a recount, however often it runs: one close after two recounts leaves none', async () => {
      assert.equal(await counter.recount('1001', 1), true, 'not shown online before');
      assert.equal(await counter.recount('1001', 1), false, 'already online');
      assert.equal(await counter.disconnected('1001'), true, 'the one socket was counted once');
      assert.equal(await counter.confirmOffline('1001'), true);
      await counter.connected('1002');
      await counter.connected('1002');
      assert.equal(await counter.recount('1002', 1), false);
      assert.equal(await counter.disconnected('1002'), true, 'the recount replaced the two sockets with one');
      await counter.connected('1003');
      assert.equal(await counter.recount('1003', 0), false);
      assert.equal(await counter.confirmOffline('1003'), true, 'a recount of none leaves no socket');
    });

    it('hands back the users it held when the server is released, who then go offline', async () => {
      await counter.connected('1001');
      await counter.connected('1002');
      assert.deepEqual((await counter.releaseServer()).sort(), ['1001', '1002']);
      assert.equal(await counter.confirmOffline('1001'), true, 'the released sockets no longer count');
    });
  });
}
