/**
 * The one way a chat server answers client events, typed by the contract.
 * Handlers are declared once per server, in a table with one entry per event
 * the contract declares (`EventHandlers`: a missing handler, or one whose ack
 * is not that event's result, does not compile). A socket gets ONE listener,
 * the same function for every socket (`attach`): it parses the payload with
 * the event's request schema, runs the handler with the socket, and acks
 * `{ok: true, …}` with what it returns or `{ok: false, error}` with what it
 * throws. An idle socket holds no closure of its own for its events.
 *
 * Whatever the client sends (no payload, a function, binary, junk, no ack
 * callback, an event nobody declared), nothing throws out of here and the
 * socket stays open; with no callback the answer is silence.
 */
import { clientEvents, isClientEventName } from '@chat/contract';
import type {
  Ack, ClientEventName, RequestOf, ResultOf,
} from '@chat/contract';
import { AppError, validate } from '@chat/shared';
import type { ChatContext } from '../context';
import type { ChatSocket } from './types';

export type EventHandler<E extends ClientEventName> = (
  payload: RequestOf<E>,
  socket: ChatSocket,
) => Promise<ResultOf<E>>;

/** A handler for every client event of the contract. */
export type EventHandlers = { [E in ClientEventName]: EventHandler<E> };

const EVENT_NAME_SHOWN = 64;
const toAppError = (err: unknown): AppError => (err instanceof AppError ? err : new AppError('INTERNAL', 'internal error'));

export interface Registrar {
  /** Makes `socket` answer every client event (and VALIDATION_FAILED to any the contract does not declare). */
  attach: (socket: ChatSocket) => void;
}

export function createRegistrar(ctx: ChatContext, handlers: EventHandlers): Registrar {
  /** Runs one event: rate limit, then `answer`, then exactly one ack if the client passed a callback. */
  const respond = (
    socket: ChatSocket,
    event: string,
    args: unknown[],
    answer: (payload: unknown) => Promise<object>,
  ): void => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? last as (response: Ack<object>) => void : undefined;
    const payload = args.length > 0 && args[0] !== ack ? args[0] : undefined;
    const reply = (response: Ack<object>) => {
      if (!ack) return;
      try { ack(response); } catch { /* a broken callback is the client's problem */ }
    };
    ctx.limiters.events.consume(socket.id)
      .then(() => answer(payload))
      .then((result) => reply({ ok: true, ...result }))
      .catch((err: unknown) => {
        const error = toAppError(err);
        ctx.metrics.errors.inc({ code: error.code });
        if (error.code === 'INTERNAL') {
          ctx.logger.error('socket event failed', { event, up: socket.data.up, error: (err as Error).message });
        }
        reply({ ok: false, error: { code: error.code, message: error.message } });
      });
  };

  /** Socket.IO calls an any-listener with the socket as `this`, so one function serves every socket. */
  function onEvent(this: ChatSocket, event: unknown, ...args: unknown[]): void {
    if (typeof event === 'string' && isClientEventName(event)) {
      const { request } = clientEvents[event];
      const handler = handlers[event] as (payload: unknown, socket: ChatSocket) => Promise<object>;
      respond(this, event, args, (payload) => handler(validate(request, payload), this));
      return;
    }
    const name = String(event).slice(0, EVENT_NAME_SHOWN);
    respond(this, name, args, async () => {
      throw new AppError('VALIDATION_FAILED', `unknown event "${name}"; the events are: ${Object.keys(clientEvents).join(', ')}`);
    });
  }

  return { attach: (socket) => { socket.onAny(onEvent); } };
}
