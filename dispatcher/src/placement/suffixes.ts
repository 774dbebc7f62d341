/**
 * The suffix tree's vocabulary: a leaf is a string of digits read from the
 * right ("3" holds every number ending in 3; "03" those ending in 03).
 */
export const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** The map's starting leaves: the last digit. */
export const ROOT_LEAVES: readonly string[] = DIGITS;

/** The ten leaves a split of `leaf` makes, by the next digit to the left. */
export const childrenOf = (leaf: string): string[] => DIGITS.map((d) => `${d}${leaf}`);

/** The leaf that merging `leaf` with its siblings gives back; null for a last digit. */
export const parentOf = (leaf: string): string | null => (leaf.length > 1 ? leaf.slice(1) : null);

const reversed = (s: string) => s.split('').reverse().join('');

/** Tree order ("3" < "03" < "13" < "4"), so every choice among leaves is deterministic. */
export const compareSuffixes = (a: string, b: string): number => {
  const ra = reversed(a);
  const rb = reversed(b);
  if (ra < rb) return -1;
  return ra > rb ? 1 : 0;
};

export const sortSuffixes = (suffixes: Iterable<string>): string[] => [...suffixes].sort(compareSuffixes);

/** Parents whose ten children are all leaves (the only places a merge can happen), in tree order. */
export function completeParents(leaves: Record<string, string>): string[] {
  const parents = new Set<string>();
  Object.keys(leaves).forEach((leaf) => {
    const parent = parentOf(leaf);
    if (parent !== null && childrenOf(parent).every((c) => Object.prototype.hasOwnProperty.call(leaves, c))) {
      parents.add(parent);
    }
  });
  return sortSuffixes(parents);
}
