/**
 * Listening and closing, the same for every service: the address a local
 * caller reaches (IPv6 in brackets, a wildcard bind read as loopback), idle
 * keep-alive connections that outlive the callers' pools, and a close that
 * lets requests in flight finish for a bounded time.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Callers pool connections (Node's fetch, proxies): keep idle ones open longer than they do. */
const KEEP_ALIVE_MS = 65000;

/** The host part of a URL for a bind address: `0.0.0.0`/`::` → loopback, IPv6 → `[…]`. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export const localUrl = (host: string, port: number): string => `http://${urlHost(host)}:${port}`;

/** Listens on `port` (0: any free one) and resolves with the port bound. */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  // eslint-disable-next-line no-param-reassign
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  // eslint-disable-next-line no-param-reassign
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** How often a closing server drops the connections that have gone idle since. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops taking connections and resolves once the server is closed: idle
 * connections end at once, busy ones as soon as their answer is sent, and
 * after `graceMs` whatever is left is cut. `close` is what stops the server
 * (default `server.close()`; Socket.IO's `io.close()` closes its server itself).
 */
export function closeServer(
  server: http.Server,
  graceMs: number,
  close: () => unknown = () => server.close(),
): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) { resolve(); return; }
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    // A kept-alive connection busy when the close began goes idle, not closed, once answered.
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.once('close', () => { clearTimeout(force); clearInterval(sweep); resolve(); });
    Promise.resolve(close()).finally(() => server.closeIdleConnections());
  });
}
