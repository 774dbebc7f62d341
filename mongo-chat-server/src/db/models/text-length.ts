/**
 * Length rules for stored text, counted as the API counts them (Unicode code
 * points) and refused with the API's message, so a value gets the same answer
 * whether the request schema or the database layer sees it.
 */
import { lengthRule, withinLength } from '@chat/shared';

export const textLength = (min: number, max: number) => ({
  validator: (value: unknown): boolean => typeof value === 'string' && withinLength(value, min, max),
  message: (props: { path: string }): string => `${props.path}: ${lengthRule(min, max)}`,
});
