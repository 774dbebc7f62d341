/**
 * Limits every part enforces, each counted one way everywhere: text lengths in
 * Unicode code points (an emoji is one), never UTF-16 units or bytes.
 */
export const LIMITS = {
  /** Message text, in code points. */
  messageLength: 4000,
  /** Largest page of any list. */
  pageSize: 100,
  /** A search query, in code points; its distinct words; results per page. */
  searchQuery: 200,
  searchTerms: 10,
  searchPage: 50,
  /** Members of one group. */
  groupMembers: 5000,
  /** Users in one presence update between services (each of online and offline). */
  presenceBatch: 1000,
  /** Groups whose rooms a socket joins when it connects (the first ones by id). */
  groupRoomsPerSocket: 2000,
  /** Group name, in code points (after trimming). */
  groupName: 100,
  /** Username, in code points (letters, digits, '_', '.', '-'). */
  username: 32,
  /** A person's display name, in code points (after trimming). */
  name: 100,
  /** Password, in code points. */
  passwordMin: 8,
  passwordMax: 128,
  /** User number, in code points (letters, digits, '_', '-'). */
  up: 32,
  /** A sender's idempotency key, in code points. */
  clientId: 64,
} as const;
