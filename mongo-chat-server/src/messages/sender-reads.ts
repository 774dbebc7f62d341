/**
 * A sender has read their own message (docs/design.md, Unread on send): their
 * read position moves up to it.
 *
 * The guarantee, enforced here: in the process that stored a message, every
 * read of its sender's read position (a user's groups, the join check,
 * marking read) sees the position at that message or beyond from the moment
 * the send is acknowledged, because readers take the highest of the stored
 * position and `positionOf`. Other replicas see it once it is saved, within
 * `intervalMs` (30 s; the group's last seq, a hint saved in the background as
 * well, within 10 s).
 *
 * Why not a write per send: on FerretDB's SQLite storage an update costs
 * about as much database CPU as storing the message, and with one per send the
 * database could not keep up past a few hundred messages a second. Positions
 * are saved coalesced and paced instead (MaxSaver): each membership once per
 * pass with its highest seq, in bulk `$max` writes, off the writer's path. A
 * pass that fails keeps its positions and is retried.
 */
import { BackgroundPieces, UPDATE_PIECES } from '../db/background-pieces';
import { MaxSaver } from '../db/max-saver';
import { membershipId } from '../db/models/membership';
import type { Models } from '../db/models';
import { WriteTurns } from '../db/write-turns';

export interface SenderRead {
  group: unknown;
  from: string;
  seq: number;
}

export interface SenderReadsOptions {
  /** Told when a save fails (it is retried). */
  onError: (err: unknown) => void;
  /** A pass at most this often. */
  intervalMs?: number;
  /** Each piece of a pass waits for its turn among this process's writes. */
  turns?: WriteTurns;
}

export class SenderReads {
  private readonly saver: MaxSaver<string, 'lastReadSeq'>;

  constructor(models: Pick<Models, 'Membership'>, options: SenderReadsOptions) {
    const pieces = new BackgroundPieces(options.turns ?? new WriteTurns(), UPDATE_PIECES);
    this.saver = new MaxSaver({
      save: (marks) => pieces.run(marks, (piece) => models.Membership.bulkWrite(piece.map(({ id, values }) => ({
        updateOne: { filter: { _id: id }, update: { $max: values } },
      })), { ordered: false })),
      onError: options.onError,
      // Each busy sender's membership is one update per pass: at 1,000 msg/s from 2,000 senders, passes every 10 s
      // kept the database's one writer on read positions for 3.5 s of every 8 (rate sweep, FerretDB).
      intervalMs: options.intervalMs ?? 30000,
    });
  }

  /** Moves each sender's position up to their message; returns at once. */
  add(messages: readonly SenderRead[]): void {
    messages.forEach(({ group, from, seq }) => {
      this.saver.mark(membershipId(String(group), from), { lastReadSeq: seq });
    });
  }

  /** The read position of a membership, `stored` as read from the database, with this process's unsaved moves. */
  positionOf(membership: string, stored: number): number {
    return Math.max(stored, this.saver.unsaved(membership, 'lastReadSeq') ?? 0);
  }

  /** Saves what is left. */
  close(): Promise<void> {
    return this.saver.close();
  }
}
