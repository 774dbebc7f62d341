/**
 * Socket.IO's typed event maps, derived from the schema maps: `Server<…>` on
 * the chat servers and `Socket<…>` in clients check every emit and listener.
 */
import type { z } from 'zod';
import type { AckCallback } from './ack';
import type {
  ClientEventName, RequestInputOf, ResultOf, clientEvents,
} from './client-events';
import type {
  InterServerEventName, ServerEventName, ServerPayloadOf, interServerEvents,
} from './server-events';

type AckFor<E extends ClientEventName> = AckCallback<ResultOf<E>>;

export type ClientToServerEvents = {
  [E in ClientEventName]: (typeof clientEvents)[E] extends { ackOptional: true }
    ? (payload: RequestInputOf<E>, ack?: AckFor<E>) => void
    : (payload: RequestInputOf<E>, ack: AckFor<E>) => void;
};

export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: ServerPayloadOf<E>) => void;
};

export type InterServerEvents = {
  [E in InterServerEventName]: (payload: z.output<(typeof interServerEvents)[E]['payload']>) => void;
};
