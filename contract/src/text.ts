/**
 * How text is measured, everywhere: in Unicode code points, so an emoji is one
 * character (as a person counts it), never two UTF-16 units. Every layer that
 * checks a length (request schemas, database validators) uses these, so a
 * value gets the same answer and the same message whichever layer sees it.
 */
import { z } from 'zod';

/**
 * A lone surrogate (half of a UTF-16 pair, e.g. `"\uD800"`) is refused at the
 * edge with VALIDATION_FAILED: it is not Unicode, the database would store it
 * as U+FFFD, and live delivery and stored history would then disagree.
 * With the `u` flag a well-formed pair is one code point, so this matches only an unpaired half.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const WELL_FORMED_RULE = 'must be well-formed Unicode (it holds a lone surrogate, which cannot be stored)';

export const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

/** Code points in `text`; a lone surrogate counts as one. */
export function codePointLength(text: string): number {
  let count = 0;
  // The string iterator walks code points.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for (const _ of text) count += 1;
  return count;
}

/** The rule, as the error message states it. */
export const lengthRule = (min: number, max: number): string => (
  min === max ? `must be ${max} characters (Unicode code points)`
    : `must be ${min} to ${max} characters long (counted in Unicode code points)`);

export const withinLength = (text: string, min: number, max: number): boolean => {
  // Cheap bounds first: a code point is one or two UTF-16 units.
  if (text.length < min || text.length > 2 * max) return false;
  const length = codePointLength(text);
  return length >= min && length <= max;
};

/**
 * A string of `min` to `max` code points (after trimming when `trim`), with the
 * bounds also stated for the generated documents (JSON Schema counts code points too).
 */
export function textField(min: number, max: number, options: { trim?: boolean } = {}) {
  const base = options.trim ? z.string().trim() : z.string();
  return base
    .refine(isWellFormed, { message: WELL_FORMED_RULE, abort: true })
    .refine((text) => withinLength(text, min, max), { message: lengthRule(min, max), abort: true })
    .meta({ minLength: min, maxLength: max });
}

/** A socket text field: at most `max` code points, well-formed (`maxLength` in the generated documents). */
export const text = (max: number) => z.string()
  .refine(isWellFormed, WELL_FORMED_RULE)
  .refine((value) => codePointLength(value) <= max, `must be at most ${max} characters`)
  .meta({ maxLength: max, description: `At most ${max} characters (code points); a lone surrogate is refused.` });
