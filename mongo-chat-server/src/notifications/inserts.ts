/** Inserting documents whose `_id`s may already exist: the unique `_id` is the guard, a duplicate is not an error. */
import type { Model } from 'mongoose';
import type { BackgroundPieces, PieceSizes } from '../db/background-pieces';
import { inChunks } from '../db/chunks';
import { isDuplicateKey } from '../errors';

interface WriteErrorLike { index?: unknown; code?: unknown; err?: { index?: unknown; code?: unknown } }

const listOf = (value: unknown): WriteErrorLike[] => {
  if (Array.isArray(value)) return value as WriteErrorLike[];
  return value ? [value as WriteErrorLike] : [];
};

/**
 * Documents per insert command, at most. A background write (a pass's notification items: one per member per
 * message, thousands after a busy few seconds) goes in pieces, one after another, so the sends' own inserts wait
 * for one piece at most: FerretDB's SQLite storage holds its one write lock for a whole command (measured: one
 * insert of ~2,700 items held the sends' inserts for about 600 ms).
 */
export const DOCS_PER_INSERT = 100;

/** Pieces of a background insert: below ten documents, the command's own cost is most of a piece's. */
export const INSERT_PIECES: PieceSizes = { min: 10, max: DOCS_PER_INSERT };

/**
 * Inserts every document it can (unordered) and answers the indexes of those
 * refused because their `_id` was taken. Any other failure is thrown. With
 * `pieces` (a background write), the documents go in its pieces, each in its turn.
 */
export async function insertNew<T>(model: Model<T>, docs: T[], pieces?: BackgroundPieces): Promise<Set<number>> {
  const taken = new Set<number>();
  const insert = async (piece: T[], start: number) => {
    (await insertPiece(model, piece)).forEach((i) => taken.add(start + i));
  };
  await (pieces ? pieces.run(docs, insert) : inChunks(docs, insert, DOCS_PER_INSERT));
  return taken;
}

async function insertPiece<T>(model: Model<T>, docs: T[]): Promise<Set<number>> {
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
    return new Set();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const errors = listOf((err as { writeErrors?: unknown }).writeErrors);
    const taken = new Set<number>();
    errors.forEach((e) => {
      const code = e.code ?? e.err?.code;
      const index = e.index ?? e.err?.index;
      if (code !== 11000) throw err;
      if (typeof index === 'number') taken.add(index);
    });
    // A lone duplicate may come without writeErrors: then nothing is known to be new.
    if (taken.size === 0) return new Set(docs.map((_, i) => i));
    return taken;
  }
}
