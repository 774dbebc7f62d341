/**
 * Where a user connects: `GET /chat/location` with their token, answered by
 * the dispatcher (or by a chat server started without one).
 */
import { errorFromAck, ProtocolError } from './errors';

/** The chat server to open the socket to; `mapVersion` lets it see the dispatcher moved us since its last look. */
export interface Placement { url: string; serverId: string; mapVersion?: number }

export type Locate = () => Promise<Placement>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Asks `baseUrl` (a dispatcher's or a chat server's) where the bearer of `token` connects. An error answer
 * rejects with its code (UNAUTHORIZED, UNAVAILABLE); an answer that is not a placement with INTERNAL.
 */
export async function fetchLocation(
  baseUrl: string,
  token: string,
  fetchImpl: typeof fetch = globalThis.fetch,
): Promise<Placement> {
  const res = await fetchImpl(`${baseUrl.replace(/\/+$/, '')}/chat/location`, { headers: { authorization: `Bearer ${token}` } });
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const detail = isObject(body) && isObject(body.error) ? body.error : {};
    const code = typeof detail.code === 'string' ? detail.code : (res.status === 401 && 'UNAUTHORIZED') || 'UNAVAILABLE';
    throw errorFromAck({ code, message: typeof detail.message === 'string' ? detail.message : `location: HTTP ${res.status}` });
  }
  if (!isObject(body) || typeof body.url !== 'string' || typeof body.serverId !== 'string') {
    throw new ProtocolError('INTERNAL', 'unexpected answer for the location');
  }
  return typeof body.mapVersion === 'number'
    ? { url: body.url, serverId: body.serverId, mapVersion: body.mapVersion }
    : { url: body.url, serverId: body.serverId };
}

/** A locator for one base URL and a token that may change (renewed). */
export const httpLocator = (baseUrl: string, token: () => string, fetchImpl?: typeof fetch): Locate => (
  () => fetchLocation(baseUrl, token(), fetchImpl)
);
