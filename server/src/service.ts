/**
 * One chat server: HTTP (public REST, docs, metrics) and Socket.IO on one
 * port, the Redis adapter when Redis is configured (one instance or a cluster:
 * rooms span servers), and the dispatcher link when DISPATCHER_URL is set.
 */
import http from 'node:http';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import type winston from 'winston';
import { SOCKET_LIMITS, socketFrameCap } from '@chat/contract';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from '@chat/contract';
import {
  closeServer, connectRedis, createLogging, createTokens, listen, localUrl, originAllowed, placeUser,
} from '@chat/shared';
import type { RedisConnections } from '@chat/shared';
import { authRoutes } from './auth/routes';
import { accountRoutes } from './auth/account-routes';
import { createSessionGuard } from './auth/sessions';
import { createRevocationCache } from './auth/sessions-cache';
import type { ChatServerConfig } from './config';
import type { ChatContext } from './context';
import { createAccountClient } from './data/accounts';
import { createDataClient } from './data/client';
import { createGroupIds } from './groups/group-ids';
import { createMembership } from './groups/membership';
import { createGroupOperations } from './groups/operations';
import { createHistory } from './history/history';
import { createMemoryBuffer } from './history/memory-buffer';
import { createRedisBuffer } from './history/redis-buffer';
import { createApp } from './http/app';
import { compileTrust } from './http/client-address';
import { chatRoutes } from './http/chat-routes';
import { searchRoutes } from './search/search-routes';
import { notificationRoutes } from './notifications/routes';
import { fileRoutes } from './files/file-routes';
import { chatHealth } from './http/ops-routes';
import { createMessagePath } from './messages/message-path';
import { createTimeline } from './timeline/timeline';
import { createChatMetrics } from './metrics';
import { createAdmission } from './placement/admission';
import { createDispatcherClient } from './placement/dispatcher-client';
import { createDispatcherLink } from './placement/dispatcher-link';
import { createOwnership } from './placement/ownership';
import { createPeerProbe } from './placement/peer-probe';
import { createRelocation } from './placement/relocation';
import { createMemoryCounter, createRedisCounter } from './presence/counter';
import { createPresence } from './presence/presence';
import {
  createAccountLimiter, createAuthLimiter, createSocketLimiters, createUserLimiters,
} from './rate-limits';
import { onConnection } from './sockets/connection';
import { createHandshake } from './sockets/handshake';
import { groupRoomsOf } from './sockets/types';
import type { ChatIo, SocketData } from './sockets/types';

export interface RunningChatServer {
  /** Where this process listens (loopback form), e.g. http://127.0.0.1:4000. */
  url: string;
  serverId: string;
  publicUrl: string;
  io: ChatIo;
  /** The server's logger (error.log), for failures caught outside it, e.g. an unhandled rejection. */
  logger: winston.Logger;
  close: () => Promise<void>;
}

const MEMBERSHIP_TTL_MS = 30000;
/** A server that stops beating counts as alive this long at least, so a busy event loop is not taken for a crash. */
const MIN_PRESENCE_LIVENESS_MS = 3000;
/** Requests in flight when a close begins get this long to finish. */
const CLOSE_GRACE_MS = 2000;
/** A chat server that does not answer within this is taken for gone rather than named in a WRONG_SERVER. */
const PEER_PROBE_TIMEOUT_MS = 1000;
const PEER_PROBE_GAP_MS = 100;

export async function startChatServer(config: ChatServerConfig): Promise<RunningChatServer> {
  const logging = createLogging({
    service: 'chat-server', dir: config.logDir, level: config.logLevel, console: config.logToConsole,
  });
  const { logger } = logging;
  config.warnings.forEach((warning) => logger.warn(warning));

  let handle: http.RequestListener = (_req, res) => { res.writeHead(503).end(); };
  const httpServer = http.createServer((req, res) => handle(req, res));
  const port = await listen(httpServer, config.port, config.host);
  const serverId = config.serverId ?? `chat-${port}`;
  const publicUrl = config.publicUrl ?? `http://localhost:${port}`;

  let redis: RedisConnections | undefined;
  if (config.redis) {
    try {
      redis = await connectRedis(config.redis, logger);
    } catch (err) {
      httpServer.close();
      await logging.close();
      throw new Error(`cannot connect to Redis (${config.redis.kind === 'cluster' ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL'}): ${(err as Error).message}`);
    }
  }

  const io: ChatIo = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer, {
    // The largest valid request fits (worst-case JSON escaping counted): over a limit gets an error ack.
    maxHttpBufferSize: socketFrameCap(),
    cors: { origin: (origin, done) => done(null, originAllowed(config, origin)) },
    // CORS only binds browsers on polling; the Origin check covers WebSocket upgrades too.
    allowRequest: (req, done) => done(null, originAllowed(config, req.headers.origin)),
    adapter: redis
      ? createShardedAdapter(redis.commands, redis.subscriber, {
        subscriptionMode: 'dynamic', channelPrefix: `${config.redisPrefix}:socket.io`,
      })
      : undefined,
  });

  let closing = false;
  const metrics = createChatMetrics();
  const data = createDataClient({ baseUrl: config.dataServiceUrl, internalToken: config.internalToken });
  const buffer = redis
    ? createRedisBuffer(redis.commands, config.recentBufferSize, logger, config.redisPrefix)
    : createMemoryBuffer(config.recentBufferSize);
  const history = createHistory({
    buffer,
    data,
    pageSize: SOCKET_LIMITS.joinPageSize,
    catchUpLimit: config.catchUpLimit,
    onSource: (source) => metrics.historySource.inc({ source }),
  });
  const groupIds = createGroupIds(data);
  const presence = createPresence({
    counter: redis ? createRedisCounter(redis.commands, serverId, config.redisPrefix) : createMemoryCounter(),
    data,
    groupIdsOf: groupIds.of,
    graceMs: config.presenceGraceMs,
    flushMs: config.presenceFlushMs,
    beatMs: config.heartbeatIntervalMs,
    livenessTtlMs: Math.max(3 * config.heartbeatIntervalMs, MIN_PRESENCE_LIVENESS_MS),
    localSockets: () => [...io.of('/').sockets.values()]
      .filter((socket) => socket.data.up)
      .map((socket) => ({ up: socket.data.up, groups: groupRoomsOf(socket) })),
    emit: (group, batch) => io.to(group).emit('presence', batch),
    logger,
  });
  const ownership = createOwnership(serverId, config.ownershipGraceMs);
  const socketLimiters = createSocketLimiters(config);
  const userLimiters = createUserLimiters(config, redis?.commands);
  const tokens = createTokens(config.jwtSecret, config.jwtTtlSeconds);
  const accounts = createAccountClient({ baseUrl: config.dataServiceUrl, internalToken: config.internalToken });
  const sessions = createSessionGuard({
    io,
    accounts,
    cache: createRevocationCache({ recheckMs: config.sessionRecheckMs, tokenTtlMs: tokens.ttlSeconds * 1000 }),
    recheckMs: config.sessionRecheckMs,
    logger,
  });
  const messages = createMessagePath({
    io,
    data,
    buffer,
    metrics,
    limiter: userLimiters.messages,
    isClosing: () => closing,
    batchWindowMs: config.sendBatchMs,
    maxBatch: config.sendBatchMax,
    maxInFlight: config.sendBatchInFlight,
  });

  const ctx: ChatContext = {
    config,
    serverId,
    publicUrl,
    io,
    trustProxy: compileTrust(config.trustProxy),
    data,
    tokens,
    accounts,
    sessions,
    buffer,
    history,
    messages,
    timeline: createTimeline({
      io,
      data,
      buffer,
      bufferRead: config.recentBufferSize,
      onSource: (source) => metrics.historySource.inc({ source }),
    }),
    membership: createMembership({ data, ttlMs: MEMBERSHIP_TTL_MS }),
    groupIds,
    presence,
    ownership,
    limiters: {
      auth: createAuthLimiter(config, redis?.commands),
      account: createAccountLimiter(config, redis?.commands),
      ...userLimiters,
      ...socketLimiters,
    },
    metrics,
    logger,
    isClosing: () => closing,
  };

  const destination = (up: string): string | null => {
    if (ownership.ownsNow(up)) return null;
    return ownership.placement(up)?.url ?? null;
  };
  const answers = createPeerProbe({ timeoutMs: PEER_PROBE_TIMEOUT_MS, minGapMs: PEER_PROBE_GAP_MS });
  const relocation = createRelocation({
    io, batchSize: config.relocateBatchSize, batchMs: config.relocateBatchMs, destination, answers,
  });
  let graceSweep: NodeJS.Timeout | undefined;
  const dispatcherClient = config.dispatcherUrl
    ? createDispatcherClient(config.dispatcherUrl, config.internalToken) : undefined;
  const socketUps = function* socketUps() {
    for (const socket of io.of('/').sockets.values()) if (socket.data.up) yield socket.data.up;
  };
  const link = dispatcherClient && createDispatcherLink({
    client: dispatcherClient,
    serverId,
    url: publicUrl,
    capacity: config.capacity,
    intervalMs: config.heartbeatIntervalMs,
    load: () => io.of('/').sockets.size,
    leafLoads: () => ownership.leafLoads(socketUps()),
    logger,
    onMap: (map, registered) => {
      if (!ownership.update(map, registered) || closing) return;
      relocation.sweep();
      // Sockets let in during the grace period are moved once it ends.
      clearTimeout(graceSweep);
      graceSweep = setTimeout(() => relocation.sweep(), config.ownershipGraceMs + 50);
      graceSweep.unref();
    },
  });

  // Registered before this function next awaits, so no socket gets in without it.
  const handshake = createHandshake(ctx, createAdmission({ ownership, refreshMap: link?.refreshMap, answers }));
  io.use(handshake.middleware);
  io.on('connection', onConnection(ctx, handshake));
  io.on('membership revoked', ({ room, up }) => ctx.membership.revoke(room, up));
  io.on('sessions revoked', (event) => sessions.onRemote(event));

  const groups = createGroupOperations(ctx);
  const dispatcherCheck = () => {
    if (!link) return 'disabled' as const;
    return link.isReachable() ? 'ok' as const : 'down' as const;
  };
  const app = createApp(ctx, logging.requests, chatHealth(ctx, redis, dispatcherCheck), [
    authRoutes(ctx),
    searchRoutes(ctx),
    notificationRoutes(ctx),
    accountRoutes(ctx),
    chatRoutes(ctx, groups),
    fileRoutes(ctx),
  ]);
  handle = app;

  await presence.recover().catch((err: Error) => logger.warn('presence recovery failed', { error: err.message }));
  if (link) await link.start();
  logger.info('chat server listening', {
    serverId, port, publicUrl, redis: Boolean(redis), dispatcher: Boolean(link),
  });

  const close = async () => {
    if (closing) return;
    closing = true;
    clearTimeout(graceSweep);
    relocation.stop();
    sessions.close();
    await messages.drain();
    let newMap = null;
    if (link && dispatcherClient) {
      await link.stop();
      newMap = await dispatcherClient.currentMap().catch(() => null);
    }
    await presence.close();
    const hadSockets = io.of('/').sockets.size > 0;
    relocation.relocateAll((up) => {
      const placement = newMap ? placeUser(newMap, up) : null;
      return placement && placement.serverId !== serverId ? placement.url : publicUrl;
    }, 'server shutting down');
    // A polling client collects its `relocate` on its next poll.
    if (hadSockets) await new Promise((resolve) => { setTimeout(resolve, 150); });
    await closeServer(httpServer, CLOSE_GRACE_MS, () => io.close());
    await redis?.close();
    logger.info('chat server stopped', { serverId });
    await logging.close();
  };

  return {
    url: localUrl(config.host, port), serverId, publicUrl, io, logger, close,
  };
}
