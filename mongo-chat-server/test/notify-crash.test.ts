/**
 * The data service is killed (SIGKILL) after the receiver took a digest and
 * before the service recorded the answer: the restarted service sends the
 * same digest again, with the same id and body (the receiver de-duplicates by
 * id), and never puts those items into a different digest.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startServiceProcess, testMongoUrl } from '@chat/local-services';
import type { ServiceProcess } from '@chat/local-services';
import {
  apiFor, createGroup, createUser, eventually, postMessage,
} from './helpers';
import { Receiver } from './notify-receiver';

const SECRET = 'crash-test-secret-0123456789';

describe('notifications: a data service killed between the send and its record', function () {
  this.timeout(90000);
  let receiver: Receiver;
  let proc: ServiceProcess;
  let mongoUrl: string;
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'notify-crash-'));
  const token = crypto.randomBytes(16).toString('hex');

  before(async () => {
    receiver = await new Receiver(SECRET).start();
    mongoUrl = testMongoUrl('notify-crash');
    proc = await startServiceProcess({
      service: 'mongo-chat-server',
      env: {
        MONGO_URL: mongoUrl,
        INTERNAL_TOKEN: token,
        NODE_ENV: 'test',
        LOG_DIR: logDir,
        PASSWORD_HASH_MEMORY_KIB: '4096',
        NOTIFY_URL: receiver.url,
        NOTIFY_SECRET: SECRET,
        NOTIFY_DIGEST_S: '1',
        NOTIFY_RETRY_BASE_MS: '100',
        NOTIFY_RETRY_MAX_MS: '400',
        NOTIFY_LEASE_S: '1',
      },
    });
  });
  after(async () => {
    await proc?.stop();
    await receiver?.stop();
    const db = await mongoose.createConnection(mongoUrl).asPromise();
    await db.dropDatabase().catch(() => undefined);
    await db.close();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('resends the same digest after the restart, and later items go into a new one', async () => {
    const api = apiFor(proc.url, token);
    await createUser(api, '7201');
    await createUser(api, '7202');
    const group = await createGroup(api, 'crash', ['7201', '7202']);
    receiver.answer = () => 'hold';
    const first = await postMessage(api, group.id, '7201', 'before the crash');
    const held = await eventually(async () => receiver.requests[0], 20000);
    assert.equal(held.status, 'held');

    // The receiver has the digest; the service has not heard back. It dies now.
    await proc.kill();
    receiver.answer = () => 'accept';
    await proc.start();

    const again = await eventually(async () => receiver.accepted[0], 20000);
    assert.equal(again.id, held.digest.id, 'the same digest id');
    assert.equal(receiver.requests.find((r) => r.status === 200)?.raw, held.raw, 'the same body');
    assert.deepEqual(again.items.map((i) => i.messageId), [first.id]);

    const second = await postMessage(apiFor(proc.url, token), group.id, '7201', 'after the restart');
    const next = await eventually(async () => receiver.accepted[1], 20000);
    assert.notEqual(next.id, held.digest.id);
    assert.deepEqual(next.items.map((i) => i.messageId), [second.id], 'the first item is in no other digest');
    assert.ok(receiver.requests.every((r) => r.signed));
  });
});
