/**
 * A chat server killed (kill -9) in the middle of an upload: the data service
 * sees the stream cut off and removes what it wrote, so no half file is ever
 * visible: no record, no bytes, nothing to download or attach.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { startSystem } from '../support/system';
import type { TestSystem } from '../support/system';

async function until<T>(what: string, attempt: () => Promise<T | undefined>, ms = 15000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => { setTimeout(r, 100); });
  }
}

describe('system: a chat server killed in the middle of an upload', function () {
  this.timeout(90000);
  let system: TestSystem;
  let db: Connection;

  before(async () => {
    system = await startSystem({ chatServers: 1, label: 'upload-kill' });
    db = await mongoose.createConnection(system.mongoUrl, { serverSelectionTimeoutMS: 3000 }).asPromise();
  });
  after(async () => {
    await db?.close();
    await system?.close();
  });

  it('leaves no half file visible', async () => {
    const owner = await system.register(`${Date.now()}`.slice(-9));
    const group = await system.createGroup(owner, 'uploads', []);
    const server = system.chatServers[0];
    assert.ok(server);
    const files = db.collection('files');
    const chunks = db.collection('fileData.chunks');

    const boundary = 'cutoffboundary';
    const req = http.request(`${server.url}/chat/${group}/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${owner.token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'transfer-encoding': 'chunked',
      },
    });
    req.on('error', () => undefined);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\n`
      + 'Content-Type: application/octet-stream\r\n\r\n');
    // Half a megabyte now (two GridFS chunks), the rest never comes.
    req.write(Buffer.alloc(512 * 1024, 5));
    const pending = await until('the upload to be stored as pending', async () => (
      (await files.findOne({ name: 'half.bin' })) ?? undefined));
    assert.equal(pending.state, 'pending');
    await until('its first bytes to be written', async () => (
      (await chunks.countDocuments({ files_id: pending._id })) > 0 ? true : undefined));

    await server.kill();
    req.destroy();

    await until('the half file to be removed', async () => {
      const left = await files.countDocuments({ _id: pending._id })
        + await chunks.countDocuments({ files_id: pending._id });
      return left === 0 ? true : undefined;
    });
    assert.equal(await files.countDocuments({ state: 'ready' }), 0, 'nothing became visible');
    assert.equal(await db.collection('fileData.files').countDocuments({}), 0);
  });
});
