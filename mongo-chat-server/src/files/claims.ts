/**
 * Which send carries a file (docs/attachments.md, One message per file). A
 * send claims each of its files before its message is stored, by inserting
 * the file's id as the `_id` of a claim: the `_id` index refuses a second
 * claim from any request or process, so of concurrent sends naming one file
 * exactly one gets it. A conditional update of the file record would not do:
 * FerretDB v1 reads and then writes, so two updates may both match.
 *
 * A claim names the send's clientId, so a retry of that send (same clientId)
 * finds its own claim and goes on.
 */
import mongoose, { Schema, Types } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import { AppError } from '@chat/contract';
import { isDuplicateKey } from '../errors';

export interface FileClaimDoc {
  /** The claimed file's id. */
  _id: Types.ObjectId;
  clientId: string;
}

const fileClaimSchema = new Schema<FileClaimDoc>({
  clientId: { type: String, required: true },
}, { versionKey: false, strict: 'throw' });

export type FileClaimModel = Model<FileClaimDoc>;
export const createFileClaimModel = (db: Connection): FileClaimModel => (
  db.model<FileClaimDoc>('FileClaim', fileClaimSchema, 'fileClaims'));

const idsFilter = (ids: string[]) => mongoose.trusted({ $in: ids.map((i) => new Types.ObjectId(i)) });

export function fileClaims(Claim: FileClaimModel) {
  /** Claims `id` for `clientId`: fresh (by this call), ours (by an earlier try of the send) or taken (by another send). */
  const claimOne = async (id: string, clientId: string): Promise<'fresh' | 'ours' | 'taken'> => {
    try {
      await Claim.collection.insertOne({ _id: new Types.ObjectId(id), clientId });
      return 'fresh';
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const holder = await Claim.findById(id, { clientId: 1 }).lean();
    return holder?.clientId === clientId ? 'ours' : 'taken';
  };

  const release = async (ids: string[], clientId: string): Promise<void> => {
    if (ids.length > 0) await Claim.deleteMany({ _id: idsFilter(ids), clientId });
  };

  return {
    /**
     * Claims every one of `ids` for the send `clientId` and answers the ids
     * claimed by this call (not by an earlier try). When any is claimed by
     * another send, or a claim fails, the ones claimed here are released and
     * the send is refused: 409 CONFLICT naming the files.
     */
    async claim(ids: string[], clientId: string): Promise<string[]> {
      const outcomes = await Promise.allSettled(ids.map((id) => claimOne(id, clientId)));
      const fresh = ids.filter((_, i) => {
        const o = outcomes[i]!;
        return o.status === 'fulfilled' && o.value === 'fresh';
      });
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      const taken = ids.filter((_, i) => {
        const o = outcomes[i]!;
        return o.status === 'fulfilled' && o.value === 'taken';
      });
      if (failed || taken.length > 0) {
        await release(fresh, clientId);
        if (failed) throw failed.reason;
        const which = taken.length === 1 ? `file ${taken[0]} is` : `files ${taken.join(', ')} are`;
        throw new AppError('CONFLICT', `${which} already attached to another message`);
      }
      return fresh;
    },

    /** Releases the claims of `clientId` on `ids` (a send that was not stored, or stored without them). */
    release,

    /** Drops the claims of files that are gone. */
    async forget(ids: Types.ObjectId[]): Promise<void> {
      if (ids.length > 0) await Claim.deleteMany({ _id: mongoose.trusted({ $in: ids }) });
    },

    createIndexes: () => Claim.createIndexes(),
  };
}

export type FileClaims = ReturnType<typeof fileClaims>;
