/**
 * Notifications for offline members, end to end in the data service, with a
 * real HTTP server as the notifications component: signed digests, one per
 * user per interval, quiet hours held then released, a receiver that answers
 * 503 or refuses connections for a while, levels (muted, mentions), online
 * members left alone, the recovery sweep, and the preferences and list routes.
 */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { silentLogger } from '@chat/shared';
import { createModels } from '../src/db/models';
import { createNotifyModels } from '../src/notifications/models';
import { Outbox } from '../src/notifications/outbox';
import { localMinutes } from '../src/notifications/rules';
import {
  assertMatchesSpec, createGroup, createUser, eventually, postMessage, startHarness,
} from './helpers';
import type { Api, Harness } from './helpers';
import { Receiver } from './notify-receiver';

const SECRET = 'a-test-secret-of-some-length';
const DIGEST_MS = 1000;

const hhmm = (minutes: number): string => {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

async function setOnline(api: Api, online: string[], offline: string[]): Promise<void> {
  const res = await api.post('/user/presence', { online, offline });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

describe('notifications: digests to the notifications component', function () {
  this.timeout(60000);
  let receiver: Receiver;
  let h: Harness;

  const digestsFor = (up: string) => receiver.accepted.filter((d) => d.up === up);
  const itemsFor = (up: string) => digestsFor(up).flatMap((d) => d.items);
  const waitForItems = (up: string, count: number) => eventually(async () => {
    const items = itemsFor(up);
    return items.length >= count ? items : undefined;
  }, 20000);

  before(async () => {
    receiver = await new Receiver(SECRET).start();
    h = await startHarness('notifications', {
      notify: {
        url: receiver.url,
        secret: SECRET,
        digestMs: DIGEST_MS,
        retryBaseMs: 100,
        retryMaxMs: 400,
        leaseMs: 2000,
        sweepMs: 600000,
      },
    });
    await Promise.all(['7001', '7002', '7003', '7004', '7005', '7006', '7007', '7008', '7009']
      .map((up) => createUser(h.api, up, `user${up}`)));
  });
  after(async () => {
    await h?.close();
    await receiver?.stop();
  });

  it('sends an offline member a signed digest of what they missed; not the sender, not an online member', async () => {
    await setOnline(h.api, ['7003'], ['7002']);
    const group = await createGroup(h.api, 'team', ['7001', '7002', '7003']);
    const m1 = await postMessage(h.api, group.id, '7001', 'hello while you were away');
    const items = await waitForItems('7002', 1);
    assert.deepEqual(items.map((i) => [i.messageId, i.reason, i.groupName, i.from, i.excerpt]), [
      [m1.id, 'message', 'team', '7001', 'hello while you were away'],
    ]);
    const request = receiver.requests.find((r) => r.digest.up === '7002');
    assert.ok(request);
    assert.equal(request.signed, true, 'X-Chat-Signature is the HMAC-SHA256 of the raw body');
    assert.equal(request.delivery, request.digest.id);
    assert.match(request.timestamp ?? '', /^\d{10}$/);
    // A mention of the online member reaches their in-app list, never the webhook.
    await postMessage(h.api, group.id, '7001', 'ping @user7003');
    await waitForItems('7002', 2);
    assert.deepEqual(digestsFor('7001'), [], 'the sender is not notified of their own messages');
    assert.deepEqual(digestsFor('7003'), [], 'an online member gets no digest');
    const list = await h.api.get('/notifications/7003');
    assertMatchesSpec('get', '/notifications/{up}', list);
    assert.deepEqual(list.body.items.map((i: { reason: string; excerpt: string }) => [i.reason, i.excerpt]), [['mention', 'ping @user7003']]);
    assert.equal(list.body.unread, 1);
  });

  it('sends at most one digest per user per interval, gathering what came meanwhile', async () => {
    await setOnline(h.api, [], ['7004']);
    const group = await createGroup(h.api, 'burst', ['7001', '7004']);
    await postMessage(h.api, group.id, '7001', 'first');
    await waitForItems('7004', 1);
    await postMessage(h.api, group.id, '7001', 'second');
    await postMessage(h.api, group.id, '7001', 'third');
    await waitForItems('7004', 3);
    const [a, b, ...rest] = receiver.requests.filter((r) => r.digest.up === '7004');
    assert.ok(a && b);
    assert.deepEqual(rest, []);
    assert.deepEqual(b.digest.items.map((i) => i.excerpt), ['second', 'third'], 'one digest for both');
    assert.ok(b.at - a.at >= DIGEST_MS, `the second digest came ${b.at - a.at} ms after the first`);
  });

  it('never notifies about a muted group, and only mentions in a group set to mentions', async () => {
    await setOnline(h.api, [], ['7005']);
    const muted = await createGroup(h.api, 'muted', ['7001', '7005']);
    const mentionsOnly = await createGroup(h.api, 'mentions only', ['7001', '7005']);
    const all = await createGroup(h.api, 'all', ['7001', '7005']);
    const set = await h.api.put('/notifications/7005/preferences', {
      groups: [{ group: muted.id, level: 'muted' }, { group: mentionsOnly.id, level: 'mentions' }],
    });
    assertMatchesSpec('put', '/notifications/{up}/preferences', set);
    assert.equal(set.status, 200, JSON.stringify(set.body));
    await postMessage(h.api, muted.id, '7001', 'in the muted group, even @user7005');
    await postMessage(h.api, mentionsOnly.id, '7001', 'chatter nobody is named in');
    await postMessage(h.api, mentionsOnly.id, '7001', '@7005 can you look?');
    // Stored last, so once it is delivered the others were decided.
    await postMessage(h.api, all.id, '7001', 'in the group at all');
    const items = await waitForItems('7005', 2);
    await new Promise((r) => { setTimeout(r, DIGEST_MS * 2); });
    assert.deepEqual(itemsFor('7005').map((i) => [i.groupName, i.reason, i.excerpt]).sort(), [
      ['all', 'message', 'in the group at all'],
      ['mentions only', 'mention', '@7005 can you look?'],
    ]);
    assert.equal(items.length, 2);
  });

  it('holds digests during quiet hours in the user\'s time zone and sends them when quiet hours end', async () => {
    await setOnline(h.api, [], ['7006', '7007']);
    const zone = 'Asia/Kolkata';
    const now = localMinutes(new Date(), zone);
    const quiet = await h.api.put('/notifications/7006/preferences', {
      timeZone: zone, quietHours: { start: hhmm(now - 60), end: hhmm(now + 60) },
    });
    assert.equal(quiet.status, 200, JSON.stringify(quiet.body));
    const group = await createGroup(h.api, 'night', ['7001', '7006', '7007']);
    await postMessage(h.api, group.id, '7001', 'sent during quiet hours');
    // 7007 has no quiet hours: their digest proves the worker has looked at this message.
    await waitForItems('7007', 1);
    await new Promise((r) => { setTimeout(r, DIGEST_MS * 2); });
    assert.deepEqual(digestsFor('7006'), [], 'held while quiet');
    const over = await h.api.put('/notifications/7006/preferences', {
      quietHours: { start: hhmm(now - 120), end: hhmm(now - 60) },
    });
    assert.deepEqual(over.body.quietHours, { start: hhmm(now - 120), end: hhmm(now - 60) });
    const items = await waitForItems('7006', 1);
    assert.deepEqual(items.map((i) => i.excerpt), ['sent during quiet hours']);
  });

  it('retries while the receiver answers 503, then delivers every item once, with the same digest id', async () => {
    await setOnline(h.api, [], ['7008']);
    let refused = 0;
    receiver.answer = (r) => {
      if (r.digest.up !== '7008' || refused >= 3) return 'accept';
      refused += 1;
      return 503;
    };
    const group = await createGroup(h.api, 'flaky', ['7001', '7008']);
    await postMessage(h.api, group.id, '7001', 'one');
    await postMessage(h.api, group.id, '7001', 'two');
    const items = await waitForItems('7008', 2);
    receiver.answer = () => 'accept';
    const tries = receiver.requests.filter((r) => r.digest.up === '7008');
    assert.deepEqual(tries.map((r) => r.status), [503, 503, 503, 200]);
    assert.equal(new Set(tries.map((r) => r.delivery)).size, 1, 'every retry carries the same id');
    assert.equal(new Set(tries.map((r) => r.raw)).size, 1, 'and the same body');
    assert.deepEqual(items.map((i) => i.excerpt), ['one', 'two']);
  });

  it('keeps a digest while the receiver refuses connections, and delivers it once when it is back', async () => {
    await setOnline(h.api, [], ['7009']);
    const { port } = receiver;
    await receiver.stop();
    const group = await createGroup(h.api, 'outage', ['7001', '7009']);
    const stored = await postMessage(h.api, group.id, '7001', 'while the receiver is down');
    const digests = h.db.collection('notifyDigests');
    const waiting = await eventually(async () => {
      const doc = await digests.findOne({ up: '7009' });
      return doc && doc.attempts >= 2 ? doc : undefined;
    }, 20000);
    assert.match(String(waiting.lastError), /unreachable/);
    await receiver.start(port);
    const items = await waitForItems('7009', 1);
    assert.deepEqual(items.map((i) => i.messageId), [stored.id]);
    assert.deepEqual(digestsFor('7009').map((d) => d.id), [waiting._id]);
  });

  it('turns messages the live path never processed (a crash after the ack) into notifications: the sweep', async () => {
    await createUser(h.api, '7010');
    await setOnline(h.api, [], ['7010']);
    const group = await createGroup(h.api, 'crashed', ['7001', '7010']);
    const before = await postMessage(h.api, group.id, '7001', 'processed live');
    await waitForItems('7010', 1);
    // As if the data service stored this one, answered, and died before the outbox write.
    const id = new Types.ObjectId();
    await h.db.collection('messages').insertOne({
      _id: id,
      group: new Types.ObjectId(group.id),
      seq: before.seq + 1,
      from: '7001',
      message: 'lost by a crash',
      clientId: 'crash-1',
      timestamp: new Date(),
    });
    await h.db.collection('groups').updateOne({ _id: new Types.ObjectId(group.id) }, { $set: { lastSeq: before.seq + 1 } });
    const { outbox } = h.service.notifications;
    // A message stored since the last sweep may still be on another replica's live path: the next sweep waits.
    assert.equal(await outbox.sweep(new Date(Date.now() + 60000)), 0, 'not yet a whole sweep behind');
    const made = await outbox.sweep(new Date(Date.now() + 60000));
    assert.ok(made >= 1);
    const items = await waitForItems('7010', 2);
    assert.deepEqual(items.map((i) => i.excerpt), ['processed live', 'lost by a crash']);
    assert.equal(await outbox.sweep(new Date(Date.now() + 60000)), 0, 'nothing twice');
  });

  it('stops at close after its drain time, and the next start\'s sweep makes the items it left', async () => {
    await createUser(h.api, '7011');
    await setOnline(h.api, [], ['7011']);
    const group = await createGroup(h.api, 'backlog', ['7001', '7011']);
    const groupId = new Types.ObjectId(group.id);
    const now = new Date();
    const messages = Array.from({ length: 600 }, (_, i) => ({
      _id: new Types.ObjectId(), group: groupId, seq: i + 1, from: '7001', message: `backlog ${i + 1}`, timestamp: now,
    }));
    // Stored and acknowledged (as the seq writer would have), then handed to an outbox that is closing.
    await h.db.collection('messages').insertMany(messages.map((m) => ({ ...m, clientId: `backlog-${m.seq}` })));
    await h.db.collection('groups').updateOne({ _id: groupId }, { $set: { lastSeq: 600 } });
    const [models, notifyModels] = [createModels(h.db), createNotifyModels(h.db)];
    const outboxOf = () => new Outbox(models, notifyModels, {
      logger: silentLogger(), gatherMs: 60000, closeDrainMs: 0,
    });
    const closing = outboxOf();
    closing.add(messages);
    await closing.close();
    const itemsOf7011 = () => h.db.collection('notifyItems').countDocuments({ up: '7011', group: group.id });
    // One pass of 500 ran; the close did not wait for the next.
    assert.equal(await itemsOf7011(), 500);
    assert.equal((await h.db.collection<{ _id: string; seq: number }>('notifyMarks').findOne({ _id: group.id }))?.seq, 500);
    const next = outboxOf();
    try {
      assert.equal(await next.sweep(new Date(Date.now() + 60000)), 100);
      assert.equal(await itemsOf7011(), 600);
    } finally {
      await next.close();
    }
  });
});

describe('notifications: preferences and the in-app list', function () {
  this.timeout(30000);
  let h: Harness;
  before(async () => {
    h = await startHarness('notify-prefs');
    await Promise.all(['7101', '7102', '7103'].map((up) => createUser(h.api, up)));
  });
  after(async () => h?.close());

  it('answers defaults, keeps what is set, and refuses bad input with the error shape', async () => {
    const group = await createGroup(h.api, 'prefs', ['7101', '7102']);
    const other = await createGroup(h.api, 'not yours', ['7103']);
    const initial = await h.api.get('/notifications/7101/preferences');
    assertMatchesSpec('get', '/notifications/{up}/preferences', initial);
    assert.deepEqual(initial.body, {
      timeZone: 'UTC', quietHours: null, defaultLevel: 'all', groups: [],
    });
    const set = await h.api.put('/notifications/7101/preferences', {
      timeZone: 'Europe/Paris', quietHours: { start: '22:00', end: '07:30' }, groups: [{ group: group.id, level: 'mentions' }],
    });
    assert.deepEqual(set.body, {
      timeZone: 'Europe/Paris', quietHours: { start: '22:00', end: '07:30' }, defaultLevel: 'all', groups: [{ group: group.id, level: 'mentions' }],
    });
    const off = await h.api.put('/notifications/7101/preferences', { quietHours: null });
    assert.equal(off.body.quietHours, null);
    assert.equal(off.body.timeZone, 'Europe/Paris', 'what was not given stays');
    const bad: Array<[object, number, RegExp]> = [
      [{ timeZone: 'Mars/Olympus' }, 400, /IANA time zone/],
      [{ quietHours: { start: '25:00', end: '07:00' } }, 400, /HH:MM/],
      [{ quietHours: { start: '07:00', end: '07:00' } }, 400, /differ/],
      [{ groups: [{ group: group.id, level: 'loud' }] }, 400, /level/],
      [{}, 400, /at least one/],
      [{ groups: [{ group: other.id, level: 'muted' }] }, 403, /not a member/],
    ];
    for (const [body, status, message] of bad) {
      const res = await h.api.put('/notifications/7101/preferences', body);
      assertMatchesSpec('put', '/notifications/{up}/preferences', res);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(res.body.error.message, message);
    }
  });

  it('lists notifications newest first with an unread count, and marks them read', async () => {
    const group = await createGroup(h.api, 'list', ['7101', '7102']);
    const a = await postMessage(h.api, group.id, '7101', 'one for 7102');
    const b = await postMessage(h.api, group.id, '7101', 'two for 7102');
    await h.service.notifications.outbox.idle();
    const list = await eventually(async () => {
      const res = await h.api.get('/notifications/7102?limit=10');
      return res.body.items?.length >= 2 ? res : undefined;
    }, 10000);
    const rows = list.body.items.map((i: { messageId: string; read: boolean }) => [i.messageId, i.read]);
    assert.deepEqual(rows, [[b.id, false], [a.id, false]]);
    assert.equal(list.body.unread, 2);
    const read = await h.api.post('/notifications/7102/read', { upTo: a.id });
    assertMatchesSpec('post', '/notifications/{up}/read', read);
    assert.deepEqual(read.body, { unread: 1 });
    const back = await h.api.post('/notifications/7102/read', { upTo: '000000000000000000000000' });
    assert.deepEqual(back.body, { unread: 1 }, 'the read position never goes back');
    assert.deepEqual((await h.api.post('/notifications/7102/read', {})).body, { unread: 0 });
    const after = await h.api.get('/notifications/7102');
    assert.deepEqual(after.body.items.map((i: { read: boolean }) => i.read), [true, true]);
    const refused = await h.api.get('/notifications/7102?limit=0');
    assert.equal(refused.status, 400);
  });
});
