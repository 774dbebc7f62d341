/**
 * Text fields of socket events. Lengths are counted in Unicode code points
 * (an emoji is one, as in JSON Schema's `maxLength`), never in UTF-16 units.
 *
 * A lone surrogate (half of a UTF-16 pair, e.g. `"\uD800"`) is refused at the
 * edge with VALIDATION_FAILED: it is not Unicode, the database would store it
 * as U+FFFD, and live delivery and stored history would then disagree.
 */
import { z } from 'zod';

/** Matches only an unpaired surrogate: with the `u` flag a well-formed pair is one code point. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export const codePointLength = (text: string): number => {
  let length = 0;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars, no-restricted-syntax
  for (const _ of text) length += 1;
  return length;
};

export const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

/** A string of at most `max` code points, well-formed (`maxLength` in the generated documents). */
export const text = (max: number) => z.string()
  .refine(isWellFormed, 'must be well-formed Unicode (it holds a lone surrogate, which cannot be stored)')
  .refine((value) => codePointLength(value) <= max, `must be at most ${max} characters`)
  .meta({ maxLength: max, description: `At most ${max} characters (code points); a lone surrogate is refused.` });
