/** One byte range from a `Range` header (RFC 9110 §14.1.2), as a download answers it. */

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * `bytes=a-b`, `bytes=a-` or `bytes=-n` over a file of `size` bytes: the range
 * (clamped to the file), `unsatisfiable` when it starts past the end, or
 * undefined when the header is absent, malformed or asks for several ranges
 * (then the whole file is the answer, as the RFC allows).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
