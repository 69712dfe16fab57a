import type { JsonValue } from '@backstage/types';
import type { z as zod } from 'zod/v3';
import { APPLY_OUTCOMES } from '../kubernetes/applyObjects';

/**
 * Any JSON value. Action outputs must be JSON (`JsonObject`), and an output
 * typed `unknown` breaks an adopter's type-check of our declarations.
 */
export function jsonValueSchema(z: typeof zod): zod.ZodType<JsonValue> {
  const value: zod.ZodType<JsonValue> = z.lazy(() =>
    z.union([
      z.string(),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(value),
      z.record(z.string(), value),
    ]),
  );
  return value;
}

/**
 * The output schema of the per-object reports of `applyObjects`, shared by
 * the actions that apply objects to a cluster.
 */
export function objectReportsSchema(z: typeof zod, description: string) {
  return z
    .array(
      z.object({
        apiVersion: z.string(),
        kind: z.string(),
        name: z.string(),
        namespace: z.string().optional(),
        outcome: z.enum(APPLY_OUTCOMES),
        changes: z.array(
          z.object({
            path: z.string(),
            before: jsonValueSchema(z).optional(),
            after: jsonValueSchema(z).optional(),
          }),
        ),
        managers: z.array(z.string()).optional(),
        message: z.string().optional(),
      }),
    )
    .describe(description);
}
