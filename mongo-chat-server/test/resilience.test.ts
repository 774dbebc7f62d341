/**
 * The database goes away mid-run: calls answer 503 UNAVAILABLE quickly instead
 * of hanging, /ready says so, and when the database is back the same service
 * serves again without a restart.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { startMongo, withDatabase } from '@chat/local-services';
import type { RunningMongo } from '@chat/local-services';
import type { Group } from '@chat/shared';
import {
  assertMatchesSpec, createGroup, createUser, eventually, postMessage, startHarness,
} from './helpers';
import type { Harness } from './helpers';

describe('data service: database down and back', function () {
  this.timeout(60000);
  let mongo: RunningMongo;
  let h: Harness;
  let group: Group;
  before(async () => {
    mongo = await startMongo({ privateServer: true });
    h = await startHarness('resilience', { mongoUrl: withDatabase(mongo.url, 'chat'), serverSelectionTimeoutMs: 1000 });
    await createUser(h.api, '6001');
    group = await createGroup(h.api, 'survivors', ['6001']);
    await postMessage(h.api, group.id, '6001', 'before the outage');
  });
  after(async () => {
    await h?.close();
    await mongo?.destroy();
  });

  it('answers 503 while the database is stopped', async () => {
    await mongo.stop();
    const read = await h.api.get('/user/6001');
    assertMatchesSpec('get', '/user/{up}', read);
    assert.equal(read.status, 503);
    assert.equal(read.body.error.code, 'UNAVAILABLE');
    const write = await h.api.post('/message', { group: group.id, from: '6001', message: 'during the outage' });
    assertMatchesSpec('post', '/message', write);
    assert.equal(write.status, 503);
    const page = await h.api.get(`/group/messages?groupID=${group.id}`);
    assert.equal(page.status, 503);
    const batch = await h.api.post('/message/batch', { messages: [{ group: group.id, from: '6001', message: 'x' }] });
    assert.equal(batch.status, 200);
    assert.equal(batch.body.results[0].error.code, 'UNAVAILABLE');
    const ready = await request(h.url).get('/ready');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, { status: 'unavailable', checks: { mongo: 'down' } });
    assert.equal((await request(h.url).get('/health')).status, 200, 'alive, just not ready');
  });

  it('serves again once the database is back, without a restart', async () => {
    await mongo.restart();
    const user = await eventually(async () => {
      const res = await h.api.get('/user/6001');
      return res.status === 200 ? res : undefined;
    }, 30000);
    assert.equal(user.body.up, '6001');
    assert.equal((await request(h.url).get('/ready')).status, 200);
    const next = await postMessage(h.api, group.id, '6001', 'after the outage');
    assert.equal(next.seq, 2, 'nothing was stored during the outage, and no seq was lost');
    const history = await h.api.get(`/group/${group.id}/messages`);
    assert.deepEqual(history.body.items.map((m: { message: string }) => m.message), ['before the outage', 'after the outage']);
  });
});
