/** The database layer counts text as the API does (code points) and says so in the API's words. */
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { LIMITS } from '@chat/shared';
import { createModels } from '../src/db/models';
import { fromDatabaseError } from '../src/errors';

const emoji = (count: number) => '😀'.repeat(count);

describe('data service: stored text lengths', () => {
  const db = mongoose.createConnection();
  const { Group, Message } = createModels(db);
  after(() => db.close());

  it('accepts a group name of 60 emoji (120 UTF-16 units) and of exactly the limit in emoji', () => {
    assert.equal(new Group({ name: emoji(60) }).validateSync(), undefined);
    assert.equal(new Group({ name: emoji(LIMITS.groupName) }).validateSync(), undefined);
  });

  it('refuses 101 emoji with the message the request schemas give', () => {
    const err = new Group({ name: emoji(101) }).validateSync();
    assert.ok(err);
    const appError = fromDatabaseError(err);
    assert.equal(appError?.code, 'VALIDATION_FAILED');
    assert.equal(appError?.message, 'name: must be 1 to 100 characters long (counted in Unicode code points)');
  });

  it('counts message text in code points too', () => {
    const message = (text: string) => new Message({
      group: new mongoose.Types.ObjectId(), seq: 1, from: '1', message: text, clientId: 'c', timestamp: new Date(),
    });
    assert.equal(message(emoji(LIMITS.messageLength)).validateSync(), undefined);
    const tooLong = message(emoji(LIMITS.messageLength + 1)).validateSync();
    assert.match(String(tooLong), /message: must be 1 to 4000 characters/);
  });
});
