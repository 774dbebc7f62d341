/**
 * Inserting documents whose ids may exist (notification items, digests, claims): every new one is stored, and
 * the answer names exactly those refused, also when the documents go to the database in several pieces.
 */
import assert from 'node:assert/strict';
import mongoose, { Schema } from 'mongoose';
import type { Connection } from 'mongoose';
import { testMongoUrl } from '@chat/local-services';
import { DOCS_PER_INSERT, insertNew } from '../src/notifications/inserts';

interface Row { _id: string; n: number }

describe('insertNew: documents whose ids may exist', function () {
  this.timeout(30000);
  let db: Connection;
  before(async () => {
    db = await mongoose.createConnection(testMongoUrl('inserts'), { serverSelectionTimeoutMS: 3000 }).asPromise();
  });
  after(async () => {
    await db?.dropDatabase();
    await db?.close();
  });

  it('stores every new document across pieces and answers the index of each one whose id was taken', async () => {
    const Rows = db.model<Row>('Row', new Schema<Row>({ _id: String, n: Number }, { versionKey: false }), 'rows');
    const count = DOCS_PER_INSERT * 2 + 50;
    const docs = Array.from({ length: count }, (_, n) => ({ _id: `row-${n}`, n }));
    // Taken before: one in the first piece, one in the middle of the second, the last of all.
    const takenBefore = [5, DOCS_PER_INSERT + 50, count - 1];
    await Rows.collection.insertMany(takenBefore.map((n) => ({ _id: `row-${n}`, n: -1 })) as never[]);

    const refused = await insertNew(Rows, docs);

    assert.deepEqual([...refused].sort((a, b) => a - b), takenBefore);
    assert.equal(await Rows.countDocuments({}), count);
    assert.equal(await Rows.countDocuments({ n: -1 }), takenBefore.length, 'what was stored before stays as it was');
    assert.deepEqual([...await insertNew(Rows, docs.slice(0, 3))], [0, 1, 2], 'a second insert of the same ids adds nothing');
  });
});
