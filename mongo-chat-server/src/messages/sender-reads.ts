/**
 * A sender has read their own message (docs/design.md, Unread on send): their
 * read position moves up to it. The move is written after the send is
 * acknowledged, not before, so a send waits for one database write, not two:
 * positions gather while a write is in flight and go in one bulk write, each
 * membership once with its highest seq. Reads of read positions in this
 * process wait for `settled()`, so a sender who asks for their groups right
 * after the ack sees the message as read. A failed write is reported and not
 * retried (the next send or mark moves the position again).
 */
import { inChunks } from '../db/chunks';
import type { MembershipModel } from '../db/models/membership';
import { membershipId } from '../db/models/membership';

export interface SenderRead {
  group: unknown;
  from: string;
  seq: number;
}

export class SenderReads {
  private pending = new Map<string, number>();

  private writing: Promise<void> | null = null;

  constructor(
    private readonly Membership: MembershipModel,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Moves each sender's position up to their message; returns at once. */
  add(messages: readonly SenderRead[]): void {
    messages.forEach(({ group, from, seq }) => {
      const key = membershipId(String(group), from);
      this.pending.set(key, Math.max(this.pending.get(key) ?? 0, seq));
    });
    this.writing ??= this.writeAll().finally(() => { this.writing = null; });
  }

  /** Resolves once every position added before the call is written (or its write failed). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeAll(): Promise<void> {
    // The acks of the round that added these go out first.
    await new Promise<void>((resolve) => { setImmediate(resolve); });
    while (this.pending.size > 0) {
      const batch = this.pending;
      this.pending = new Map();
      try {
        await inChunks([...batch], (chunk) => this.Membership.bulkWrite(chunk.map(([_id, seq]) => (
          { updateOne: { filter: { _id }, update: { $max: { lastReadSeq: seq } } } })), { ordered: false }));
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
