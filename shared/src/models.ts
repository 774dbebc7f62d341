/** The records every part exchanges, as they travel in JSON. */

/** A user number: the seed's UP number, digits in practice (DESIGN.md decision 1). */
export type Up = string;

export interface User {
  up: Up;
  username: string;
  name: string;
  online: boolean;
  /** ISO time the user was last connected, or null if never. */
  lastSeen: string | null;
  createdAt: string;
}

export interface Group {
  id: string;
  name: string;
  /** The members' user numbers. */
  users: Up[];
  createdBy: Up | null;
  /** The `seq` of the group's newest message (0 when empty). */
  lastSeq: number;
  createdAt: string;
  updatedAt: string;
}

/** A group as one of its members sees it: where they stopped reading. */
export interface GroupForUser extends Group {
  /** The newest `seq` this member has read (0: none). */
  lastReadSeq: number;
  /** Messages after `lastReadSeq`. */
  unread: number;
}

/** One member of one group (`GET /group/:id/members/:up`). */
export interface GroupMembership {
  group: string;
  up: Up;
  lastReadSeq: number;
}

export interface StoredMessage {
  id: string;
  group: string;
  /** Position in the group: 1, 2, 3, … with no gap (DESIGN.md decision 3). */
  seq: number;
  from: Up;
  message: string;
  /** The sender's idempotency key: a retried send returns the first stored message. */
  clientId: string;
  /** ISO time the message was stored. */
  timestamp: string;
}

export interface ReadPosition {
  group: string;
  up: Up;
  lastReadSeq: number;
}

/** The seed's offset pagination: page 0 is the newest `perPage` messages. */
export interface OffsetPage<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
}

/** Cursor pagination on `seq`; items are in ascending `seq` order. */
export interface CursorPage<T> {
  items: T[];
  hasMore: boolean;
}
