/**
 * Which Redis a service talks to: one instance (`REDIS_URL`) or a Redis Cluster
 * named by some of its nodes (`REDIS_CLUSTER_NODES=host:port,…`; the client
 * discovers the rest). Read by each service's config, so both name it alike.
 */
import { z } from 'zod';

export type RedisTarget = { kind: 'single'; url: string } | { kind: 'cluster'; nodes: string[] };

const NODE = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** `REDIS_CLUSTER_NODES`: comma-separated `host:port`, turned into `redis://host:port` URLs; empty means unset. */
export const clusterNodesSchema = () => z.string().optional().transform((text, ctx) => {
  const entries = (text ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  const bad = entries.filter((entry) => {
    const match = NODE.exec(entry);
    return !match || Number(match[2]) < 1 || Number(match[2]) > 65535;
  });
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `expected host:port,host:port,… (not ${bad.join(', ')})` });
    return z.NEVER;
  }
  return entries.length > 0 ? entries.map((entry) => `redis://${entry}`) : undefined;
});

/** The target from a service's two settings; naming both is a mistake, not a choice. */
export function redisTarget(url: string | undefined, clusterNodes: string[] | undefined): RedisTarget | undefined {
  if (url && clusterNodes) {
    throw new Error('invalid configuration: set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both');
  }
  if (clusterNodes) return { kind: 'cluster', nodes: clusterNodes };
  return url ? { kind: 'single', url } : undefined;
}
