/**
 * Messages: storing (through the seq writer), reading one, listing, and a
 * group's history paged two ways (docs/design.md, Pagination).
 */
import { randomUUID } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { AppError } from '@chat/shared';
import type {
  BatchResult, CursorPage, ErrorDetail, NewMessage, OffsetPage, OffsetQuery, StoredMessage,
} from '@chat/shared';
import type { Models } from '../db/models';
import { membershipId } from '../db/models/membership';
import { fromDatabaseError } from '../errors';
import type { FileService } from '../files/file-service';
import type { GroupService } from '../groups/group-service';
import { messageView } from '../views';
import type { Draft, SeqWriter, WriteResult } from './seq-writer';
import type { TimelineService } from './timeline-service';

export interface Stored {
  message: StoredMessage;
  created: boolean;
}

export interface CursorQuery {
  before?: number;
  after?: number;
  limit: number;
}

const errorDetail = (err: unknown): ErrorDetail => {
  const known = fromDatabaseError(err);
  return known ? known.toBody().error : { code: 'INTERNAL', message: 'internal error' };
};

export function createMessageService(
  models: Models,
  writer: SeqWriter,
  groups: GroupService,
  timeline: TimelineService,
  files?: Pick<FileService, 'resolve' | 'claim' | 'release' | 'attach'>,
) {
  const { Message } = models;

  /**
   * The draft of a send: a reply's quote and the members mentioned are read
   * only for a message that replies or holds an '@', so a plain send costs
   * nothing more than before.
   */
  const draftOf = async (input: NewMessage): Promise<Draft> => {
    const draft: Draft = { from: input.from, message: input.message, clientId: input.clientId };
    const [replyTo, mentions] = await Promise.all([
      input.replyTo !== undefined ? timeline.replyQuote(input.group, input.replyTo) : undefined,
      input.message.includes('@') ? timeline.resolveMentions(input.group, input.message, input.from) : [],
    ]);
    if (replyTo) draft.replyTo = replyTo;
    if (mentions.length > 0) draft.mentions = mentions;
    return draft;
  };

  /**
   * Stores the draft of a send carrying files (docs/attachments.md, One message per file): the files are
   * checked, then claimed for this send, then the message is stored, then the files learn their message (so
   * deleting it deletes them). A send that loses a file to another is refused before anything is stored;
   * claims this send made are given back when its message was not stored, or was stored (an earlier try)
   * without those files.
   */
  const writeWithFiles = async (input: NewMessage, plain: Draft, ids: string[]): Promise<WriteResult> => {
    if (!files) throw new AppError('VALIDATION_FAILED', 'this service takes no attachments');
    const clientId = input.clientId ?? randomUUID();
    const attachments = await files.resolve(input.group, input.from, clientId, ids);
    const draft: Draft = { ...plain, clientId, attachments };
    const claimed = await files.claim(ids, clientId);
    let stored: WriteResult;
    try {
      stored = await writer.submit(input.group, draft);
    } catch (err) {
      // Released only when surely not stored; a claim that stays is safe (a retry of this send still has it).
      await Message.exists({ group: new Types.ObjectId(input.group), from: input.from, clientId })
        .then((kept) => (kept ? undefined : files.release(claimed, clientId)))
        .catch(() => undefined);
      throw err;
    }
    const { message } = stored;
    const carried = message.clientId === clientId ? (message.attachments ?? []).map((a) => a.id) : [];
    await files.release(claimed.filter((id) => !carried.includes(id)), clientId);
    if (carried.length > 0) await files.attach(carried, String(message._id), clientId);
    return stored;
  };

  /**
   * Stores a send once `allowed` (its sender's membership check) resolves. A plain send (no reply, no '@', no
   * files) goes to the writer at once, and the check runs beside the writer's revision claim; a send that needs
   * reads first (a quote, mentions, files) makes them only for a sender the check let through.
   */
  const writeOnce = async (input: NewMessage, allowed: Promise<void>): Promise<WriteResult> => {
    if (input.replyTo === undefined && !input.message.includes('@') && !input.attachments?.length) {
      const { from, message, clientId } = input;
      return writer.submit(input.group, { from, message, clientId }, allowed);
    }
    await allowed;
    const draft = await draftOf(input);
    return input.attachments?.length
      ? writeWithFiles(input, draft, input.attachments) : writer.submit(input.group, draft);
  };

  const write = async (input: NewMessage, allowed: Promise<void>): Promise<Stored> => {
    const { message, created } = await writeOnce(input, allowed);
    if (created && message.mentions) await timeline.addMentions(message.group, message.seq, message.mentions);
    return { message: messageView(message), created };
  };

  const historyFilter = (group: string, seq?: Record<string, number>) => (
    seq ? { group: new Types.ObjectId(group), seq: mongoose.trusted(seq) } : { group: new Types.ObjectId(group) });

  return {
    store(input: NewMessage): Promise<Stored> {
      return write(input, groups.requireSender(input.group, input.from));
    },

    /** Stores a chat server's batch; each item succeeds or fails on its own, answers in input order. */
    async storeMany(inputs: Array<NewMessage | AppError>): Promise<BatchResult[]> {
      const checks = new Map<string, Promise<void>>();
      const checked = (input: NewMessage) => {
        const key = membershipId(input.group, input.from);
        let check = checks.get(key);
        if (!check) { check = groups.requireSender(input.group, input.from); checks.set(key, check); }
        return check;
      };
      // The plain sends reach the writer in input order, in this turn: the batch's seqs follow its order.
      return Promise.all(inputs.map(async (input): Promise<BatchResult> => {
        if (input instanceof AppError) return { ok: false, error: input.toBody().error };
        try {
          const { message, created } = await write(input, checked(input));
          return { ok: true, status: created ? 201 : 200, message };
        } catch (err) {
          return { ok: false, error: errorDetail(err) };
        }
      }));
    },

    async get(id: string): Promise<StoredMessage> {
      const doc = await Message.findById(id).lean();
      if (!doc) throw new AppError('NOT_FOUND', 'no such message');
      return messageView(doc);
    },

    /** Every group's messages, newest first. ObjectIds start with their creation second, so `_id` order is time order. */
    async list({ page, perPage }: OffsetQuery): Promise<OffsetPage<StoredMessage>> {
      const [docs, total] = await Promise.all([
        Message.find({}).sort({ _id: -1 }).skip(page * perPage).limit(perPage)
          .lean(),
        Message.countDocuments({}),
      ]);
      return {
        items: docs.map(messageView), page, perPage, total,
      };
    },

    /**
     * The seed's page/perPage over one group; page 0 is the newest. Seqs run
     * 1..lastSeq without a gap, so page N is exactly the seq range
     * (lastSeq - (N+1)·perPage, lastSeq - N·perPage]: an indexed range query
     * whose cost does not grow with N (no skip through the collection).
     */
    async offsetPage(group: string, { page, perPage }: OffsetQuery): Promise<OffsetPage<StoredMessage>> {
      const total = groups.lastSeqOf(await groups.load(group));
      const high = total - page * perPage;
      const low = Math.max(0, high - perPage);
      const docs = high > 0
        ? await Message.find(historyFilter(group, { $gt: low, $lte: high })).sort({ seq: 1 }).lean()
        : [];
      return {
        items: docs.map(messageView), page, perPage, total,
      };
    },

    /** Cursor pages on seq; one extra row tells whether more exist in that direction. */
    async cursorPage(group: string, { before, after, limit }: CursorQuery): Promise<CursorPage<StoredMessage>> {
      await groups.load(group);
      const forward = after !== undefined;
      let range: Record<string, number> | undefined;
      if (forward) range = { $gt: after };
      else if (before !== undefined) range = { $lt: before };
      const docs = await Message.find(historyFilter(group, range)).sort({ seq: forward ? 1 : -1 })
        .limit(limit + 1)
        .lean();
      const hasMore = docs.length > limit;
      const page = docs.slice(0, limit);
      if (!forward) page.reverse();
      return { items: page.map(messageView), hasMore };
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
