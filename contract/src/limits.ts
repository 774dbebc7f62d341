/** Limits every part enforces, each counted one way everywhere. */
export const LIMITS = {
  /** Message text, in characters. */
  messageLength: 4000,
  /** Largest page of any list. */
  pageSize: 100,
  /** Members of one group. */
  groupMembers: 5000,
  /** Users in one presence update between services (each of online and offline). */
  presenceBatch: 1000,
  /** Groups whose rooms a socket joins when it connects (the first ones by id). */
  groupRoomsPerSocket: 2000,
  groupName: 100,
  username: 32,
  name: 100,
  passwordMin: 8,
  passwordMax: 128,
  up: 32,
  clientId: 64,
} as const;
