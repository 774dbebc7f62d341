/**
 * Search over chat history (docs/search.md): the chat server's public route,
 * which searches only the groups the caller is a member of when asking, and the
 * data service's internal route, which searches exactly the groups it is given.
 */
import { z } from 'zod';
import { LIMITS } from '../limits';
import { EXACT, storedMessageSchema } from '../records';
import { searchTermsOf } from '../search-text';
import { textField } from '../text';
import { groupIdField, objectIdField, wholeNumberQuery } from '../fields';
import { defineRoute } from './route';

export const DEFAULT_SEARCH_PAGE = 20;

/** A search query: 1 to 200 code points holding 1 to 10 distinct words (letters or digits). */
export const searchQueryField = textField(1, LIMITS.searchQuery)
  .refine((q) => searchTermsOf(q).length > 0, { message: 'must contain at least one word (letters or digits)', abort: true })
  .refine((q) => searchTermsOf(q).length <= LIMITS.searchTerms, {
    message: `must contain at most ${LIMITS.searchTerms} distinct words`,
  })
  .meta({
    description: `What to find: 1 to ${LIMITS.searchQuery} characters (code points) holding 1 to ${LIMITS.searchTerms} distinct words. `
      + 'Words are compared without case or accents ("Olá" finds "ola"); everything but letters and digits separates words and is otherwise ignored.',
    example: 'olá mundo',
  });

/** Where to continue: the `nextCursor` of the previous page, as it was given. */
export const searchCursorField = z.string().regex(/^[A-Za-z0-9_-]{1,512}$/, 'must be a cursor this route returned')
  .meta({ description: 'The `nextCursor` of the previous page, unchanged (opaque).' });

export const searchEngineSchema = z.enum(['text', 'scan']).meta({
  description: '`text`: the database\'s text index answered (MongoDB), ranked by its text score. '
    + '`scan`: the database has no text search (FerretDB): the newest messages of the groups were scanned, '
    + 'at most a fixed number of them, and ranked by how many of the words they hold, then newest first.',
});

export const snippetSchema = z.object({
  /** A window of the message as it reads now, around its first match. */
  text: z.string(),
  /** The matched words in `text`, as `[start, end)` offsets in code points, in order, not overlapping. */
  marks: z.array(z.object({ start: z.number().int().min(0), end: z.number().int().min(1) }).meta(EXACT)),
  /** The message goes on before / after the window. */
  clippedStart: z.boolean(),
  clippedEnd: z.boolean(),
}).meta({
  id: 'SearchSnippet',
  ...EXACT,
  description: 'Plain text with the matches given as code point ranges: render the text as text and wrap each range (e.g. in <mark>); never as HTML.',
});
export type SearchSnippet = z.infer<typeof snippetSchema>;

/** One found message, as the data service describes it. */
export const searchHitSchema = z.object({
  id: storedMessageSchema.shape.id,
  group: storedMessageSchema.shape.group,
  seq: storedMessageSchema.shape.seq,
  from: storedMessageSchema.shape.from,
  timestamp: storedMessageSchema.shape.timestamp,
  snippet: snippetSchema,
}).meta({ id: 'SearchHit', ...EXACT });
export type SearchHit = z.infer<typeof searchHitSchema>;

/** One found message, under the public API's field names (`room` is the group, `up` the author). */
export const chatSearchHitSchema = z.object({
  id: storedMessageSchema.shape.id,
  room: storedMessageSchema.shape.group,
  seq: storedMessageSchema.shape.seq,
  up: storedMessageSchema.shape.from,
  timestamp: storedMessageSchema.shape.timestamp,
  snippet: snippetSchema,
}).meta({ id: 'ChatSearchHit', ...EXACT });
export type ChatSearchHit = z.infer<typeof chatSearchHitSchema>;

export const toChatSearchHit = (hit: SearchHit): ChatSearchHit => ({
  id: hit.id, room: hit.group, seq: hit.seq, up: hit.from, timestamp: hit.timestamp, snippet: hit.snippet,
});

const pageFields = {
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  engine: searchEngineSchema,
  /** `scan` only: the groups hold more messages than one search scans, so older ones were not searched. */
  truncated: z.boolean(),
};

export const searchPageSchema = z.object({ items: z.array(searchHitSchema), ...pageFields }).meta(EXACT);
export type SearchPage = z.infer<typeof searchPageSchema>;
export const chatSearchPageSchema = z.object({ items: z.array(chatSearchHitSchema), ...pageFields }).meta(EXACT);
export type ChatSearchPage = z.infer<typeof chatSearchPageSchema>;

export const searchLimitQuery = wholeNumberQuery(1, LIMITS.searchPage);

export const searchRequestSchema = z.strictObject({
  q: searchQueryField,
  /** The groups to search; the caller has checked that the user is a member of each. */
  groups: z.array(objectIdField).max(LIMITS.groupRoomsPerSocket),
  cursor: searchCursorField.optional(),
  limit: z.number().int().min(1).max(LIMITS.searchPage)
    .default(DEFAULT_SEARCH_PAGE),
});
export type SearchRequest = z.input<typeof searchRequestSchema>;

const RANKING = 'Ranked best first: by the text score with the `text` engine; with the `scan` engine by the number of distinct query words a message holds, then newest first. '
  + 'Whole words match, without case or accents. Deleted messages are never found; an edited message is found as it reads now.';

export const dataSearchRoutes = {
  searchMessages: defineRoute({
    method: 'post',
    path: '/message/search',
    summary: 'Search the messages of the given groups',
    description: `${RANKING} Only the groups named are searched (at most ${LIMITS.groupRoomsPerSocket}); the chat server names the caller's groups at the time of the query.`,
    auth: 'internal',
    body: searchRequestSchema,
    responses: { 200: { description: 'One page of results.', schema: searchPageSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
} as const;

export const chatSearchQuerySchema = z.strictObject({
  q: searchQueryField,
  group: groupIdField.optional(),
  cursor: searchCursorField.optional(),
  limit: searchLimitQuery.default(DEFAULT_SEARCH_PAGE).meta({ default: DEFAULT_SEARCH_PAGE }),
});

export const chatSearchRoutes = {
  search: defineRoute({
    method: 'get',
    path: '/chat/search',
    summary: "Search the history of the caller's groups",
    description: `${RANKING} Searches the groups the caller is a member of at the time of the query (the first ${LIMITS.groupRoomsPerSocket} by id), or only \`group\` (403 when the caller is not a member of it). `
      + 'One search at a time per person on each chat server: another one sent before the first is answered gets 429. '
      + 'To show a result in its place, read the history around its `seq` (`GET /chat/{group}/message?before=…` and `after=…`).',
    auth: 'bearer',
    query: chatSearchQuerySchema,
    responses: { 200: { description: 'One page of results.', schema: chatSearchPageSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'UNAVAILABLE'],
  }),
} as const;
