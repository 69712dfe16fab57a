import type { z as zod } from 'zod/v3';
import { APPLY_OUTCOMES } from '../kubernetes/applyObjects';

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
            before: z.unknown().optional(),
            after: z.unknown().optional(),
          }),
        ),
        managers: z.array(z.string()).optional(),
        message: z.string().optional(),
      }),
    )
    .describe(description);
}
