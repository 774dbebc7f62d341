/**
 * The send path, end to end, in one place: a `chat message` request (already
 * validated against the contract by the registrar) is checked, stored, made
 * part of the recent buffer, acknowledged and delivered.
 *
 * Guarantees, enforced here and nowhere else on a chat server:
 * - **ack = stored.** The sender hears `{id, seq, timestamp}` only once the data
 *   service has stored the message (the batcher resolves after the store call);
 *   a refusal or an outage is an error ack, and nothing is delivered.
 * - **Acknowledged, then delivered.** The room hears the message after the
 *   sender's ack is queued. A retried send (same `clientId`) is acknowledged
 *   with the first stored message and delivered again; receivers drop a `seq`
 *   they already hold.
 * - **The buffer never runs ahead of storage.** A batch is appended to the recent
 *   buffer after it is stored and before any of its senders hear back, so a
 *   catch-up that follows an ack finds the message.
 * - **Your own message is read.** The data service moves the sender's read
 *   position up to it in the same round that stores it; the sender's sockets
 *   hear `read` after the ack.
 * - **Only members send.** Membership is enforced by the data service when it
 *   stores (403 → FORBIDDEN), so the hot path makes one call.
 */
import { randomUUID } from 'node:crypto';
import { AppError, toChatMessage } from '@chat/contract';
import type { RequestOf, SendMessageResult, Up } from '@chat/contract';
import type { DataClient } from '../data/client';
import type { RecentBuffer } from '../history/recent-buffer';
import type { ChatMetrics } from '../metrics';
import type { Limiter } from '../rate-limits';
import { userRoom } from '../sockets/types';
import type { ChatIo } from '../sockets/types';
import { createSendBatcher } from './send-batcher';

export interface MessagePathOptions {
  io: ChatIo;
  data: Pick<DataClient, 'storeMessages'>;
  buffer: RecentBuffer;
  metrics: ChatMetrics;
  /** Message rate per user, across all their sockets and servers (RATE_LIMITED, the socket stays open). */
  limiter: Limiter;
  isClosing: () => boolean;
  /** Opt-in wait before an idle send goes out (0: at once). */
  batchWindowMs: number;
  maxBatch: number;
  /** Send batches at the data service at once. */
  maxInFlight: number;
}

export function createMessagePath(options: MessagePathOptions) {
  const { io, metrics } = options;
  const batcher = createSendBatcher({
    store: (messages) => options.data.storeMessages(messages),
    intervalMs: options.batchWindowMs,
    maxBatch: options.maxBatch,
    maxInFlight: options.maxInFlight,
    afterStore: (outcomes) => options.buffer.append(outcomes.map((o) => toChatMessage(o.message))),
  });

  return {
    /** Stores `request` from `sender` (the socket's own user, checked by the caller) and answers its ack. */
    send: async (sender: Up, request: RequestOf<'chat message'>): Promise<SendMessageResult> => {
      const started = process.hrtime.bigint();
      metrics.messagesIn.inc();
      await options.limiter.consume(sender);
      if (options.isClosing()) {
        throw new AppError('UNAVAILABLE', 'this server is shutting down; resend after reconnecting');
      }
      const { message } = await batcher.send({
        group: request.room,
        from: sender,
        message: request.message,
        clientId: request.clientId ?? randomUUID(),
        ...(request.attachments?.length ? { attachments: request.attachments } : {}),
        ...(request.replyTo !== undefined ? { replyTo: request.replyTo } : {}),
      });
      metrics.ackLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      setImmediate(() => {
        io.to(message.group).emit('chat message', toChatMessage(message));
        // The data service moved the sender's read position up to their message as it stored it.
        io.to(userRoom(message.from)).emit('read', { room: message.group, up: message.from, seq: message.seq });
        metrics.messagesOut.inc();
        message.mentions?.forEach((up) => io.to(userRoom(up)).emit('mentioned', {
          room: message.group, id: message.id, seq: message.seq, up: message.from,
        }));
      });
      return { id: message.id, seq: message.seq, timestamp: message.timestamp };
    },
    /** Stores everything queued and waits for it (shutdown). */
    drain: () => batcher.drain(),
  };
}

export type MessagePath = ReturnType<typeof createMessagePath>;
