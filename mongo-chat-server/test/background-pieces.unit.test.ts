/**
 * Background writes in pieces sized to the sends' own writes: on a database where every statement is slow a send
 * waits behind short pieces; under load, or on a fast database, pieces grow so the background keeps up. Durations
 * come from a cost model on a fake clock (FerretDB's measured costs), so the sizes are exact.
 */
import assert from 'node:assert/strict';
import { BackgroundPieces, UPDATE_PIECES } from '../src/db/background-pieces';
import { WriteTurns } from '../src/db/write-turns';

/** A database whose command costs `fixedMs` plus `perItemMs` per statement, on a clock the test moves. */
function fakeDatabase(fixedMs: number, perItemMs: number) {
  let now = 0;
  let cost = { fixedMs, perItemMs };
  const turns = new WriteTurns(() => now);
  const pieces: number[][] = [];
  const writePiece = async (piece: number[]) => {
    pieces.push(piece);
    now += cost.fixedMs + cost.perItemMs * piece.length;
    return piece.length;
  };
  /** A send's own write (a round's insert) that takes `ms`. */
  const send = (ms: number) => turns.foreground(async () => { now += ms; });
  /** The database's costs change (another process loads it). */
  const slowTo = (fixed: number, perItem: number) => { cost = { fixedMs: fixed, perItemMs: perItem }; };
  return {
    turns, pieces, writePiece, send, cost: slowTo,
  };
}

const items = (count: number) => Array.from({ length: count }, (_, i) => i);
const msOf = (length: number) => 1.5 + 0.6 * length;

describe('BackgroundPieces (unit)', () => {
  it('writes every item once, in order, and answers each piece', async () => {
    const db = fakeDatabase(0.1, 0.01);
    const answers = await new BackgroundPieces(db.turns, UPDATE_PIECES).run(items(100), db.writePiece);
    assert.deepEqual(db.pieces.flat(), items(100));
    assert.deepEqual(answers, db.pieces.map((piece) => piece.length));
  });

  it('grows to the largest piece on a database where statements are cheap (MongoDB)', async () => {
    const db = fakeDatabase(0.3, 0.01);
    await new BackgroundPieces(db.turns, UPDATE_PIECES).run(items(100), db.writePiece);
    assert.deepEqual(db.pieces.map((piece) => piece.length).slice(0, 7), [1, 2, 4, 8, 16, 16, 16]);
  });

  it('keeps pieces within the 4 ms budget at light load on FerretDB, and grows them under load', async () => {
    const db = fakeDatabase(1.5, 0.6);
    const pieces = new BackgroundPieces(db.turns, UPDATE_PIECES);
    // Light load: a send's write is one message's insert, 2.5 ms.
    await db.send(2.5);
    await pieces.run(items(40), db.writePiece);
    const light = db.pieces.splice(0).map((piece) => piece.length);
    assert.deepEqual(light.slice(0, 6), [1, 2, 3, 4, 4, 4], 'climbs to four statements, not stuck at one');
    assert.ok(light.every((length) => msOf(length) <= 4), `pieces of ${light}`);

    // Under load every send waits behind a round of many messages (20 ms): a piece of 16 takes 11 ms.
    for (let i = 0; i < 50; i += 1) await db.send(20);
    await pieces.run(items(400), db.writePiece);
    const loaded = db.pieces.splice(0).map((piece) => piece.length);
    assert.equal(Math.max(...loaded), UPDATE_PIECES.max, `pieces of ${loaded}`);
    assert.ok(loaded.length < 30, `400 statements in ${loaded.length} pieces`);
  });

  it('shrinks after pieces that ran over, to what fits, and not below its least', async () => {
    const db = fakeDatabase(0.3, 0.01);
    const pieces = new BackgroundPieces(db.turns, { min: 10, max: 100 });
    await pieces.run(items(1000), db.writePiece);
    assert.deepEqual(db.pieces.map((piece) => piece.length).slice(0, 6), [10, 20, 40, 80, 100, 100]);
    db.pieces.splice(0);

    db.cost(1, 0.05); // the database slows down (another process writes): a piece of 100 takes 6 ms
    await pieces.run(items(1000), db.writePiece);
    const slower = db.pieces.splice(0).map((piece) => piece.length);
    assert.equal(slower[0], 100);
    assert.ok(slower.slice(3, -1).every((length) => length >= 55 && length <= 65), `pieces of ${slower}`);

    db.cost(5, 0.5); // every piece of ten or more runs over
    await pieces.run(items(100), db.writePiece);
    const least = db.pieces.map((piece) => piece.length).slice(1, -1);
    assert.ok(least.length >= 3 && least.every((length) => length === 10), `pieces of ${least}`);
  });

  it('takes the largest pieces once the sends have ended (closing)', async () => {
    const db = fakeDatabase(1.5, 0.6);
    db.turns.endSends();
    await new BackgroundPieces(db.turns, UPDATE_PIECES).run(items(100), db.writePiece);
    assert.deepEqual(db.pieces.map((piece) => piece.length).slice(0, 6), [1, 2, 4, 8, 16, 16]);
  });
});
