/**
 * The order guarantee (docs/design.md, Order): concurrent sends to one group get
 * seq 1..N with no gap and no duplicate, from one instance, from two in this
 * process, and from another process writing to the same database at once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Types } from 'mongoose';
import type { Group, StoredMessage } from '@chat/shared';
import { spawnOwned, stopProcess } from '@chat/local-services';
import { startDataService } from '../src/service';
import type { DataService } from '../src/service';
import {
  apiFor, commandsSent, createGroup, createUser, eventually, postMessage, startHarness, testConfig, TOKEN,
} from './helpers';
import type { Api, Harness } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');

async function sendConcurrently(apis: Api[], group: string, from: string, count: number): Promise<StoredMessage[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const api = apis[i % apis.length] as Api;
    const res = await api.post('/message', { group, from, message: `n${i}` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as StoredMessage;
  }));
}

function assertGapless(messages: StoredMessage[], from: number, to: number): void {
  const seqs = messages.map((m) => m.seq).sort((a, b) => a - b);
  assert.deepEqual(seqs, Array.from({ length: to - from + 1 }, (_, i) => from + i));
}

async function storedSeqs(h: Harness, group: string): Promise<number[]> {
  const docs = await h.db.collection('messages').find({ group: new Types.ObjectId(group) }, { projection: { seq: 1 } })
    .toArray();
  return docs.map((d) => Number(d.seq)).sort((a, b) => a - b);
}

/**
 * Every stored message of the group has a revision of its own, and each one is
 * claimed in the revision collection (so no later change can take it again).
 */
async function assertRevsUnique(h: Harness, group: string): Promise<void> {
  const id = new Types.ObjectId(group);
  const docs = await h.db.collection('messages').find({ group: id }, { projection: { rev: 1 } }).toArray();
  const revs = docs.map((d) => Number(d.rev));
  assert.ok(revs.every((rev) => Number.isInteger(rev) && rev > 0), 'every message has a revision');
  assert.equal(new Set(revs).size, revs.length, 'no two messages share a revision');
  const claims = await h.db.collection('revisions').find({ group: id }, { projection: { rev: 1 } }).toArray();
  const claimed = new Set(claims.map((c) => Number(c.rev)));
  assert.deepEqual(revs.filter((rev) => !claimed.has(rev)), [], 'every message revision is claimed');
}

/** The data service as a child process on PORT=0; resolves with the URL it prints. */
function startChild(mongoUrl: string, logDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawnOwned(process.execPath, ['--import', 'tsx', path.join(ROOT, 'mongo-chat-server/src/index.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      MONGO_URL: mongoUrl,
      INTERNAL_TOKEN: TOKEN,
      LOG_DIR: logDir,
      PASSWORD_HASH_MEMORY_KIB: '4096',
      LOG_LEVEL: 'warn',
    },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`child did not start:\n${output}`)), 20000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /mongo-chat-server listening on (http:\/\/\S+)/.exec(output);
      if (found?.[1]) { clearTimeout(timer); resolve({ url: found[1], child }); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`child exited ${code}:\n${output}`)); });
  });
}

describe('data service: seq assignment under concurrency', function () {
  this.timeout(60000);
  let h: Harness;
  let group: Group;
  before(async () => {
    h = await startHarness('seq');
    await createUser(h.api, '3001');
  });
  after(async () => { await h?.close(); });
  beforeEach(async () => { group = await createGroup(h.api, 'busy', ['3001']); });

  it('gives 200 concurrent sends to one group seq 1..200, no gap, no duplicate', async () => {
    const sent = await sendConcurrently([h.api], group.id, '3001', 200);
    assertGapless(sent, 1, 200);
    assert.equal(new Set(sent.map((m) => m.id)).size, 200);
    assert.deepEqual(await storedSeqs(h, group.id), sent.map((m) => m.seq).sort((a, b) => a - b));
    assert.equal((await h.api.get(`/group/${group.id}`)).body.lastSeq, 200);
    // The group's hint in the database catches up, for readers in other processes.
    await eventually(async () => {
      const doc = await h.db.collection('groups').findOne({ _id: new Types.ObjectId(group.id) });
      return doc?.lastSeq === 200 ? true : undefined;
    }, 15000);
  });

  it('keeps seqs gapless when two instances in this process write to one group at once', async () => {
    const second: DataService = await startDataService(testConfig(h.mongoUrl, h.logDir));
    try {
      await postMessage(h.api, group.id, '3001', 'warm up the first cache');
      const sent = await sendConcurrently([h.api, apiFor(second.url)], group.id, '3001', 200);
      assertGapless(sent, 2, 201);
      assert.equal((await storedSeqs(h, group.id)).length, 201);
      const next = await apiFor(second.url).post('/message', { group: group.id, from: '3001', message: 'after' });
      assert.equal(next.body.seq, 202);
      // A retry reaching the other instance (whose cache is now behind) still finds the first copy.
      const original = await postMessage(h.api, group.id, '3001', 'sent once', 'cross-retry');
      const retry = await apiFor(second.url).post('/message', {
        group: group.id, from: '3001', message: 'sent once', clientId: 'cross-retry',
      });
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.body, original);
      assert.equal((await storedSeqs(h, group.id)).length, 203);
      await assertRevsUnique(h, group.id);
    } finally {
      await second.close();
    }
  });

  it('keeps seqs gapless with another process writing to the same group at once', async () => {
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-child-'));
    const { url, child } = await startChild(h.mongoUrl, logDir);
    try {
      const other = apiFor(url);
      const sent = await sendConcurrently([h.api, other], group.id, '3001', 200);
      assertGapless(sent, 1, 200);
      assert.deepEqual(await storedSeqs(h, group.id), Array.from({ length: 200 }, (_, i) => i + 1));
      await assertRevsUnique(h, group.id);
      // Each process saves the group's lastSeq hint within ten seconds of its writes: the other sees it.
      await eventually(async () => {
        const fromChild = await other.get(`/group/${group.id}`);
        return fromChild.body.lastSeq === 200 ? true : undefined;
      }, 15000);
    } finally {
      await stopProcess(child, 5000);
      fs.rmSync(logDir, { recursive: true, force: true });
    }
  });

  it('stores one batch from 100 different senders and moves each sender\'s read position to their message', async () => {
    // FerretDB v1 never finishes an update command of 100 statements: the read positions go in small commands.
    const ups = Array.from({ length: 100 }, (_, i) => String(4000 + i));
    for (const up of ups) await createUser(h.api, up);
    const crowd = await createGroup(h.api, 'crowd', ups);
    const res = await h.api.post('/message/batch', {
      messages: ups.map((from, i) => ({ group: crowd.id, from, message: `hello ${i}` })),
    });
    assert.equal(res.status, 200);
    const { results } = (res.body as { results: Array<{ ok: boolean; message?: StoredMessage }> });
    assert.deepEqual(results.filter((r) => !r.ok), []);
    assertGapless(results.map((r) => r.message as StoredMessage), 1, 100);
    await assertRevsUnique(h, crowd.id);
    // Read positions are written right after the acks; a read of one waits for them.
    for (const r of results.slice(0, 100)) {
      const message = r.message as StoredMessage;
      const membership = await h.api.get(`/group/${crowd.id}/members/${message.from}`);
      assert.equal(membership.body.lastReadSeq, message.seq);
    }
  });

  it('claims a group\'s revisions ahead while it writes the group alone: most sends insert no claim', async () => {
    const claimInserts = () => commandsSent(h.api, 'insert', 'revisions');
    const before = await claimInserts();
    const sent: StoredMessage[] = [];
    for (let i = 0; i < 20; i += 1) sent.push(await postMessage(h.api, group.id, '3001', `one by one ${i}`));
    assert.deepEqual(sent.map((m) => m.rev), Array.from({ length: 20 }, (_, i) => i + 1), 'revisions 1..20, in send order');
    // 1 + 15 ahead, then 16 more: two inserts for twenty sends (one each before).
    assert.equal(await claimInserts() - before, 2);
    await assertRevsUnique(h, group.id);
  });

  it('stops claiming ahead in a group another writer stores in: revisions keep following the seqs', async () => {
    const second: DataService = await startDataService(testConfig(h.mongoUrl, h.logDir));
    try {
      const apis = [h.api, apiFor(second.url)];
      const sent: StoredMessage[] = [];
      // Turn about: each writer's cache is behind the other's writes, so each send meets the other writer.
      for (let i = 0; i < 8; i += 1) sent.push(await postMessage(apis[i % 2] as Api, group.id, '3001', `turn ${i}`));
      assert.deepEqual(sent.map((m) => m.seq), Array.from({ length: 8 }, (_, i) => i + 1));
      const revs = sent.map((m) => m.rev ?? 0);
      assert.deepEqual(revs, [...revs].sort((a, b) => a - b), 'a later seq never carries a lower revision');
      await assertRevsUnique(h, group.id);
    } finally {
      await second.close();
    }
  });

  it('starts a new writer\'s revisions from the group\'s hint, and never below a revision already claimed when the hint lags', async () => {
    const groupId = new Types.ObjectId(group.id);
    const claims = async () => (await h.db.collection('revisions').find({ group: groupId }, { projection: { rev: 1 } })
      .toArray()).map((c) => Number(c.rev)).sort((a, b) => a - b);
    const writer = await startDataService(testConfig(h.mongoUrl, h.logDir));
    let first: StoredMessage[];
    try {
      first = await Promise.all([1, 2, 3].map((i) => postMessage(apiFor(writer.url), group.id, '3001', `first ${i}`)));
    } finally {
      await writer.close(); // saves the hints it holds
    }
    // The hint is the last revision claimed, ahead of those used: a restart leaves the rest unused (a gap).
    assert.equal((await h.db.collection('groups').findOne({ _id: groupId }))?.lastRev, (await claims()).length);
    for (const hint of [(await claims()).length, 1]) {
      // A fresh writer (nothing in memory); the second time the hint lags behind the claims.
      await h.db.collection('groups').updateOne({ _id: groupId }, { $set: { lastRev: hint } });
      const claimsBefore = (await claims()).length;
      const fresh = await startDataService(testConfig(h.mongoUrl, h.logDir));
      try {
        const next = await apiFor(fresh.url).post('/message', { group: group.id, from: '3001', message: `after hint ${hint}` });
        assert.equal(next.status, 201);
        assert.equal(next.body.rev, claimsBefore + 1, 'the next revision comes after every one claimed before');
      } finally {
        await fresh.close();
      }
    }
    assert.deepEqual(first.map((m) => m.rev).sort((a = 0, b = 0) => a - b), [1, 2, 3]);
    await assertRevsUnique(h, group.id);
    const all = await claims();
    assert.deepEqual(all, Array.from({ length: all.length }, (_, i) => i + 1), 'claims run 1..last without a hole');
  });

  it('continues after messages a crashed writer stored without updating the group\'s hint', async () => {
    await postMessage(h.api, group.id, '3001', 'one');
    // Another writer stored seq 2 and 3, then died before saving the hint.
    const second = await startDataService(testConfig(h.mongoUrl, h.logDir));
    try {
      const now = new Date();
      await h.db.collection('messages').insertMany([2, 3].map((seq) => ({
        group: new Types.ObjectId(group.id), seq, from: '3001', message: `lost hint ${seq}`, clientId: `crash-${seq}`, timestamp: now,
      })));
      const after = await apiFor(second.url).post('/message', { group: group.id, from: '3001', message: 'four' });
      assert.equal(after.status, 201);
      assert.equal(after.body.seq, 4);
      // The first instance's cache says 1: it collides, reloads, and carries on.
      const fromFirst = await postMessage(h.api, group.id, '3001', 'five');
      assert.equal(fromFirst.seq, 5);
      assert.deepEqual(await storedSeqs(h, group.id), [1, 2, 3, 4, 5]);
    } finally {
      await second.close();
    }
  });
});
