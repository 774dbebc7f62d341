/**
 * The opaque `nextCursor` of a search (docs/search.md, Pagination): where the
 * last page ended in the result order, which is a total order (the rank, then
 * the message id), so every result comes once across pages. Base64url JSON;
 * a cursor that does not decode to this shape is a 400.
 */
import { z } from 'zod';
import { AppError, OBJECT_ID_PATTERN } from '@chat/shared';

const objectId = z.string().regex(OBJECT_ID_PATTERN);

const cursorSchema = z.discriminatedUnion('e', [
  /** Text engine: the text score and id of the last result. */
  z.strictObject({ e: z.literal('text'), score: z.number().finite(), id: objectId }),
  /** Scan engine: the newest message the first page scanned (later pages scan the same window), the matched word count and id of the last result. */
  z.strictObject({
    e: z.literal('scan'), top: objectId, rank: z.number().int().min(0), id: objectId,
  }),
]);
export type SearchCursor = z.infer<typeof cursorSchema>;

export const encodeCursor = (cursor: SearchCursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

export function decodeCursor(text: string): SearchCursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('VALIDATION_FAILED', 'cursor: not a cursor this search returned');
  }
}
