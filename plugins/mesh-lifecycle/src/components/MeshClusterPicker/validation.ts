import { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import { MeshClusterInfo } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { meshLifecycleApiRef } from '../../api';
import { clusterOptions } from './clusterOptions';
import { MeshClusterPickerUiOptions } from './schema';

/**
 * Validation of the `MeshClusterPicker` field: a name given must be one of
 * the clusters offered. When the clusters cannot be listed, the field says
 * so and the name is left to the scaffolder action to check.
 *
 * @public
 */
export const meshClusterPickerValidation: CustomFieldValidator<
  string,
  MeshClusterPickerUiOptions
> = async (value, validation, context) => {
  if (!value) {
    // `required` is the form's to enforce.
    return;
  }
  const api = context.apiHolder.get(meshLifecycleApiRef);
  let clusters: MeshClusterInfo[];
  try {
    if (!api) {
      return;
    }
    ({ clusters } = await api.getClusters());
  } catch {
    return;
  }
  const allowedEnvironments =
    context.uiSchema?.['ui:options']?.allowedEnvironments;
  const options = clusterOptions(clusters, allowedEnvironments);
  if (!options.some(cluster => cluster.name === value)) {
    const scope = allowedEnvironments
      ? ` for ${allowedEnvironments.join(', ')}`
      : '';
    validation.addError(
      options.length > 0
        ? `'${value}' is not a cluster configured${scope}; choose one of ${options
            .map(cluster => cluster.name)
            .join(', ')}`
        : `'${value}' is not a cluster configured${scope}; none is`,
    );
  }
};
