export type { RedisClient, RedisConnections } from '@chat/shared';
