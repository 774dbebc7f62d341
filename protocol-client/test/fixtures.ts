/** Messages as a chat server delivers them, for the timeline tests of the package and of the browser client. */
import type { ChatMessagePayload } from '@chat/contract';

export const ROOM = 'g1';

/** Message `seq` of ROOM (no `rev`, as the original protocol sends it, unless `extra` gives one). */
export const messageAt = (seq: number, extra: Partial<ChatMessagePayload> = {}): ChatMessagePayload => ({
  id: `id-${seq}`,
  seq,
  message: `message ${seq}`,
  up: '1001',
  room: ROOM,
  timestamp: new Date(1700000000000 + seq * 1000).toISOString(),
  clientId: `client-${seq}`,
  ...extra,
});
