/**
 * The client's address behind a reverse proxy: `X-Forwarded-For` is believed
 * only from peers that TRUST_PROXY names (proxy-addr's rules, the same as
 * Express's `trust proxy`), so REST (req.ip) and sockets count the same client
 * and a direct caller cannot pick an address to dodge per-IP limits.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** false: trust nobody; true: every hop; a number: that many hops; a list: those addresses, subnets or names. */
export type TrustProxy = boolean | number | string[];

export type TrustFn = (address: string, hop: number) => boolean;

/** TRUST_PROXY text → setting: "false", "true", a hop count, or "loopback, uniquelocal, 10.0.0.0/8". */
export function parseTrustProxy(text: string): TrustProxy {
  const value = text.trim();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  try {
    proxyaddr.compile(list);
  } catch (err) {
    throw new Error(`TRUST_PROXY: ${(err as Error).message}`);
  }
  return list;
}

export function compileTrust(setting: TrustProxy): TrustFn {
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting);
}

export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  return proxyaddr(req, trust);
}
