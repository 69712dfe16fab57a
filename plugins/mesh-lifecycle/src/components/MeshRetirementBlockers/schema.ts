import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';

/** The `ui:field` templates name the retirement blockers by. */
export const MESH_RETIREMENT_BLOCKERS_NAME = 'MeshRetirementBlockers';

/**
 * The `MeshRetirementBlockers` field: it shows, it takes no value.
 * `ui:options.entityField` and `drainWindowField` name the form's fields
 * holding the service and the drain window (default `entity` and
 * `drainWindowSeconds`).
 *
 * @public
 */
export const MeshRetirementBlockersFieldSchema = makeFieldSchema({
  output: z => z.string().optional(),
  uiOptions: z =>
    z.object({
      entityField: z
        .string()
        .optional()
        .describe('The form field holding the service (default entity)'),
      drainWindowField: z
        .string()
        .optional()
        .describe(
          'The form field holding the drain window in seconds (default drainWindowSeconds)',
        ),
    }),
});

/**
 * The props of the `MeshRetirementBlockers` field component.
 *
 * @public
 */
export type MeshRetirementBlockersProps =
  typeof MeshRetirementBlockersFieldSchema.TProps;
