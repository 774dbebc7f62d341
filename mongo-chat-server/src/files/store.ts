/**
 * Where the bytes of attachments live (docs/attachments.md, The storage
 * interface). The data service only speaks to a FileStore; GridFS through the
 * mongoose connection's driver is the default, and an S3-compatible store
 * implements the same four calls.
 */
import type { Readable, Writable } from 'node:stream';
import { mongo } from 'mongoose';
import type { Connection } from 'mongoose';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface FileStore {
  /**
   * A sink for a new object's bytes under `id`. The object exists only once the
   * sink has finished; a sink destroyed before that leaves at most parts that
   * `remove(id)` deletes.
   */
  create(id: string, name: string): Writable;
  /** The object's bytes, or the inclusive `range` of them. Errors (on the stream) when missing. */
  read(id: string, range?: ByteRange): Readable;
  /** Deletes the object and any part of it, finished or not; nothing to delete is not an error. */
  remove(id: string): Promise<void>;
}

/** GridFS: one `<bucket>.files` document and its `<bucket>.chunks` per object. */
export function gridFsStore(db: Connection, bucketName = 'fileData'): FileStore {
  const database = db.db;
  if (!database) throw new Error('the database connection is not open');
  const bucket = new mongo.GridFSBucket(database, { bucketName, chunkSizeBytes: 255 * 1024 });
  const chunks = database.collection(`${bucketName}.chunks`);
  const files = database.collection(`${bucketName}.files`);
  const oid = (id: string) => new mongo.ObjectId(id);
  return {
    create: (id, name) => bucket.openUploadStreamWithId(oid(id), name),
    read: (id, range) => bucket.openDownloadStream(
      oid(id),
      range ? { start: range.start, end: range.end + 1 } : undefined,
    ),
    async remove(id) {
      // Not bucket.delete(): it refuses an upload cut off before its files document was written.
      await files.deleteOne({ _id: oid(id) });
      await chunks.deleteMany({ files_id: oid(id) });
    },
  };
}

/** Reads a whole object (a thumbnail, or an image being measured, bounded by the caller). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  // eslint-disable-next-line no-restricted-syntax
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
