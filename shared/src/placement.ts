/**
 * The placement map (docs/design.md, Placement): a tree of user-number suffixes read
 * from the right, each leaf owned by one chat server. The dispatcher changes it;
 * the dispatcher and the chat servers both read it with `placeUser`.
 */
import type { PlacementMapRecord, Up } from '@chat/contract';

/** The map as the contract declares it: the leaves cover every number. */
export type PlacementMap = PlacementMapRecord;
export type PlacementServer = PlacementMap['servers'][string];

export interface Placement {
  serverId: string;
  url: string;
  /** The leaf that matched. */
  suffix: string;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The digits a user is placed by: the user number itself when it is all digits,
 * else a stable FNV-1a hash of it written as 10 decimal digits.
 */
export function userDigits(up: Up): string {
  if (/^[0-9]+$/.test(up)) return up;
  let hash = FNV_OFFSET;
  for (let i = 0; i < up.length; i += 1) {
    // FNV-1a is defined by xor and 32-bit multiply; it must agree in Node and the browser.
    // eslint-disable-next-line no-bitwise
    hash = Math.imul(hash ^ up.charCodeAt(i), FNV_PRIME) >>> 0;
  }
  return hash.toString().padStart(10, '0');
}

/**
 * The leaf whose suffix the digits end with. A number shorter than a leaf is
 * read as if padded with zeros on the left ("3" matches leaf "03").
 */
export function leafFor(leaves: Record<string, string>, digits: string): string | undefined {
  const deepest = Object.keys(leaves).reduce((max, s) => Math.max(max, s.length), 0);
  const padded = digits.padStart(deepest, '0');
  for (let len = 1; len <= deepest; len += 1) {
    const suffix = padded.slice(padded.length - len);
    if (Object.prototype.hasOwnProperty.call(leaves, suffix)) return suffix;
  }
  return undefined;
}

export function placeUser(map: PlacementMap, up: Up): Placement | null {
  const suffix = leafFor(map.leaves, userDigits(up));
  if (suffix === undefined) return null;
  const serverId = map.leaves[suffix];
  const server = serverId === undefined ? undefined : map.servers[serverId];
  if (!serverId || !server) return null;
  return { serverId, url: server.url, suffix };
}
