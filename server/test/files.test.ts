/**
 * Attachments through a chat server and a real data service: upload as
 * multipart, download by members only with a strict type, nosniff, a
 * Content-Disposition and ranges, the limits (413, nothing kept), and messages
 * carrying the files.
 */
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import sharp from 'sharp';
import type { ChatMessagePayload, FileRecord, SendMessageResult } from '@chat/contract';
import {
  Cluster, clientId, next, request, startDataTier,
} from './support/cluster';
import type { DataTier, TestUser } from './support/cluster';
// The shared spec checker lives in the root package's test support, which has no package name to import by.
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec as assertSpec } from '../../test/support/openapi';

const MAX_BYTES = 100_000;

describe('chat server: attachments', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let db: Connection;
  let alice: TestUser;
  let bob: TestUser;
  let outsider: TestUser;
  let group: string;
  let outsiders: string;

  before(async () => {
    tier = await startDataTier('chat-files');
    cluster = new Cluster(tier);
    await cluster.addServer({ ATTACHMENT_MAX_BYTES: String(MAX_BYTES), ATTACHMENT_DAILY_BYTES: '10000000' });
    [alice, bob, outsider] = await cluster.users(3) as [TestUser, TestUser, TestUser];
    group = await cluster.group(alice, [bob], 'files');
    outsiders = await cluster.group(outsider, [], 'elsewhere');
    db = await mongoose.createConnection(tier.mongoUrl, { serverSelectionTimeoutMS: 3000 }).asPromise();
  });
  after(async () => {
    await db?.close();
    await cluster.close();
    await tier.close();
  });

  const base = () => cluster.server(0).url;
  const auth = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });
  const upload = async (user: TestUser, to: string, bytes: Buffer, name: string, type = 'application/octet-stream') => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), name);
    const res = await fetch(`${base()}/chat/${to}/files`, { method: 'POST', headers: auth(user), body: form });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as unknown };
  };
  const download = (user: TestUser, path: string, headers: Record<string, string> = {}) => fetch(
    `${base()}${path}`,
    { headers: { ...auth(user), ...headers } },
  );
  const stored = async () => ({
    files: await db.collection('files').countDocuments({}),
    chunks: await db.collection('fileData.chunks').countDocuments({}),
  });

  it('takes a member\'s image as multipart and serves it back to members, inline, with ranges and a thumbnail', async () => {
    const bytes = await sharp({
      create: {
        width: 640, height: 480, channels: 3, background: '#c04020',
      },
    }).jpeg().toBuffer();
    const res = await upload(alice, group, bytes, 'holiday photo.jpg', 'image/jpeg');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assertSpec('post', '/chat/{group}/files', res);
    const file = res.body as FileRecord;
    assert.deepEqual(
      [file.name, file.type, file.size, file.width, file.height, file.hasThumbnail, file.uploader, file.group],
      ['holiday photo.jpg', 'image/jpeg', bytes.length, 640, 480, true, alice.up, group],
    );

    const whole = await download(bob, `/chat/${group}/files/${file.id}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'image/jpeg');
    assert.equal(whole.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(whole.headers.get('content-disposition'), 'inline; filename="holiday photo.jpg"');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(bytes));

    const part = await download(bob, `/chat/${group}/files/${file.id}`, { range: 'bytes=100-199' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${bytes.length}`);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200)));
    const tail = await download(bob, `/chat/${group}/files/${file.id}`, { range: 'bytes=-50' });
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 50)));
    const past = await download(bob, `/chat/${group}/files/${file.id}`, { range: `bytes=${bytes.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${bytes.length}`);

    const thumb = await download(bob, `/chat/${group}/files/${file.id}/thumbnail`);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/webp');
    assert.equal(thumb.headers.get('x-content-type-options'), 'nosniff');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [320, 240]);
  });

  it('never lets a non-member download a group\'s file or thumbnail (403), nor upload to it', async () => {
    const bytes = await sharp({
      create: {
        width: 20, height: 20, channels: 3, background: '#000',
      },
    }).png().toBuffer();
    const file = (await upload(alice, group, bytes, 'secret.png')).body as FileRecord;
    for (const path of [`/chat/${group}/files/${file.id}`, `/chat/${group}/files/${file.id}/thumbnail`]) {
      const res = await download(outsider, path);
      assert.equal(res.status, 403, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
    }
    // Through a group the outsider is in, the file is not there.
    assert.equal((await download(outsider, `/chat/${outsiders}/files/${file.id}`)).status, 404);
    assert.equal((await fetch(`${base()}/chat/${group}/files/${file.id}`)).status, 401);
    const before = await stored();
    assert.equal((await upload(outsider, group, Buffer.from('intruder'), 'x.txt')).status, 403);
    assert.deepEqual(await stored(), before);
  });

  it('never serves HTML declared as image/png as HTML: sniffed octet-stream, attachment, nosniff', async () => {
    const html = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
    const res = await upload(alice, group, html, 'cat.png', 'image/png');
    assert.equal(res.status, 201);
    const file = res.body as FileRecord;
    assert.equal(file.type, 'application/octet-stream');
    assert.equal(file.hasThumbnail, false);
    const got = await download(bob, `/chat/${group}/files/${file.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/octet-stream');
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.match(got.headers.get('content-disposition') ?? '', /^attachment; filename="?cat\.png"?$/);
    assert.match(got.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(html));
    assert.equal((await download(bob, `/chat/${group}/files/${file.id}/thumbnail`)).status, 404);
  });

  it('answers an oversized upload with 413 and stores nothing, whether the size is declared or found while streaming', async () => {
    const before = await stored();
    // Just over the limit: within the multipart allowance, so it is found while the bytes stream.
    const streamed = await upload(alice, group, Buffer.alloc(MAX_BYTES + 1, 1), 'big.bin');
    assert.equal(streamed.status, 413);
    assert.equal((streamed.body as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    // Far over: refused from the declared length.
    const declared = await upload(alice, group, Buffer.alloc(MAX_BYTES * 5, 2), 'huge.bin');
    assert.equal(declared.status, 413);
    assert.deepEqual(await stored(), before);
    // Exactly the limit is fine.
    assert.equal((await upload(alice, group, Buffer.alloc(MAX_BYTES, 3), 'edge.bin')).status, 201);
  });

  it('refuses a body that is not multipart, or has no file part, with 400', async () => {
    const json = await cluster.rest('POST', `/chat/${group}/files`, { user: alice, body: { file: 'x' } });
    assert.equal(json.status, 400);
    const form = new FormData();
    form.append('note', 'no file here');
    const res = await fetch(`${base()}/chat/${group}/files`, { method: 'POST', headers: auth(alice), body: form });
    assert.equal(res.status, 400);
  });

  it('sends a message carrying files: the room and the history get the references', async () => {
    const pdf = (await upload(alice, group, Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n'), 'report.pdf')).body as FileRecord;
    const a = await cluster.connect(alice);
    const b = await cluster.connect(bob);
    const arrival = next(b, 'chat message', (m) => m.message === 'see attached');
    const ack = await request<SendMessageResult>(a, 'chat message', {
      message: 'see attached', up: alice.up, room: group, clientId: clientId(), attachments: [pdf.id],
    });
    assert.ok(ack.ok, JSON.stringify(ack));
    const delivered = await arrival as ChatMessagePayload;
    assert.deepEqual(delivered.attachments, [{
      id: pdf.id, name: 'report.pdf', size: pdf.size, type: 'application/pdf', width: null, height: null, hasThumbnail: false,
    }]);
    const history = await cluster.history(bob, group);
    assert.deepEqual(history.find((m) => m.message === 'see attached')?.attachments, delivered.attachments);
    // Bob cannot put Alice's file on his own message.
    const theft = await request(b, 'chat message', {
      message: 'mine now', up: bob.up, room: group, clientId: clientId(), attachments: [pdf.id],
    });
    assert.equal(theft.ok, false);
    a.close();
    b.close();
  });
});
