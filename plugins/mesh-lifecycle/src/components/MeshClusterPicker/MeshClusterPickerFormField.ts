import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { MeshClusterPicker } from './MeshClusterPicker';
import { MeshClusterPickerFieldSchema } from './schema';
import { MESH_CLUSTER_PICKER_NAME } from './name';
import { meshClusterPickerValidation } from './validation';

/** The `MeshClusterPicker` field for the new frontend system's scaffolder. */
export const MeshClusterPickerFormField = createFormField({
  name: MESH_CLUSTER_PICKER_NAME,
  component: MeshClusterPicker,
  validation: meshClusterPickerValidation,
  schema: MeshClusterPickerFieldSchema,
});
