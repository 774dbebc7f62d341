/**
 * One group's messages as a client holds them: the stored ones in `seq` order,
 * each exactly once however it arrived (join ack, live event, catch-up, scroll
 * back, resume), each in its latest state (the highest `rev`: edits, deletes,
 * reactions); the last seq and the last rev held, where a catch-up and a resume
 * start; and the person's own sends not stored yet (pending, or failed).
 */
import type {
  AttachmentRef, ChatMessagePayload, ReplyQuote, SendMessageResult, Up,
} from '@chat/contract';

export interface PendingMessage {
  clientId: string;
  up: Up;
  message: string;
  timestamp: string;
  status: 'pending' | 'failed';
  error: string | null;
  attachments: AttachmentRef[];
  /** The quote of the message it answers, as the sender saw it. */
  replyTo: ReplyQuote | null;
}

const isValidSeq = (seq: unknown): seq is number => typeof seq === 'number' && Number.isInteger(seq) && seq > 0;

/** A state without a `rev` (an own ack, a server without revisions) loses to any state with one. */
const revOf = (m: ChatMessagePayload): number => m.rev ?? -1;

export interface MergeResult {
  merged: ChatMessagePayload[];
  added: ChatMessagePayload[];
  updated: ChatMessagePayload[];
  /** Incoming copies of a held message that changed nothing (same or older state): deliveries dropped. */
  repeated: number;
}

/**
 * `held` (ascending, unique seqs) plus whatever in `incoming` is new, by seq and by id,
 * and each held message in its latest state: a copy of it (same id and seq) with a
 * higher `rev` replaces it; an older or equal `rev` changes nothing, whatever the order
 * of arrival. Returns the merged list, the messages added and the messages replaced.
 */
export function mergeBySeq(held: readonly ChatMessagePayload[], incoming: readonly ChatMessagePayload[]): MergeResult {
  const bySeq = new Map(held.map((m) => [m.seq, m]));
  const ids = new Set(held.map((m) => m.id));
  const addedSeqs = new Set<number>();
  const replacedSeqs = new Set<number>();
  let repeated = 0;
  incoming.forEach((m) => {
    if (!isValidSeq(m.seq)) return;
    const same = bySeq.get(m.seq);
    if (same) {
      if (same.id === m.id && revOf(m) > revOf(same)) {
        bySeq.set(m.seq, m);
        if (!addedSeqs.has(m.seq)) replacedSeqs.add(m.seq);
      } else {
        repeated += 1;
      }
      return;
    }
    if (ids.has(m.id)) {
      repeated += 1;
      return;
    }
    bySeq.set(m.seq, m);
    ids.add(m.id);
    addedSeqs.add(m.seq);
  });
  const pick = (seqs: Set<number>) => [...seqs].map((seq) => bySeq.get(seq) as ChatMessagePayload);
  const added = pick(addedSeqs);
  const updated = pick(replacedSeqs);
  if (added.length === 0 && updated.length === 0) {
    return {
      merged: [...held], added, updated, repeated,
    };
  }
  return {
    merged: [...bySeq.values()].sort((a, b) => a.seq - b.seq), added, updated, repeated,
  };
}

export interface MergeOutcome { added: ChatMessagePayload[]; updated: ChatMessagePayload[] }

/** What a timeline dropped or found doubled, for a test or a benchmark to report. */
export interface TimelineCounters {
  /** Deliveries of a message already held in that state (live and catch-up overlapping, a resend). */
  redelivered: number;
  /** Messages held under two seqs with one clientId: the server stored one send twice. */
  storedTwice: number;
}

export class GroupTimeline {
  /** True once the newest page has been loaded (or the history from its start). */
  loaded = false;

  /** Older messages exist before the first one held. */
  hasOlder = false;

  readonly counters: TimelineCounters = { redelivered: 0, storedTwice: 0 };

  private confirmed: ChatMessagePayload[] = [];

  /** The highest `rev` seen for this group. */
  private revSeen = 0;

  /** The rev held when the connection dropped: where the next resume starts (see `pause`). */
  private pausedAt: number | null = null;

  private readonly pending = new Map<string, PendingMessage>();

  /** clientId → seq of every message added: one send stored twice shows as one clientId under two seqs. */
  private readonly seqOfClientId = new Map<string, number>();

  constructor(readonly room: string) {}

  get messages(): readonly ChatMessagePayload[] { return this.confirmed; }

  get firstSeq(): number | null { return this.confirmed[0]?.seq ?? null; }

  get lastSeq(): number { return this.confirmed[this.confirmed.length - 1]?.seq ?? 0; }

  /** The last seq up to which nothing is missing (from the first held): where a catch-up starts. */
  contiguousLastSeq(): number {
    let last = this.confirmed[0]?.seq ?? 0;
    for (let i = 1; i < this.confirmed.length; i += 1) {
      const { seq } = (this.confirmed[i] as ChatMessagePayload);
      if (seq !== last + 1) break;
      last = seq;
    }
    return last;
  }

  hasGap(): boolean { return this.contiguousLastSeq() < this.lastSeq; }

  /** The last revision of the group this timeline has seen (0: none). */
  get rev(): number { return this.revSeen; }

  /**
   * The connection dropped: the next resume starts from the rev held now. Changes that arrive live
   * on the new connection before the resume answers must not move that start past the ones missed.
   */
  pause(): void { this.pausedAt ??= this.revSeen; }

  /** What `resume` asks after. */
  get resumeRev(): number { return this.pausedAt ?? this.revSeen; }

  /**
   * A resume answered: nothing is missing up to `rev` (0 when the catch-up went another way).
   * While it has more to answer, the next page starts there, whatever arrived live meanwhile.
   */
  resumed(rev: number, hasMore = false): void {
    this.revSeen = Math.max(this.revSeen, rev);
    this.pausedAt = hasMore ? rev : null;
  }

  /** The history is held from here on (`hasOlder`: messages exist before the first one held). */
  markLoaded(hasOlder = this.hasOlder): void {
    this.hasOlder = hasOlder && this.firstSeq !== 1;
    this.loaded = true;
  }

  /** The held message with this id, in its latest state. */
  find(id: string): ChatMessagePayload | undefined { return this.confirmed.find((m) => m.id === id); }

  /**
   * Adds what is new and takes each held message's latest state (other rooms' messages are
   * ignored); returns the messages added.
   */
  merge(messages: readonly ChatMessagePayload[]): ChatMessagePayload[] {
    return this.mergeAll(messages).added;
  }

  /**
   * Changes (a live `message updated`, a resume's answer): a held message takes the new state,
   * a newer message goes in at its seq. One older than the oldest held is left for scrolling
   * back to fetch (it comes then in its latest state): inserting it would hide the gap before it.
   */
  applyChanges(messages: readonly ChatMessagePayload[]): MergeOutcome {
    const first = this.firstSeq;
    const held = new Set(this.confirmed.map((m) => m.id));
    return this.mergeAll(messages.filter((m) => held.has(m.id) || first === null || m.seq > first));
  }

  private mergeAll(messages: readonly ChatMessagePayload[]): MergeOutcome {
    const ours = messages.filter((m) => m.room === this.room);
    ours.forEach((m) => { if (m.rev !== undefined && m.rev > this.revSeen) this.revSeen = m.rev; });
    const {
      merged, added, updated, repeated,
    } = mergeBySeq(this.confirmed, ours);
    this.confirmed = merged;
    this.counters.redelivered += repeated;
    added.forEach((m) => {
      const known = this.seqOfClientId.get(m.clientId);
      if (known === undefined) this.seqOfClientId.set(m.clientId, m.seq);
      else if (known !== m.seq) this.counters.storedTwice += 1;
    });
    // One's own message can come back as a live event before its ack: it is stored, no longer pending.
    ours.forEach((m) => {
      const mine = this.pending.get(m.clientId);
      if (mine && mine.up === m.up) this.pending.delete(m.clientId);
    });
    if (this.confirmed[0]?.seq === 1) this.hasOlder = false;
    return { added, updated };
  }

  /** Replaces what is held by the newest page (a catch-up too long to replay); pending sends stay. */
  resetTo(messages: readonly ChatMessagePayload[], hasOlder: boolean): void {
    this.confirmed = [];
    // Changes to the messages dropped here are fetched with them when scrolling back.
    this.revSeen = 0;
    this.pausedAt = null;
    this.merge(messages);
    this.markLoaded(hasOlder);
  }

  addPending(message: {
    clientId: string; up: Up; message: string; timestamp: string; replyTo?: ReplyQuote | null;
    attachments?: AttachmentRef[];
  }): void {
    this.pending.set(message.clientId, {
      ...message, replyTo: message.replyTo ?? null, attachments: message.attachments ?? [], status: 'pending', error: null,
    });
  }

  markPending(clientId: string): void {
    const held = this.pending.get(clientId);
    if (held) this.pending.set(clientId, { ...held, status: 'pending', error: null });
  }

  markFailed(clientId: string, error: string): void {
    const held = this.pending.get(clientId);
    if (held) this.pending.set(clientId, { ...held, status: 'failed', error });
  }

  /**
   * The server stored it: it becomes a normal message at its seq (once, even if the live event came
   * first, or a retry was answered twice). The ack carries no `rev`: the live event's state (with its
   * rev, mentions) replaces this one.
   */
  acknowledge(clientId: string, result: SendMessageResult): void {
    const held = this.pending.get(clientId);
    if (!held) return;
    const stored: ChatMessagePayload = {
      id: result.id,
      seq: result.seq,
      message: held.message,
      up: held.up,
      room: this.room,
      timestamp: result.timestamp,
      clientId,
    };
    if (held.replyTo) stored.replyTo = held.replyTo;
    this.merge([stored]);
    this.pending.delete(clientId);
  }

  pendingMessage(clientId: string): Readonly<PendingMessage> | undefined { return this.pending.get(clientId); }

  /** Every send not stored yet, oldest first. */
  pendingMessages(): readonly PendingMessage[] { return [...this.pending.values()]; }

  /** Sends waiting for a connection, oldest first. */
  queued(): string[] {
    return [...this.pending.values()].filter((p) => p.status === 'pending').map((p) => p.clientId);
  }
}
