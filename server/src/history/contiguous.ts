/** True when the seqs go up by exactly one: a slice with a hole is never trusted. */
export const isContiguous = (items: readonly { seq: number }[]): boolean => items.every(
  (item, i) => i === 0 || item.seq === (items[i - 1]?.seq ?? Number.NaN) + 1,
);
