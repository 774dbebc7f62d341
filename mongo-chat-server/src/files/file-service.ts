/**
 * Attachments in the data service (docs/attachments.md): storing an upload as
 * it streams in (pending until complete, so a cut-off upload is never visible),
 * the per-file and per-user daily limits, serving the bytes back, resolving a
 * message's attachment ids into references, and deleting the files of deleted
 * messages. The bytes live in a FileStore (GridFS by default).
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import mongoose, { Types } from 'mongoose';
import type { FilterQuery } from 'mongoose';
import { AppError, toAttachmentRef } from '@chat/contract';
import type { AttachmentRef, FileRecord } from '@chat/contract';
import type { GroupService } from '../groups/group-service';
import type { FileClaims } from './claims';
import type { FileDoc, FileModel } from './model';
import { imageFacts, SNIFF_BYTES, sniffType } from './sniff';
import { readAll } from './store';
import type { ByteRange, FileStore } from './store';

export interface UploadInput {
  group: string;
  uploader: string;
  name: string;
  /** Largest file accepted (ATTACHMENT_MAX_BYTES). */
  maxBytes: number;
  /** The uploader's total for one UTC day (ATTACHMENT_DAILY_BYTES). */
  dailyBytes: number;
}

export interface FileServiceOptions {
  /** A pending upload older than this is removed by sweep(). */
  pendingMaxAgeMs: number;
  /** Images larger than this get no dimensions or thumbnail (the decoder holds them whole). */
  imageMaxBytes?: number;
}

const COUNTED = ['committing', 'ready'];
const utcDay = (at: Date) => at.toISOString().slice(0, 10);

export const fileView = (doc: FileDoc): FileRecord => ({
  id: String(doc._id),
  group: String(doc.group),
  uploader: doc.uploader,
  name: doc.name,
  size: doc.size,
  type: doc.type,
  width: doc.width,
  height: doc.height,
  hasThumbnail: doc.thumbnail !== null,
  createdAt: doc.createdAt.toISOString(),
});

/** Counts the bytes going through, keeps the first ones for sniffing, and refuses past `limit`. */
class Meter {
  bytes = 0;

  private readonly head: Buffer[] = [];

  private headBytes = 0;

  constructor(private readonly limit: number, private readonly over: () => AppError) {}

  count(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) throw this.over();
    if (this.headBytes < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headBytes);
      this.head.push(part);
      this.headBytes += part.length;
    }
  }

  firstBytes(): Buffer {
    return Buffer.concat(this.head);
  }
}

/**
 * Copies `body` into `sink` through `meter`, with backpressure. On any failure
 * the sink is still ended and waited for, so every write in flight has landed
 * before the caller removes what was written (a destroyed sink could still
 * store a chunk after the removal).
 */
async function copy(body: Readable, meter: Meter, sink: Writable): Promise<void> {
  try {
    // eslint-disable-next-line no-restricted-syntax
    for await (const chunk of body) {
      meter.count(chunk as Buffer);
      if (!sink.write(chunk)) await once(sink, 'drain');
    }
  } catch (err) {
    sink.end();
    await finished(sink).catch(() => undefined);
    throw err;
  }
  sink.end();
  await finished(sink);
}

export function createFileService(
  File: FileModel,
  claims: FileClaims,
  store: FileStore,
  groups: GroupService,
  options: FileServiceOptions,
) {
  const imageMaxBytes = options.imageMaxBytes ?? 40 * 1024 * 1024;

  const usedToday = async (uploader: string, day: string): Promise<number> => {
    const docs = await File.find({ uploader, day, state: mongoose.trusted({ $in: COUNTED }) }, { size: 1 }).lean();
    return docs.reduce((sum, doc) => sum + doc.size, 0);
  };

  /** Removes a file's record, its bytes and its thumbnail, whatever state it is in. */
  const discard = async (id: Types.ObjectId, thumbnail: Types.ObjectId | null): Promise<void> => {
    await store.remove(String(id));
    if (thumbnail) await store.remove(String(thumbnail));
    await File.deleteOne({ _id: id });
    await claims.forget([id]);
  };

  /** Discards every file matching `filter` (bytes, thumbnail, record); answers how many. */
  const discardWhere = async (filter: FilterQuery<FileDoc>): Promise<number> => {
    const docs = await File.find(filter, { thumbnail: 1 }).lean();
    await Promise.all(docs.map((doc) => discard(doc._id, doc.thumbnail)));
    return docs.length;
  };

  const readyDoc = async (id: string): Promise<FileDoc> => {
    const doc = await File.findById(id).lean();
    if (!doc || doc.state !== 'ready') throw new AppError('NOT_FOUND', 'no such file');
    return doc;
  };

  const tooLarge = (message: string) => new AppError('PAYLOAD_TOO_LARGE', message);

  return {
    /**
     * Streams `body` into the store. The record is pending meanwhile, and only
     * a complete upload within both limits becomes ready; any failure (a limit,
     * a body cut off, the store) removes everything written.
     */
    async store(body: Readable, input: UploadInput): Promise<FileRecord> {
      await groups.requireSender(input.group, input.uploader);
      const now = new Date();
      const day = utcDay(now);
      const used = await usedToday(input.uploader, day);
      const left = input.dailyBytes - used;
      if (left <= 0) throw tooLarge(`the daily upload total of ${input.dailyBytes} bytes is used up`);
      const limit = Math.min(input.maxBytes, left);
      const over = () => (limit === input.maxBytes
        ? tooLarge(`a file may be at most ${input.maxBytes} bytes`)
        : tooLarge(`this file would pass the daily upload total of ${input.dailyBytes} bytes`));

      const id = new Types.ObjectId();
      const thumbnailId = new Types.ObjectId();
      await File.create({
        _id: id,
        group: new Types.ObjectId(input.group),
        uploader: input.uploader,
        name: input.name,
        size: 0,
        type: 'application/octet-stream',
        width: null,
        height: null,
        thumbnail: thumbnailId,
        state: 'pending',
        day,
        createdAt: now,
      });
      try {
        const meter = new Meter(limit, over);
        try {
          await copy(body, meter, store.create(String(id), input.name));
        } catch (err) {
          if (err instanceof AppError) throw err;
          throw new AppError('VALIDATION_FAILED', 'the upload was cut off before its end');
        }
        const type = await sniffType(meter.firstBytes());
        const facts = meter.bytes <= imageMaxBytes
          ? await imageFacts(type, await readAll(store.read(String(id)))) : undefined;
        if (facts) {
          await pipeline(async function* one() { yield facts.thumbnail; }, store.create(String(thumbnailId), 'thumbnail.webp'));
        }
        await File.updateOne({ _id: id }, {
          $set: {
            state: 'committing',
            size: meter.bytes,
            type,
            width: facts?.width ?? null,
            height: facts?.height ?? null,
            thumbnail: facts ? thumbnailId : null,
          },
        });
        // Concurrent uploads of one user each count the others' committing files, so together they never pass the
        // daily total (at worst both give up); no atomic counter is needed (FerretDB's updates are not atomic).
        if (await usedToday(input.uploader, day) > input.dailyBytes) throw over();
        await File.updateOne({ _id: id }, { $set: { state: 'ready' } });
        return fileView(await readyDoc(String(id)));
      } catch (err) {
        await discard(id, thumbnailId);
        throw err;
      }
    },

    get: async (id: string): Promise<FileRecord> => fileView(await readyDoc(id)),

    /** The file's bytes, whole or the inclusive `range` (clamped to the file). */
    async content(id: string, range?: Partial<ByteRange>): Promise<{ file: FileRecord; stream: Readable }> {
      const file = fileView(await readyDoc(id));
      if (!range || (range.start === undefined && range.end === undefined) || file.size === 0) {
        return { file, stream: store.read(id) };
      }
      const start = range.start ?? 0;
      const end = Math.min(range.end ?? file.size - 1, file.size - 1);
      if (start > end) throw new AppError('VALIDATION_FAILED', 'the range lies outside the file');
      return { file, stream: store.read(id, { start, end }) };
    },

    async thumbnail(id: string): Promise<Readable> {
      const doc = await readyDoc(id);
      if (!doc.thumbnail) throw new AppError('NOT_FOUND', 'this file has no thumbnail');
      return store.read(String(doc.thumbnail));
    },

    /**
     * The references a message from `from` in `group` carries for `ids`: each
     * must be a complete file uploaded by the sender to that group, and not
     * carried by another message (a retry of the same send, same clientId, may).
     */
    async resolve(group: string, from: string, clientId: string, ids: string[]): Promise<AttachmentRef[]> {
      const unique = [...new Set(ids)];
      const docs = await File.find({ _id: mongoose.trusted({ $in: unique.map((i) => new Types.ObjectId(i)) }) }).lean();
      const byId = new Map(docs.map((doc) => [String(doc._id), doc]));
      return unique.map((id) => {
        const doc = byId.get(id);
        if (!doc || doc.state !== 'ready') throw new AppError('NOT_FOUND', `no such file: ${id}`);
        if (String(doc.group) !== group || doc.uploader !== from) {
          throw new AppError('FORBIDDEN', `file ${id} was not uploaded by the sender to this group`);
        }
        if (doc.clientId !== null && doc.clientId !== clientId) {
          throw new AppError('CONFLICT', `file ${id} is already attached to another message`);
        }
        return toAttachmentRef(fileView(doc));
      });
    },

    /**
     * Claims the files for the send `clientId` before its message is stored (docs/attachments.md, One message
     * per file); answers the ids this call claimed. Refuses with CONFLICT when another send has one of them.
     */
    claim: (ids: string[], clientId: string): Promise<string[]> => claims.claim([...new Set(ids)], clientId),

    /** Gives back claims of `clientId` whose send was not stored, or stored without those files. */
    release: (ids: string[], clientId: string): Promise<void> => claims.release(ids, clientId),

    /** Records that `message` (sent with `clientId`) carries these files: deleting it deletes them. */
    async attach(ids: string[], message: string, clientId: string): Promise<void> {
      await File.updateMany(
        { _id: mongoose.trusted({ $in: ids.map((i) => new Types.ObjectId(i)) }) },
        { $set: { message: new Types.ObjectId(message), clientId } },
      );
    },

    /** Deletes every file carried by these messages (bytes, thumbnails, records); answers how many. */
    async deleteFilesOf(messageIds: string[]): Promise<number> {
      if (messageIds.length === 0) return 0;
      return discardWhere({ message: mongoose.trusted({ $in: messageIds.map((i) => new Types.ObjectId(i)) }) });
    },

    /** Deletes every file of a deleted group, sent or not; answers how many. */
    async deleteFilesOfGroup(group: string): Promise<number> {
      return discardWhere({ group: new Types.ObjectId(group) });
    },

    /**
     * Removes uploads that stayed pending longer than the bound: their process
     * stopped midway (a live upload that slow is cut off too). Answers how many.
     */
    async sweep(now = new Date()): Promise<number> {
      const before = new Date(now.getTime() - options.pendingMaxAgeMs);
      const docs = await File.find({
        state: mongoose.trusted({ $ne: 'ready' }), createdAt: mongoose.trusted({ $lt: before }),
      }, { thumbnail: 1 }).lean();
      await Promise.all(docs.map((doc) => discard(doc._id, doc.thumbnail)));
      return docs.length;
    },
  };
}

export type FileService = ReturnType<typeof createFileService>;
