/** A socket's life on this server: rooms on connect, handlers, presence, cleanup. */
import type { ChatContext } from '../context';
import type { Handshake } from './handshake';
import { registerHandlers } from './handlers';
import { createRegistrar } from './registrar';
import { groupRoomsOf, userRoom } from './types';
import type { ChatSocket } from './types';

export function onConnection(ctx: ChatContext, handshake: Handshake) {
  const registrar = createRegistrar(ctx);
  return (socket: ChatSocket): void => {
    const { up } = socket.data;
    const groups = handshake.takeGroups(socket);
    // Joined synchronously, before any event of this socket is read.
    void socket.join([userRoom(up), ...groups]);
    groups.forEach((group) => ctx.membership.remember(group, up));
    ctx.metrics.connections.inc();
    registerHandlers(ctx, registrar, socket);
    ctx.sessions.watch(socket);
    void ctx.presence.connected(up, groups);

    socket.on('disconnecting', () => {
      void ctx.presence.disconnected(up, groupRoomsOf(socket));
    });
    socket.on('disconnect', () => { ctx.metrics.connections.dec(); });
  };
}
