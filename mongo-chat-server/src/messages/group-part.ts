/** The parts of a seq writer round: the sends, and one group's share of them. */
import type { Types } from 'mongoose';
import type { AttachmentRef } from '@chat/contract';
import type { MessageDoc, ReplyQuoteDoc } from '../db/models/message';

export interface Draft {
  from: string;
  message: string;
  /** Idempotency key; one is generated when the sender gave none. */
  clientId?: string;
  /** The quote of the message this one answers. */
  replyTo?: ReplyQuoteDoc;
  /** The members it mentions. */
  mentions?: string[];
  /** The files it carries (references; absent when none). */
  attachments?: AttachmentRef[];
}

/** A draft as the writer holds it: its clientId settled, and the optional parts only when present. */
export type HeldDraft = Omit<Draft, 'clientId'> & { clientId: string };

export interface WriteResult {
  message: MessageDoc;
  /** False when this was a retry and `message` is the copy stored first. */
  created: boolean;
}

export interface Pending {
  group: string;
  draft: HeldDraft;
  /** The group revision claimed for it (before its first insert attempt). */
  rev?: number;
  /** Settles once the send may be stored (its sender's membership checked); a refusal fails it. */
  ready?: Promise<void>;
  resolve: (result: WriteResult) => void;
  reject: (err: unknown) => void;
}

/** One group's part of a round: sends still to store, and the same-clientId sends waiting on them. */
export class GroupPart {
  todo: Pending[] = [];

  /** Later sends with the same clientId as one in `todo`: retries of it. */
  readonly followers = new Map<string, Pending[]>();

  last = 0;

  constructor(readonly id: Types.ObjectId) {}

  add(p: Pending): void {
    const same = this.followers.get(p.draft.clientId);
    if (same) same.push(p);
    else { this.followers.set(p.draft.clientId, []); this.todo.push(p); }
  }

  moveTo(last: number): void {
    this.last = last;
  }

  /**
   * Another writer stored in the group meanwhile: the revisions claimed for the sends left stay unused (gaps),
   * and they get new ones, claimed after everything that writer may have published.
   */
  reclaimRevs(): void {
    this.todo.forEach((p) => Object.assign(p, { rev: undefined }));
  }

  settled(done: Set<Pending>): void {
    this.todo = this.todo.filter((p) => !done.has(p));
  }

  /**
   * Takes `p` out of the part, refused. The first send that waited on its clientId takes its place and its
   * revision (a refusal of one sender says nothing of another's); the others wait on that one.
   */
  refuse(p: Pending): void {
    const at = this.todo.indexOf(p);
    const [next, ...rest] = this.followers.get(p.draft.clientId) ?? [];
    if (at < 0) return;
    if (next) {
      this.todo[at] = Object.assign(next, { rev: p.rev });
      this.followers.set(p.draft.clientId, rest);
    } else {
      this.todo.splice(at, 1);
      this.followers.delete(p.draft.clientId);
    }
  }
}
