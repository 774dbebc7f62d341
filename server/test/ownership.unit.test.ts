/** Which users a chat server accepts, from the placement map, with the grace period after a leaf moves. */
import assert from 'node:assert/strict';
import type { PlacementMap } from '@chat/shared';
import { createOwnership } from '../src/placement/ownership';

const map = (version: number, owner: (digit: number) => string): PlacementMap => ({
  version,
  leaves: Object.fromEntries(Array.from({ length: 10 }, (_, d) => [String(d), owner(d)])),
  servers: { a: { url: 'http://a' }, b: { url: 'http://b' } },
});

describe('placement ownership', () => {
  it('serves everyone before any map, then only its own leaves', () => {
    const own = createOwnership('a', 1000);
    assert.ok(own.accepts('123') && own.ownsNow('128'));
    own.update(map(1, (d) => (d < 5 ? 'a' : 'b')));
    assert.ok(own.accepts('123'));
    assert.ok(!own.accepts('128'));
    assert.equal(own.placement('128')?.url, 'http://b');
    // Non-digit user numbers are placed through a stable hash: some server, always the same.
    assert.equal(own.accepts('alice'), own.accepts('alice'));
  });

  it('still accepts a moved leaf during the grace period, and not after', async () => {
    const own = createOwnership('a', 100);
    own.update(map(1, (d) => (d < 5 ? 'a' : 'b')));
    assert.equal(own.update(map(2, (d) => (d < 3 ? 'a' : 'b'))), true);
    assert.equal(own.update(map(2, (d) => (d < 3 ? 'a' : 'b'))), false, 'the same version is no change');
    assert.ok(!own.ownsNow('104'));
    assert.ok(own.accepts('104'), 'inside the grace period');
    await new Promise((r) => { setTimeout(r, 150); });
    assert.ok(!own.accepts('104'), 'after the grace period');
  });

  it('ignores a map older than the one it holds, unless it answers a registration', () => {
    const own = createOwnership('a', 0);
    own.update(map(5, (d) => (d < 5 ? 'a' : 'b')));
    assert.equal(own.update(map(4, () => 'b')), false, 'a lagging replica\'s map is ignored');
    assert.ok(own.ownsNow('101'));
    assert.equal(own.update(map(1, () => 'b'), true), true, 'the dispatchers started again from version 1');
    assert.ok(!own.ownsNow('101'));
  });

  it('counts the given users per leaf it owns', () => {
    const own = createOwnership('a', 0);
    assert.deepEqual(own.leafLoads(['11', '12']), {}, 'no map yet: nothing to report');
    own.update(map(1, (d) => (d < 5 ? 'a' : 'b')));
    assert.deepEqual(own.leafLoads(['11', '21', '3', '103', '9', '17']), { 1: 2, 3: 2 });
  });
});
