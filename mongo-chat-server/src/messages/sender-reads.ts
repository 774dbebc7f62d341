/**
 * A sender has read their own message (docs/design.md, Unread on send): their
 * read position moves up to it. The move is written after the send is
 * acknowledged, not before, so a send waits for one database write, not two:
 * positions gather while a write is in flight and go in one bulk write, each
 * membership once with its highest seq. Reads of read positions in this
 * process wait for `settled()`, so a sender who asks for their groups right
 * after the ack sees the message as read; they wait for the positions added
 * before they asked, never for a stream of later sends. A failed write is
 * reported and not retried (the next send or mark moves the position again).
 */
import { membershipId } from '../db/models/membership';

export interface SenderRead {
  group: unknown;
  from: string;
  seq: number;
}

export interface SenderReadsOptions {
  /** Writes `$max` of each membership's read position (by membership id), in as few commands as it may. */
  write: (positions: Array<[string, number]>) => Promise<unknown>;
  /** Told when a write fails (not retried). */
  onError: (err: unknown) => void;
}

export class SenderReads {
  private pending = new Map<string, number>();

  private writing: Promise<void> | null = null;

  /** Calls of `add` so far, and how many of them finished writes cover. */
  private added = 0;

  private written = 0;

  private waiters: Array<{ upTo: number; resolve: () => void }> = [];

  constructor(private readonly options: SenderReadsOptions) {}

  /** Moves each sender's position up to their message; returns at once. */
  add(messages: readonly SenderRead[]): void {
    if (messages.length === 0) return;
    messages.forEach(({ group, from, seq }) => {
      const key = membershipId(String(group), from);
      this.pending.set(key, Math.max(this.pending.get(key) ?? 0, seq));
    });
    this.added += 1;
    this.writing ??= this.writeAll().finally(() => { this.writing = null; });
  }

  /** Resolves once every position added before the call is written (or its write failed). */
  settled(): Promise<void> {
    if (this.written >= this.added) return Promise.resolve();
    return new Promise<void>((resolve) => { this.waiters.push({ upTo: this.added, resolve }); });
  }

  private async writeAll(): Promise<void> {
    // The acks of the round that added these go out first.
    await new Promise<void>((resolve) => { setImmediate(resolve); });
    while (this.pending.size > 0) {
      const batch = this.pending;
      const upTo = this.added;
      this.pending = new Map();
      try {
        await this.options.write([...batch]);
      } catch (err) {
        this.options.onError(err);
      }
      this.written = upTo;
      const ready = this.waiters.filter((w) => w.upTo <= upTo);
      this.waiters = this.waiters.filter((w) => w.upTo > upTo);
      ready.forEach((w) => w.resolve());
    }
  }
}
