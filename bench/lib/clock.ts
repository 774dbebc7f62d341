/**
 * One clock for every bench process: wall time with sub-millisecond
 * resolution. Node fixes `performance.timeOrigin` from the system clock at
 * start and counts from it on the monotonic clock, so a time stamped in one
 * process on this machine can be compared with `nowMs()` in another.
 */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, ms); });
