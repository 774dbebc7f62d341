/**
 * Environment parsing, one call per service (DESIGN.md decision 13): every
 * variable is read and validated in one place, and a bad value stops the start
 * with a message naming the variable.
 */
import { z } from 'zod';

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535)
  .default(fallback);
export const url = () => z.string().url();
export const bool = (fallback: boolean) => z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default(fallback ? 'true' : 'false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export function readEnv<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
