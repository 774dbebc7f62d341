/**
 * The timeline of a group beyond new messages: edits, deletes (tombstones),
 * replies, reactions and mentions, and the revision `rev` that orders every
 * change of a group (docs/design.md, One change stream per group). Declared
 * once here; the message records in records.ts carry these fields.
 */
import { z } from 'zod';
import { text } from './text';

export const TIMELINE_LIMITS = {
  /** Distinct emoji on one message. */
  reactionEmoji: 20,
  /** Reactors listed per emoji (the count is always complete). */
  reactorsListed: 10,
  /** An emoji (or short reaction name), in code points. */
  emojiLength: 16,
  /** Characters of the original text quoted in a reply. */
  excerptLength: 80,
  /** Members a message may mention (the rest are ignored). */
  mentionsPerMessage: 50,
  /** Groups in one `resume` request (a client with more sends several). */
  resumeGroups: 100,
  /** Changes answered per group in one `resume`; beyond it `hasMore`. */
  resumeChanges: 200,
} as const;

const isoTime = z.string().min(1);
const up = z.string();

/** A per-group revision: every change to the group's timeline takes the next one. */
export const revSchema = z.number().int().min(0).meta({
  description: "A group's revision: every change to its timeline (a new message, an edit, a delete, a reaction, "
    + 'a reply quote changing) takes the next one, so `rev` orders all changes of a group. 0: none yet.',
});

/** An emoji as a request names it: 1 to 16 code points, no whitespace. */
export const emojiField = text(TIMELINE_LIMITS.emojiLength).min(1, 'must not be empty')
  .refine((value) => !/\s/u.test(value), 'must not contain whitespace')
  .meta({ description: `An emoji (or a short reaction name): 1 to ${TIMELINE_LIMITS.emojiLength} characters, no whitespace.` });

export const reactionSchema = z.object({
  emoji: z.string(),
  /** Every reactor, counted. */
  count: z.number().int().min(1),
  /** The first reactors (in the order they reacted), at most `TIMELINE_LIMITS.reactorsListed`. */
  ups: z.array(up),
}).meta({ id: 'Reaction', additionalProperties: false });
export type Reaction = z.infer<typeof reactionSchema>;

/**
 * The caller's own reactions on some messages (docs/design.md, Own reactions): what
 * a message's summary cannot tell past the reactors it lists.
 */
export const ownReactionsSchema = z.object({
  /** One item per asked message the caller reacted to; messages without their reaction are left out. */
  items: z.array(z.object({
    id: z.string(),
    /** The emoji the caller reacted with, in the order they reacted. */
    emoji: z.array(z.string()).min(1),
  }).meta({ additionalProperties: false })),
}).meta({ id: 'OwnReactions', additionalProperties: false });
export type OwnReactionsPage = z.infer<typeof ownReactionsSchema>;

export const replyQuoteSchema = z.object({
  /** The quoted message. */
  id: z.string(),
  seq: z.number().int().min(1),
  /** Its author. */
  up,
  /** The first characters of its text when the reply was sent; absent once it is deleted. */
  excerpt: z.string().optional(),
  /** The quoted message was deleted: its text and the excerpt are gone. */
  deleted: z.literal(true).optional(),
}).meta({ id: 'ReplyQuote', additionalProperties: false });
export type ReplyQuote = z.infer<typeof replyQuoteSchema>;

/**
 * The fields a message record carries beyond the original protocol's, shared
 * by the stored record and the socket payload. All optional: a message that
 * was never edited, replied to or reacted to leaves them out.
 */
export const timelineFields = {
  /** The group revision of this message's latest change (absent on messages stored before revisions existed). */
  rev: revSchema.optional(),
  /** ISO time of the latest edit: the message shows "edited". */
  editedAt: isoTime.optional(),
  /** A tombstone: the message was deleted, its `seq` stays, its text is empty. */
  deleted: z.literal(true).optional(),
  deletedAt: isoTime.optional(),
  /** The message this one answers (same group), with a short quote. */
  replyTo: replyQuoteSchema.optional(),
  /** At most `TIMELINE_LIMITS.reactionEmoji` emoji, each with its full count. */
  reactions: z.array(reactionSchema).optional(),
  /** The members this message mentions (`@<up>` or `@username`; non-members are ignored). */
  mentions: z.array(up).optional(),
};

/** What a group missed since a revision: the current state of each changed message, in `rev` order. */
export const changesPageSchema = <T extends z.ZodType>(item: T) => z.object({
  items: z.array(item).meta({
    description: 'The current state of every message whose `rev` is newer than the one asked, in `rev` order, '
      + 'each message once (an edited-three-times message comes once, in its latest state).',
  }),
  rev: revSchema.meta({
    description: 'Where to resume next time: the last item\'s `rev`, or the one asked when nothing changed.',
  }),
  hasMore: z.boolean().meta({ description: 'Capped: ask again after the last item\'s `rev`.' }),
}).meta({ additionalProperties: false });
export interface ChangesPage<T> {
  items: T[];
  rev: number;
  hasMore: boolean;
}
