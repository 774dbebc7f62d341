/**
 * A message as sockets (and the public history routes) deliver it: the one
 * message record (`storedMessageSchema`) under the original protocol's field names. The
 * mapping, field by field: `room` is the record's `group`, `up` its `from`;
 * `id`, `seq`, `message`, `clientId` and `timestamp` are the record's own.
 */
import { z } from 'zod';
import { storedMessageSchema } from '../records';
import type { StoredMessage } from '../records';

const record = storedMessageSchema.shape;

export const chatMessageSchema = z.object({
  id: record.id,
  seq: record.seq,
  message: record.message,
  up: record.from.meta({ description: "The sender's user number (the record's `from`)." }),
  room: record.group.meta({ description: 'The group id (the record\'s `group`).' }),
  timestamp: record.timestamp,
  clientId: record.clientId,
}).meta({
  description: 'A stored message. Messages of one group carry `seq` 1, 2, 3, … with no gap: `seq` is the order. '
    + 'Live deliveries from two servers may cross by a few milliseconds and a catch-up can overlap a live '
    + 'delivery, so a client sorts by `seq` and drops a `seq` (or `id`) it already holds.',
});
export type ChatMessagePayload = z.infer<typeof chatMessageSchema>;

export const toChatMessage = (stored: StoredMessage): ChatMessagePayload => ({
  id: stored.id,
  seq: stored.seq,
  message: stored.message,
  up: stored.from,
  room: stored.group,
  timestamp: stored.timestamp,
  clientId: stored.clientId,
});
