/**
 * The one way a chat server answers client events, typed by the contract:
 * `register(socket, 'chat message', handler)` parses the payload with that
 * event's request schema, hands the handler the typed request, and acks
 * `{ok: true, …}` with what it returns (which must be that event's result, or
 * it does not compile) or `{ok: false, error}` with what it throws.
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
export type Register = <E extends ClientEventName>(socket: ChatSocket, event: E, handler: EventHandler<E>) => void;

type Listener = (...args: unknown[]) => void;

const EVENT_NAME_SHOWN = 64;
const toAppError = (err: unknown): AppError => (err instanceof AppError ? err : new AppError('INTERNAL', 'internal error'));

export interface Registrar {
  register: Register;
  /** Answers VALIDATION_FAILED to any event the contract does not declare. */
  refuseUnknownEvents: (socket: ChatSocket) => void;
}

export function createRegistrar(ctx: ChatContext): Registrar {
  /** Runs one event: rate limit, then `answer`, then exactly one ack if the client passed a callback. */
  const respond = <T extends object>(
    socket: ChatSocket,
    event: string,
    args: unknown[],
    answer: (payload: unknown) => Promise<T>,
  ): void => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? last as (response: Ack<T>) => void : undefined;
    const payload = args.length > 0 && args[0] !== ack ? args[0] : undefined;
    const reply = (response: Ack<T>) => {
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

  const register: Register = (socket, event, handler) => {
    const { request } = clientEvents[event];
    const listener: Listener = (...args) => respond(
      socket,
      event,
      args,
      (payload) => handler(validate(request, payload) as RequestOf<typeof event>, socket),
    );
    (socket.on as (name: string, listener: Listener) => void).call(socket, event, listener);
  };

  const refuseUnknownEvents = (socket: ChatSocket) => {
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && isClientEventName(event)) return;
      const name = String(event).slice(0, EVENT_NAME_SHOWN);
      respond(socket, name, args, async () => {
        throw new AppError('VALIDATION_FAILED', `unknown event "${name}"; the events are: ${Object.keys(clientEvents).join(', ')}`);
      });
    });
  };

  return { register, refuseUnknownEvents };
}
