/** Everything a socket handler or route needs, built once per chat server in service.ts. */
import type winston from 'winston';
import type { Tokens } from '@chat/shared';
import type { ChatServerConfig } from './config';
import type { DataClient } from './data/client';
import type { GroupIds } from './groups/group-ids';
import type { Membership } from './groups/membership';
import type { MessagePath } from './messages/message-path';
import type { History } from './history/history';
import type { TrustFn } from './http/client-address';
import type { RecentBuffer } from './history/recent-buffer';
import type { ChatMetrics } from './metrics';
import type { Ownership } from './placement/ownership';
import type { Presence } from './presence/presence';
import type { Limiter } from './rate-limits';
import type { ChatIo } from './sockets/types';
import type { Timeline } from './timeline/timeline';

export interface ChatContext {
  config: ChatServerConfig;
  serverId: string;
  publicUrl: string;
  io: ChatIo;
  /** Which peers' X-Forwarded-For is believed (TRUST_PROXY), for REST and sockets alike. */
  trustProxy: TrustFn;
  data: DataClient;
  tokens: Tokens;
  buffer: RecentBuffer;
  history: History;
  /** The send path: store, buffer, ack, deliver. */
  messages: MessagePath;
  /** Edits, deletes, reactions and resuming (docs/design.md, One change stream per group). */
  timeline: Timeline;
  membership: Membership;
  /** The ids of a user's groups, looked up in batches (handshakes). */
  groupIds: GroupIds;
  presence: Presence;
  ownership: Ownership;
  limiters: { auth: Limiter; messages: Limiter; events: Limiter };
  metrics: ChatMetrics;
  logger: winston.Logger;
  /** True once close() has begun: new sockets and sends are refused. */
  isClosing: () => boolean;
}
