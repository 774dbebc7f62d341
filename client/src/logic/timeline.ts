/**
 * One group's messages as the person sees them: the stored ones in `seq` order,
 * each exactly once however it arrived (join ack, live event, catch-up, scroll
 * back), followed by the person's own messages not yet stored.
 */
import type {
  AttachmentRef, ChatMessagePayload, SendMessageResult, Up,
} from '@chat/contract';

export type MessageStatus = 'pending' | 'sent' | 'failed';

export interface TimelineItem {
  /** Stable for the life of a message, including its pending → sent step. */
  key: string;
  id: string | null;
  seq: number | null;
  clientId: string;
  up: Up;
  message: string;
  timestamp: string;
  status: MessageStatus;
  error: string | null;
  /** Files the message carries (none: empty). */
  attachments: readonly AttachmentRef[];
}

interface PendingMessage {
  clientId: string;
  up: Up;
  message: string;
  timestamp: string;
  status: 'pending' | 'failed';
  error: string | null;
  attachments: AttachmentRef[];
}

const isValidSeq = (seq: unknown): seq is number => typeof seq === 'number' && Number.isInteger(seq) && seq > 0;

/**
 * `held` (ascending, unique seqs) plus whatever in `incoming` is new, by seq and by id.
 * Returns the merged list and the messages that were added.
 */
export function mergeBySeq(
  held: readonly ChatMessagePayload[],
  incoming: readonly ChatMessagePayload[],
): { merged: ChatMessagePayload[]; added: ChatMessagePayload[] } {
  const seqs = new Set(held.map((m) => m.seq));
  const ids = new Set(held.map((m) => m.id));
  const added: ChatMessagePayload[] = [];
  incoming.forEach((m) => {
    if (!isValidSeq(m.seq) || seqs.has(m.seq) || ids.has(m.id)) return;
    seqs.add(m.seq);
    ids.add(m.id);
    added.push(m);
  });
  if (added.length === 0) return { merged: [...held], added };
  return { merged: [...held, ...added].sort((a, b) => a.seq - b.seq), added };
}

const keyOf = (clientId: string) => `c:${clientId}`;

export class Timeline {
  /** True once the newest page has been loaded (a join ack without `since`). */
  loaded = false;

  /** Older messages exist before the first one held. */
  hasOlder = false;

  private confirmed: ChatMessagePayload[] = [];

  private readonly pending = new Map<string, PendingMessage>();

  constructor(readonly room: string) {}

  get messages(): readonly ChatMessagePayload[] { return this.confirmed; }

  get firstSeq(): number | null { return this.confirmed[0]?.seq ?? null; }

  get lastSeq(): number { return this.confirmed[this.confirmed.length - 1]?.seq ?? 0; }

  /** The last seq up to which nothing is missing: where a catch-up starts. */
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

  /** Adds what is new (other rooms' messages are ignored); returns the messages added. */
  merge(messages: readonly ChatMessagePayload[]): ChatMessagePayload[] {
    const { merged, added } = mergeBySeq(this.confirmed, messages.filter((m) => m.room === this.room));
    this.confirmed = merged;
    // One's own message can come back as a live event before its ack: it is stored, no longer pending.
    messages.forEach((m) => {
      const mine = this.pending.get(m.clientId);
      if (mine && mine.up === m.up && m.room === this.room) this.pending.delete(m.clientId);
    });
    if (this.confirmed[0]?.seq === 1) this.hasOlder = false;
    return added;
  }

  /** Replaces what is held by the newest page (a catch-up too long to replay); pending sends stay. */
  resetTo(messages: readonly ChatMessagePayload[], hasOlder: boolean): void {
    this.confirmed = [];
    this.merge(messages);
    this.hasOlder = hasOlder && this.firstSeq !== 1;
    this.loaded = true;
  }

  addPending(message: {
    clientId: string; up: Up; message: string; timestamp: string; attachments?: AttachmentRef[];
  }): void {
    this.pending.set(message.clientId, {
      ...message, attachments: message.attachments ?? [], status: 'pending', error: null,
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

  /** The server stored it: it becomes a normal message at its seq (once, even if the live event came first). */
  acknowledge(clientId: string, result: SendMessageResult): void {
    const held = this.pending.get(clientId);
    if (!held) return;
    this.merge([{
      id: result.id,
      seq: result.seq,
      message: held.message,
      up: held.up,
      room: this.room,
      timestamp: result.timestamp,
      clientId,
    }]);
    this.pending.delete(clientId);
  }

  pendingMessage(clientId: string): Readonly<PendingMessage> | undefined { return this.pending.get(clientId); }

  /** Sends waiting for a connection, oldest first. */
  queued(): string[] {
    return [...this.pending.values()].filter((p) => p.status === 'pending').map((p) => p.clientId);
  }

  items(): TimelineItem[] {
    const stored: TimelineItem[] = this.confirmed.map((m) => ({
      key: keyOf(m.clientId || m.id),
      id: m.id,
      seq: m.seq,
      clientId: m.clientId,
      up: m.up,
      message: m.message,
      timestamp: m.timestamp,
      status: 'sent',
      error: null,
      attachments: m.attachments ?? [],
    }));
    const waiting: TimelineItem[] = [...this.pending.values()].map((p) => ({
      key: keyOf(p.clientId),
      id: null,
      seq: null,
      clientId: p.clientId,
      up: p.up,
      message: p.message,
      timestamp: p.timestamp,
      status: p.status,
      error: p.error,
      attachments: p.attachments,
    }));
    return [...stored, ...waiting];
  }
}
