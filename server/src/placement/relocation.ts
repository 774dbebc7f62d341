/**
 * Moves sockets whose user this server no longer serves: `relocate {url,
 * reason}` then disconnect, a batch at a time so the receiving server is not
 * hit by every reconnect at once.
 */
import type { Up } from '@chat/shared';
import type { ChatIo, ChatSocket } from '../sockets/types';

export interface RelocationOptions {
  io: ChatIo;
  batchSize: number;
  batchMs: number;
  /** Where `up` should go now, or null when this server still serves them. */
  destination: (up: Up) => string | null;
}

export function createRelocation(options: RelocationOptions) {
  const queued = new Map<string, ChatSocket>();
  let timer: NodeJS.Timeout | undefined;

  const send = (socket: ChatSocket, url: string, reason: string) => {
    if (!socket.connected) return;
    socket.emit('relocate', { url, reason });
    socket.disconnect(true);
  };

  const step = () => {
    timer = undefined;
    const batch = [...queued.values()].slice(0, options.batchSize);
    batch.forEach((socket) => {
      queued.delete(socket.id);
      const url = options.destination(socket.data.up);
      // The map may have moved the user back meanwhile.
      if (url !== null) send(socket, url, 'placement changed');
    });
    if (queued.size > 0) timer = setTimeout(step, options.batchMs);
  };

  return {
    /** Queues every local socket whose user is now served elsewhere. */
    sweep: () => {
      options.io.of('/').sockets.forEach((socket) => {
        if (options.destination(socket.data.up) !== null) queued.set(socket.id, socket);
      });
      if (queued.size > 0 && !timer) step();
    },
    /** Shutdown: every socket at once, to wherever `destinationOf` says. */
    relocateAll: (destinationOf: (up: Up) => string, reason: string) => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      queued.clear();
      options.io.of('/').sockets.forEach((socket) => send(socket, destinationOf(socket.data.up), reason));
    },
    stop: () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      queued.clear();
    },
  };
}
