/**
 * One group's messages as the person sees them: the protocol client's timeline
 * (stored messages in `seq` order, each once, in its latest state), followed by
 * the person's own messages not yet stored, as rows for the message list.
 */
import { GroupTimeline } from '@chat/protocol-client';
import type {
  AttachmentRef, Reaction, ReplyQuote, Up,
} from '@chat/contract';

export { mergeBySeq } from '@chat/protocol-client';
export type { MergeOutcome } from '@chat/protocol-client';

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
  /** The revision of the state shown (null: pending, or stored before revisions existed). */
  rev: number | null;
  /** ISO time of the latest edit. */
  editedAt: string | null;
  /** A tombstone: shown as "message deleted", in its place. */
  deleted: boolean;
  replyTo: ReplyQuote | null;
  reactions: readonly Reaction[];
  /** The members the server found mentioned. */
  mentions: readonly Up[];
}

const keyOf = (clientId: string) => `c:${clientId}`;

export class Timeline extends GroupTimeline {
  items(): TimelineItem[] {
    const stored: TimelineItem[] = this.messages.map((m) => ({
      key: keyOf(m.clientId || m.id),
      id: m.id,
      seq: m.seq,
      clientId: m.clientId,
      up: m.up,
      message: m.deleted ? '' : m.message,
      timestamp: m.timestamp,
      status: 'sent',
      error: null,
      attachments: m.deleted ? [] : m.attachments ?? [],
      rev: m.rev ?? null,
      editedAt: m.deleted ? null : m.editedAt ?? null,
      deleted: m.deleted === true,
      replyTo: m.replyTo ?? null,
      reactions: m.deleted ? [] : m.reactions ?? [],
      mentions: m.deleted ? [] : m.mentions ?? [],
    }));
    const waiting: TimelineItem[] = this.pendingMessages().map((p) => ({
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
      rev: null,
      editedAt: null,
      deleted: false,
      replyTo: p.replyTo,
      reactions: [],
      mentions: [],
    }));
    return [...stored, ...waiting];
  }
}
