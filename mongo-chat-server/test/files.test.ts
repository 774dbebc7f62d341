import assert from 'node:assert/strict';
import http from 'node:http';
import sharp from 'sharp';
import type { Group } from '@chat/shared';
import { startDataService } from '../src/service';
import {
  assertMatchesSpec, createGroup, createUser, eventually, startHarness, testConfig, TOKEN,
} from './helpers';
import type { Harness } from './helpers';

const MB = 1024 * 1024;

const png = (width: number, height: number) => sharp({
  create: {
    width, height, channels: 3, background: '#3366cc',
  },
}).png().toBuffer();

describe('data service: files', function () {
  this.timeout(30000);
  let h: Harness;
  let group: Group;
  let other: Group;
  before(async () => {
    h = await startHarness('files');
    for (const up of ['3001', '3002', '3003']) await createUser(h.api, up);
    group = await createGroup(h.api, 'files', ['3001', '3002']);
    other = await createGroup(h.api, 'elsewhere', ['3001', '3003']);
  });
  after(async () => { await h?.close(); });

  const upload = (body: Buffer, opts: {
    up?: string; name?: string; group?: string; maxBytes?: number; dailyBytes?: number;
  } = {}) => {
    const query = new URLSearchParams({
      group: opts.group ?? group.id,
      uploader: opts.up ?? '3001',
      name: opts.name ?? 'file.bin',
      maxBytes: String(opts.maxBytes ?? MB),
      dailyBytes: String(opts.dailyBytes ?? 10 * MB),
    });
    return h.api.post(`/file?${query}`).set('content-type', 'application/octet-stream').send(body);
  };
  const chunkCount = () => h.db.collection('fileData.chunks').countDocuments({});
  const records = () => h.db.collection('files').find({}).toArray();
  const binary = (res: { body: unknown }) => res.body as Buffer;
  const getBytes = (path: string) => h.api.get(path).buffer(true).parse((res, cb) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.on('end', () => cb(null, Buffer.concat(parts)));
  });

  it('stores an image, sniffs its type, measures it and makes a thumbnail', async () => {
    const bytes = await png(800, 400);
    const res = await upload(bytes, { name: 'photo.png' });
    assertMatchesSpec('post', '/file', res);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.type, 'image/png');
    assert.equal(res.body.size, bytes.length);
    assert.deepEqual([res.body.width, res.body.height, res.body.hasThumbnail], [800, 400, true]);
    assert.equal(res.body.uploader, '3001');
    const record = await h.api.get(`/file/${res.body.id}`);
    assertMatchesSpec('get', '/file/{id}', record);
    assert.deepEqual(record.body, res.body);

    const whole = await getBytes(`/file/${res.body.id}/content`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers['content-type'], 'image/png');
    assert.ok(binary(whole).equals(bytes));
    const part = await getBytes(`/file/${res.body.id}/content?start=10&end=19`);
    assert.ok(binary(part).equals(bytes.subarray(10, 20)));

    const thumb = await getBytes(`/file/${res.body.id}/thumbnail`);
    assert.equal(thumb.headers['content-type'], 'image/webp');
    const meta = await sharp(binary(thumb)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 320, 160]);
  });

  it('types bytes by what they are: HTML sent as photo.png is application/octet-stream, without thumbnail', async () => {
    const res = await upload(Buffer.from('<!doctype html><html><script>alert(1)</script></html>'), { name: 'photo.png' });
    assert.equal(res.status, 201);
    assert.equal(res.body.type, 'application/octet-stream');
    assert.deepEqual([res.body.width, res.body.height, res.body.hasThumbnail], [null, null, false]);
    assert.equal((await h.api.get(`/file/${res.body.id}/thumbnail`)).status, 404);
  });

  it('refuses a file over maxBytes with 413 and keeps nothing of it', async () => {
    const before = { chunks: await chunkCount(), records: (await records()).length };
    const res = await upload(Buffer.alloc(600 * 1024, 7), { maxBytes: 300 * 1024 });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual({ chunks: await chunkCount(), records: (await records()).length }, before);
  });

  it("refuses an upload past the uploader's daily total with 413, counting the day's earlier files", async () => {
    const daily = 5000;
    const first = await upload(Buffer.alloc(3000, 1), { up: '3002', dailyBytes: daily });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const before = { chunks: await chunkCount(), records: (await records()).length };
    const second = await upload(Buffer.alloc(3000, 2), { up: '3002', dailyBytes: daily });
    assert.equal(second.status, 413);
    assert.match(second.body.error.message, /daily/);
    assert.deepEqual({ chunks: await chunkCount(), records: (await records()).length }, before);
    // What is left of the day still fits, and another user's total is their own.
    assert.equal((await upload(Buffer.alloc(2000, 3), { up: '3002', dailyBytes: daily })).status, 201);
    assert.equal((await upload(Buffer.alloc(3000, 4), { up: '3003', group: other.id, dailyBytes: daily })).status, 201);
  });

  it('refuses an uploader who is not a member of the group (403) and an unknown group (404)', async () => {
    assert.equal((await upload(Buffer.from('x'), { up: '3003' })).status, 403);
    assert.equal((await upload(Buffer.from('x'), { group: '0123456789abcdef01234567' })).status, 404);
  });

  it('refuses bad queries with 400', async () => {
    const res = await h.api.post(`/file?group=${group.id}&uploader=3001&name=&maxBytes=10&dailyBytes=10`)
      .set('content-type', 'application/octet-stream').send(Buffer.from('x'));
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
  });

  describe('messages carrying files', () => {
    it('stores references with the message, checks whose and where the files are, and deletes them with it', async () => {
      const image = await upload(await png(40, 30), { name: 'a.png' });
      const doc = await upload(Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n'), { name: 'b.pdf' });
      const sent = await h.api.post('/message', {
        group: group.id, from: '3001', message: 'two files', clientId: 'files-1', attachments: [image.body.id, doc.body.id],
      });
      assertMatchesSpec('post', '/message', sent);
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      assert.deepEqual(sent.body.attachments.map((a: { name: string; type: string }) => [a.name, a.type]), [
        ['a.png', 'image/png'], ['b.pdf', 'application/pdf'],
      ]);
      assert.deepEqual(sent.body.attachments[0], {
        id: image.body.id, name: 'a.png', size: image.body.size, type: 'image/png', width: 40, height: 30, hasThumbnail: true,
      });
      const stored = await h.api.get(`/message/${sent.body.id}`);
      assert.deepEqual(stored.body.attachments, sent.body.attachments);

      // A retry of the same send may name them again; another message may not.
      const retry = await h.api.post('/message', {
        group: group.id, from: '3001', message: 'two files', clientId: 'files-1', attachments: [image.body.id, doc.body.id],
      });
      assert.equal(retry.status, 200);
      const again = await h.api.post('/message', {
        group: group.id, from: '3001', message: 'again', attachments: [image.body.id],
      });
      assert.equal(again.status, 409);
      // Someone else's file, or a file of another group, cannot be attached.
      const theirs = await upload(Buffer.from('theirs'), { up: '3002' });
      assert.equal((await h.api.post('/message', {
        group: group.id, from: '3001', message: 'not mine', attachments: [theirs.body.id],
      })).status, 403);
      const elsewhere = await upload(Buffer.from('elsewhere'), { group: other.id });
      assert.equal((await h.api.post('/message', {
        group: group.id, from: '3001', message: 'wrong group', attachments: [elsewhere.body.id],
      })).status, 403);
      assert.equal((await h.api.post('/message', {
        group: group.id, from: '3001', message: 'unknown', attachments: ['0123456789abcdef01234567'],
      })).status, 404);
      assert.equal((await h.api.post('/message', {
        group: group.id, from: '3001', message: 'too many', attachments: Array(11).fill(image.body.id),
      })).status, 400);

      const { ObjectId } = h.db.base.mongo;
      const theirRecords = (await records()).filter((r) => [image.body.id, doc.body.id].includes(String(r._id)));
      const objects = theirRecords.flatMap((r) => [r._id, r.thumbnail]).filter((o) => o !== null);
      assert.equal(objects.length, 3, 'the image, its thumbnail and the PDF');
      const chunksOf = () => h.db.collection('fileData.chunks').countDocuments({ files_id: { $in: objects } });
      assert.ok(await chunksOf() >= 3);
      const othersBefore = await chunkCount() - await chunksOf();
      const deleted = await h.api.post('/file/delete-of-messages', { messages: [sent.body.id] });
      assertMatchesSpec('post', '/file/delete-of-messages', deleted);
      assert.deepEqual(deleted.body, { deleted: 2 });
      assert.equal((await h.api.get(`/file/${image.body.id}`)).status, 404);
      assert.equal((await h.api.get(`/file/${doc.body.id}/content`)).status, 404);
      assert.equal(await chunksOf(), 0);
      assert.equal(await chunkCount(), othersBefore, "other files' bytes stay");
      assert.equal(await h.db.collection('files').countDocuments({ _id: { $in: objects.map((o) => new ObjectId(String(o))) } }), 0);
      assert.equal((await upload(Buffer.from('still here'))).status, 201);
    });

    it('lets exactly one of ten concurrent sends carry a file; the others are refused and not stored', async () => {
      const file = await upload(Buffer.from('wanted by ten'), { name: 'wanted.txt' });
      const sends = await Promise.all(Array.from({ length: 10 }, (_, i) => h.api.post('/message', {
        group: group.id, from: '3001', message: `race ${i}`, clientId: `race-${i}`, attachments: [file.body.id],
      })));
      const won = sends.filter((s) => s.status === 201);
      const lost = sends.filter((s) => s.status !== 201);
      assert.equal(won.length, 1, JSON.stringify(sends.map((s) => [s.status, s.body])));
      lost.forEach((s) => {
        assert.equal(s.status, 409, JSON.stringify(s.body));
        assert.equal(s.body.error.code, 'CONFLICT');
        assert.match(s.body.error.message, /already attached to another message/);
      });
      const { ObjectId } = h.db.base.mongo;
      const carrying = await h.db.collection('messages').find({ 'attachments.id': file.body.id }).toArray();
      assert.deepEqual(carrying.map((m) => String(m._id)), [won[0]!.body.id], 'only the winner carries the file');
      const stored = await h.db.collection('messages').countDocuments({ group: new ObjectId(group.id), clientId: { $regex: '^race-' } });
      assert.equal(stored, 1, 'the refused sends are not stored');
      const record = await h.db.collection('files').findOne({ _id: new ObjectId(file.body.id) });
      assert.equal(String(record?.message), won[0]!.body.id);
      // The winner's retry still gets its message back.
      const retry = await h.api.post('/message', {
        group: group.id, from: '3001', message: won[0]!.body.message, clientId: won[0]!.body.clientId, attachments: [file.body.id],
      });
      assert.equal(retry.status, 200, JSON.stringify(retry.body));
      assert.equal(retry.body.id, won[0]!.body.id);
    });

    it('gives a file back to later sends when the send that claimed it was not stored', async () => {
      const file = await upload(Buffer.from('claimed then free'), { name: 'free.txt' });
      const theirs = await h.api.post('/message', {
        group: group.id, from: '3002', message: 'my clientId', clientId: 'claim-then-refused',
      });
      assert.equal(theirs.status, 201);
      const refused = await h.api.post('/message', {
        group: group.id, from: '3001', message: 'same clientId', clientId: 'claim-then-refused', attachments: [file.body.id],
      });
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.match(refused.body.error.message, /clientId/);
      const later = await h.api.post('/message', {
        group: group.id, from: '3001', message: 'takes it', clientId: 'claim-later', attachments: [file.body.id],
      });
      assert.equal(later.status, 201, JSON.stringify(later.body));
      const { ObjectId } = h.db.base.mongo;
      assert.deepEqual(await h.db.collection('fileClaims').find({ _id: new ObjectId(file.body.id) }).toArray(), [
        { _id: new ObjectId(file.body.id), clientId: 'claim-later' },
      ]);
      assert.equal((await h.api.post('/file/delete-of-messages', { messages: [later.body.id] })).body.deleted, 1);
      assert.equal(await h.db.collection('fileClaims').countDocuments({ _id: new ObjectId(file.body.id) }), 0, 'the claim goes with the file');
    });
  });

  it('goes with its message when the message is deleted, and with its group when the group is deleted', async () => {
    const room = await createGroup(h.api, 'short-lived', ['3001', '3002']);
    const inRoom = (name: string) => upload(Buffer.from(`bytes of ${name}`), { name, group: room.id });
    const kept = await inRoom('kept.txt');
    const gone = await inRoom('gone.txt');
    const sent = await h.api.post('/message', {
      group: room.id, from: '3001', message: 'one file', clientId: 'files-gone', attachments: [gone.body.id],
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const removed = await h.api.post(`/message/${sent.body.id}/delete`, { group: room.id, by: '3001' });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.equal(removed.body.message.attachments, undefined, 'the tombstone carries no file');
    assert.equal((await h.api.get(`/file/${gone.body.id}`)).status, 404);
    assert.equal((await h.api.get(`/file/${kept.body.id}`)).status, 200, 'a file of no deleted message stays');

    const { ObjectId } = h.db.base.mongo;
    assert.equal((await h.api.delete(`/group/${room.id}`)).status, 204);
    assert.equal((await h.api.get(`/file/${kept.body.id}`)).status, 404);
    assert.equal(await h.db.collection('files').countDocuments({ group: new ObjectId(room.id) }), 0);
    assert.equal(await h.db.collection('fileData.chunks').countDocuments({
      files_id: { $in: [new ObjectId(kept.body.id), new ObjectId(gone.body.id)] },
    }), 0);
  });

  it('removes an upload cut off midway at once: no record, no chunk', async () => {
    const before = { chunks: await chunkCount(), records: (await records()).length };
    const url = new URL(h.url);
    const query = new URLSearchParams({
      group: group.id, uploader: '3001', name: 'cut.bin', maxBytes: String(MB), dailyBytes: String(10 * MB),
    });
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `/file?${query}`,
      headers: { 'x-internal-token': TOKEN, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(600 * 1024, 9));
    // Wait until the service is storing it (a pending record exists), then cut the connection.
    await eventually(async () => ((await records()).some((r) => r.state === 'pending') ? true : undefined), 10000);
    req.destroy();
    await eventually(async () => {
      const now = { chunks: await chunkCount(), records: (await records()).length };
      return now.chunks === before.chunks && now.records === before.records ? true : undefined;
    }, 10000);
  });

  it('sweeps uploads left pending by a stopped process when it starts', async () => {
    const id = '0123456789abcdef01234599';
    const { ObjectId } = h.db.base.mongo;
    await h.db.collection('files').insertOne({
      _id: new ObjectId(id),
      group: new ObjectId(group.id),
      uploader: '3001',
      name: 'left.bin',
      size: 0,
      type: 'application/octet-stream',
      width: null,
      height: null,
      thumbnail: null,
      state: 'pending',
      day: '2026-01-01',
      createdAt: new Date(Date.now() - 60 * 60 * 1000),
      message: null,
      clientId: null,
    });
    await h.db.collection('fileData.chunks').insertOne({ files_id: new ObjectId(id), n: 0, data: Buffer.from('half') });
    const restarted = await startDataService(testConfig(h.mongoUrl, h.logDir));
    try {
      assert.equal(await h.db.collection('files').countDocuments({ _id: new ObjectId(id) }), 0);
      assert.equal(await h.db.collection('fileData.chunks').countDocuments({ files_id: new ObjectId(id) }), 0);
    } finally {
      await restarted.close();
    }
  });
});
