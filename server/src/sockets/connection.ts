/**
 * A socket's life on this server: rooms on connect, handlers, presence, cleanup.
 * Every listener a socket gets is one function shared by all sockets (an
 * emitter calls it with the socket as `this`): an idle socket costs what
 * Socket.IO needs and its rooms, not a set of closures of its own.
 */
import type { ChatContext } from '../context';
import type { Handshake } from './handshake';
import { createEventHandlers } from './handlers';
import { createRegistrar } from './registrar';
import { groupRoomsOf, userRoom } from './types';
import type { ChatSocket } from './types';

export function onConnection(ctx: ChatContext, handshake: Handshake) {
  const registrar = createRegistrar(ctx, createEventHandlers(ctx));
  function onDisconnecting(this: ChatSocket): void {
    void ctx.presence.disconnected(this.data.up, groupRoomsOf(this));
  }
  const onDisconnect = (): void => { ctx.metrics.connections.dec(); };

  return (socket: ChatSocket): void => {
    const { up } = socket.data;
    const groups = handshake.takeGroups(socket);
    // Joined synchronously, before any event of this socket is read.
    void socket.join([userRoom(up), ...groups]);
    groups.forEach((group) => ctx.membership.remember(group, up));
    ctx.metrics.connections.inc();
    registrar.attach(socket);
    ctx.sessions.watch(socket);
    void ctx.presence.connected(up, groups);
    socket.on('disconnecting', onDisconnecting);
    socket.on('disconnect', onDisconnect);
  };
}
