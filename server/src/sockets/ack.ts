/**
 * Runs one socket event safely: whatever the client sent (no payload, a
 * function, binary, junk, no ack callback), the handler either answers
 * `{ok: true, …}` / `{ok: false, error}` or, with no callback, stays silent.
 * Nothing a client sends can throw out of here.
 */
import { AppError } from '@chat/shared';
import type { Ack } from '@chat/shared';
import type { ChatContext } from '../context';
import type { ChatSocket } from './types';

type Handler<T extends object> = (payload: unknown, socket: ChatSocket) => Promise<T>;

const toAppError = (err: unknown): AppError => (err instanceof AppError ? err : new AppError('INTERNAL', 'internal error'));

export function onEvent<T extends object>(
  ctx: ChatContext,
  socket: ChatSocket,
  event: string,
  handler: Handler<T>,
): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? last as (response: Ack<T>) => void : undefined;
    const payload = args.length > 0 && args[0] !== ack ? args[0] : undefined;
    const reply = (response: Ack<T>) => {
      if (!ack) return;
      try { ack(response); } catch { /* a broken callback is the client's problem */ }
    };
    ctx.limiters.events.consume(socket.id)
      .then(() => handler(payload, socket))
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
}
