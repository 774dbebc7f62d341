/**
 * Moves sockets whose user this server no longer serves: `relocate {url,
 * reason}` then disconnect, a batch at a time so the receiving server is not
 * hit by every reconnect at once. A socket is only sent to a server that
 * answers: one that crashed before the dispatcher noticed keeps it here
 * until the map changes again.
 */
import type { Up } from '@chat/shared';
import type { ChatIo, ChatSocket } from '../sockets/types';

export interface RelocationOptions {
  io: ChatIo;
  batchSize: number;
  batchMs: number;
  /** Where `up` should go now, or null when this server still serves them. */
  destination: (up: Up) => string | null;
  /** True when the chat server at `url` answers. */
  answers: (url: string) => Promise<boolean>;
}

export function createRelocation(options: RelocationOptions) {
  const queued = new Map<string, ChatSocket>();
  let timer: NodeJS.Timeout | undefined;
  let stepping = false;
  let stopped = false;

  const send = (socket: ChatSocket, url: string, reason: string) => {
    if (!socket.connected) return;
    socket.emit('relocate', { url, reason });
    socket.disconnect(true);
  };

  const moveBatch = async () => {
    const batch = [...queued.values()].slice(0, options.batchSize);
    batch.forEach((socket) => queued.delete(socket.id));
    // The map may have moved a user back meanwhile (destination null).
    const moves = batch.map((socket) => ({ socket, url: options.destination(socket.data.up) }));
    const urls = [...new Set(moves.map((m) => m.url).filter((url): url is string => url !== null))];
    const alive = new Map(await Promise.all(urls.map(async (url) => [url, await options.answers(url)] as const)));
    if (stopped) return;
    moves.forEach(({ socket, url }) => { if (url !== null && alive.get(url)) send(socket, url, 'placement changed'); });
  };

  const step = () => {
    timer = undefined;
    stepping = true;
    void moveBatch().finally(() => {
      stepping = false;
      if (queued.size > 0 && !stopped) timer = setTimeout(step, options.batchMs);
    });
  };

  return {
    /** Queues every local socket whose user is now served elsewhere. */
    sweep: () => {
      options.io.of('/').sockets.forEach((socket) => {
        if (options.destination(socket.data.up) !== null) queued.set(socket.id, socket);
      });
      if (queued.size > 0 && !timer && !stepping && !stopped) step();
    },
    /** Shutdown: every socket at once, to wherever `destinationOf` says. */
    relocateAll: (destinationOf: (up: Up) => string, reason: string) => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      queued.clear();
      options.io.of('/').sockets.forEach((socket) => send(socket, destinationOf(socket.data.up), reason));
    },
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      queued.clear();
    },
  };
}
