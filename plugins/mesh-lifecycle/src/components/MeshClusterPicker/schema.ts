import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';

/**
 * The value and `ui:options` of the `MeshClusterPicker` field: the value is
 * a cluster's name.
 *
 * @public
 */
export const MeshClusterPickerFieldSchema = makeFieldSchema({
  output: z => z.string(),
  uiOptions: z =>
    z.object({
      allowedEnvironments: z
        .array(z.string())
        .optional()
        .describe(
          'Offer only the clusters of these environments (as configured for Mesh Lifecycle); all clusters when left out',
        ),
    }),
});

/**
 * The `ui:options` of the `MeshClusterPicker` field.
 *
 * @public
 */
export type MeshClusterPickerUiOptions =
  typeof MeshClusterPickerFieldSchema.uiOptionsType;

/**
 * The props of the `MeshClusterPicker` field component.
 *
 * @public
 */
export type MeshClusterPickerProps = typeof MeshClusterPickerFieldSchema.TProps;
