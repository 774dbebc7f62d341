/** Inserting documents whose `_id`s may already exist: the unique `_id` is the guard, a duplicate is not an error. */
import type { Model } from 'mongoose';
import { isDuplicateKey } from '../errors';

interface WriteErrorLike { index?: unknown; code?: unknown; err?: { index?: unknown; code?: unknown } }

const listOf = (value: unknown): WriteErrorLike[] => {
  if (Array.isArray(value)) return value as WriteErrorLike[];
  return value ? [value as WriteErrorLike] : [];
};

/**
 * Inserts every document it can (unordered) and answers the indexes of those
 * refused because their `_id` was taken. Any other failure is thrown.
 */
export async function insertNew<T>(model: Model<T>, docs: T[]): Promise<Set<number>> {
  if (docs.length === 0) return new Set();
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
