/**
 * Search over stored messages (docs/search.md). Two engines, chosen once per
 * process by what the database can do:
 *
 * - `text`: a MongoDB text index on `searchText` (default_language `none`: no
 *   stemming, no stop words; the text is already lower case without accents),
 *   ranked by text score, then newest first.
 * - `scan`: for servers without `$text` (FerretDB). The newest `scanLimit`
 *   messages of the groups form the window (later pages keep the first page's
 *   window); inside it an escaped whole-word `$regex` picks the matches, ranked
 *   by how many distinct query words they hold, then newest first. Every query
 *   is bounded by `maxTimeMS` too.
 *
 * Only the groups the caller names are searched; deleted messages (flag
 * `deleted`, or no `searchText`) are never found.
 */
import { Types } from 'mongoose';
import type { mongo } from 'mongoose';
import { AppError, searchTermsOf } from '@chat/shared';
import type { SearchHit, SearchPage } from '@chat/shared';
import type { Models } from '../db/models';
import type { MessageDoc } from '../db/models/message';
import { decodeCursor, encodeCursor } from './cursor';
import type { SearchCursor } from './cursor';
import { matchedTerms, wordsPattern } from './scan-pattern';
import { snippetOf } from './snippet';

export type SearchEngine = 'text' | 'scan';

export interface SearchOptions {
  /** The most messages one `scan` search reads (the newest of the groups). */
  scanLimit?: number;
  /** Time bound of every search query, in ms. */
  maxTimeMs?: number;
  /** Force an engine (tests, or a MongoDB where the text index is not wanted); by default it is detected. */
  engine?: SearchEngine;
  onEngine?: (engine: SearchEngine, reason: string) => void;
}

export interface SearchInput {
  q: string;
  groups: string[];
  cursor?: string;
  limit: number;
}

export const TEXT_INDEX_NAME = 'search_text';
const NOT_IMPLEMENTED = 238;
const INDEX_NOT_FOUND = 27;
const MAX_TIME_EXPIRED = 50;

/**
 * The database cannot do text search. Creating the index, FerretDB answers NotImplemented or
 * IndexNotFound; a `$text` query, "unknown top level operator: $text"; a MongoDB without the
 * index, IndexNotFound ("text index required").
 */
const noTextSearch = (err: unknown): boolean => {
  const { code, message } = err as { code?: unknown; message?: unknown };
  return code === NOT_IMPLEMENTED || code === INDEX_NOT_FOUND
    || (typeof message === 'string' && /not implemented|text index required|unknown top level operator: \$text/i.test(message));
};

type Found = Pick<MessageDoc, '_id' | 'group' | 'seq' | 'from' | 'message' | 'timestamp'>;
const FOUND_FIELDS = {
  _id: 1, group: 1, seq: 1, from: 1, message: 1, timestamp: 1,
} as const;

const hitOf = (doc: Found, terms: readonly string[]): SearchHit => ({
  id: String(doc._id),
  group: String(doc.group),
  seq: doc.seq,
  from: doc.from,
  timestamp: doc.timestamp.toISOString(),
  snippet: snippetOf(doc.message, terms),
});

const otherEngine = () => new AppError(
  'VALIDATION_FAILED',
  'cursor: it belongs to another search engine; search again without it',
);

const tooSlow = (err: unknown): never => {
  if ((err as { code?: unknown }).code === MAX_TIME_EXPIRED) {
    throw new AppError('UNAVAILABLE', 'the search took too long; try more specific words or one group');
  }
  throw err;
};

export function createSearchService(models: Models, options: SearchOptions = {}) {
  const messages = models.Message.collection as unknown as mongo.Collection<MessageDoc>;
  const scanLimit = options.scanLimit ?? 2000;
  const maxTimeMS = options.maxTimeMs ?? 5000;
  let { engine } = options;
  let detecting: Promise<SearchEngine> | undefined;

  const useEngine = (chosen: SearchEngine, reason: string) => {
    engine = chosen;
    options.onEngine?.(chosen, reason);
  };

  /** Not deleted, still searchable, in one of the groups. */
  const searchable = (groups: Types.ObjectId[]): mongo.Filter<MessageDoc> => ({
    group: { $in: groups }, deleted: { $ne: true }, searchText: { $type: 'string' },
  } as mongo.Filter<MessageDoc>);

  async function textSearch(
    terms: string[],
    groups: Types.ObjectId[],
    cursor: SearchCursor | undefined,
    limit: number,
  ): Promise<SearchPage> {
    const after: mongo.Document[] = cursor?.e === 'text' ? [{
      $match: {
        $or: [
          { searchScore: { $lt: cursor.score } },
          { searchScore: cursor.score, _id: { $lt: new Types.ObjectId(cursor.id) } },
        ],
      },
    }] : [];
    const docs = await messages.aggregate<Found & { searchScore: number }>([
      { $match: { $text: { $search: terms.join(' ') }, ...searchable(groups) } },
      { $addFields: { searchScore: { $meta: 'textScore' } } },
      ...after,
      { $sort: { searchScore: -1, _id: -1 } },
      { $limit: limit + 1 },
      { $project: { ...FOUND_FIELDS, searchScore: 1 } },
    ], { maxTimeMS }).toArray();
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((doc) => hitOf(doc, terms)),
      nextCursor: docs.length > limit && last
        ? encodeCursor({ e: 'text', score: last.searchScore, id: String(last._id) }) : null,
      engine: 'text',
      truncated: false,
    };
  }

  async function scanSearch(
    terms: string[],
    groups: Types.ObjectId[],
    cursor: SearchCursor | undefined,
    limit: number,
  ): Promise<SearchPage> {
    const top = cursor?.e === 'scan' ? { _id: { $lte: new Types.ObjectId(cursor.top) } } : {};
    // The window: the newest `scanLimit` searchable messages of the groups (ids only).
    const windowFilter = { ...searchable(groups), ...top } as mongo.Filter<MessageDoc>;
    const window = await messages.find(windowFilter, { projection: { _id: 1 } })
      .sort({ _id: -1 }).limit(scanLimit + 1).maxTimeMS(maxTimeMS)
      .toArray();
    const truncated = window.length > scanLimit;
    const newest = window[0];
    const oldest = window[Math.min(window.length, scanLimit) - 1];
    if (!newest || !oldest) {
      return {
        items: [], nextCursor: null, engine: 'scan', truncated,
      };
    }
    const found = await messages.find({
      ...searchable(groups),
      _id: { $gte: oldest._id, $lte: newest._id },
      searchText: { $regex: wordsPattern(terms) },
    } as mongo.Filter<MessageDoc>, { projection: { ...FOUND_FIELDS, searchText: 1 } }).maxTimeMS(maxTimeMS)
      .toArray();
    const ranked = found
      .map((doc) => ({ doc, rank: matchedTerms(doc.searchText ?? '', terms) }))
      .filter(({ rank }) => rank > 0)
      .sort((a, b) => b.rank - a.rank || (String(b.doc._id) > String(a.doc._id) ? 1 : -1));
    const rest = cursor?.e === 'scan'
      ? ranked.filter(({ doc, rank }) => (
        rank < cursor.rank || (rank === cursor.rank && String(doc._id) < cursor.id)))
      : ranked;
    const page = rest.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ doc }) => hitOf(doc, terms)),
      nextCursor: rest.length > limit && last
        ? encodeCursor({
          e: 'scan', top: String(newest._id), rank: last.rank, id: String(last.doc._id),
        }) : null,
      engine: 'scan',
      truncated,
    };
  }

  return {
    /** The engine in use (after `detect`). */
    engine: (): SearchEngine | undefined => engine,

    /**
     * Builds the text index where the database has text indexes; where it has
     * not (FerretDB answers NotImplemented), search scans. Runs once (a failure
     * of another kind is thrown, and the next call tries again).
     */
    detect(): Promise<SearchEngine> {
      if (engine) return Promise.resolve(engine);
      detecting ??= (async (): Promise<SearchEngine> => {
        try {
          await messages.createIndex({ searchText: 'text' }, { name: TEXT_INDEX_NAME, default_language: 'none' });
          useEngine('text', 'the database has text indexes');
          return 'text';
        } catch (err) {
          if (!noTextSearch(err)) throw err;
          useEngine('scan', `no text index: ${(err as Error).message}`);
          return 'scan';
        }
      })().finally(() => { detecting = undefined; });
      return detecting;
    },

    async search(input: SearchInput): Promise<SearchPage> {
      const terms = searchTermsOf(input.q);
      const cursor = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
      const current = engine ?? await this.detect();
      if (cursor && cursor.e !== current) {
        throw otherEngine();
      }
      const groups = [...new Set(input.groups.map((g) => g.toLowerCase()))].map((g) => new Types.ObjectId(g));
      if (groups.length === 0) {
        return {
          items: [], nextCursor: null, engine: current, truncated: false,
        };
      }
      if (current === 'scan') return scanSearch(terms, groups, cursor, input.limit).catch(tooSlow);
      try {
        return await textSearch(terms, groups, cursor, input.limit);
      } catch (err) {
        if (!noTextSearch(err)) return tooSlow(err);
        // The index is gone or the server never had $text: scan from now on.
        useEngine('scan', `text search failed: ${(err as Error).message}`);
        if (cursor) throw otherEngine();
        return scanSearch(terms, groups, undefined, input.limit).catch(tooSlow);
      }
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
