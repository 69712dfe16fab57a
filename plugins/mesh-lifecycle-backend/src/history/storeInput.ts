import { InputError } from '@backstage/errors';
import { z } from 'zod';

/**
 * `value` parsed with `schema`; an `InputError` naming `what` and the first
 * field that is wrong otherwise. What the stores check before they write.
 */
export function parseOrInputError<T>(
  schema: z.ZodType<T>,
  value: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new InputError(
      `Invalid ${what} at '${(issue?.path ?? []).join('.')}': ${
        issue?.message ?? 'not valid'
      }`,
    );
  }
  return parsed.data;
}

/** A read's `limit`: the default when left out, an `InputError` outside 1..max. */
export function readLimit(
  limit: number | undefined,
  bounds: { default: number; max: number },
): number {
  if (limit === undefined) return bounds.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > bounds.max) {
    throw new InputError(
      `Invalid limit ${limit}: must be an integer from 1 to ${bounds.max}`,
    );
  }
  return limit;
}
