/**
 * A send's idempotency key. `crypto.randomUUID` exists only in secure contexts
 * (https, localhost); a page opened over plain http on a LAN address still
 * has `getRandomValues`.
 */
/** What `newClientId` needs of Web Crypto (the browser's and Node's alike). */
export interface RandomSource {
  randomUUID?: () => string;
  getRandomValues: <T extends Uint8Array>(array: T) => T;
}

export function newClientId(source: RandomSource = globalThis.crypto): string {
  if (typeof source.randomUUID === 'function') return source.randomUUID();
  const bytes = source.getRandomValues(new Uint8Array(16));
  // Version 4 (random) and the RFC 4122 variant, set in the high bits.
  bytes[6] = ((bytes[6] as number) % 16) + 0x40;
  bytes[8] = ((bytes[8] as number) % 64) + 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
