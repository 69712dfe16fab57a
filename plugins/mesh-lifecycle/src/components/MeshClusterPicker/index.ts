export { MeshClusterPicker } from './MeshClusterPicker';
export { MESH_CLUSTER_PICKER_NAME } from './name';
export { MeshClusterPickerFieldSchema } from './schema';
export type {
  MeshClusterPickerProps,
  MeshClusterPickerUiOptions,
} from './schema';
export { meshClusterPickerValidation } from './validation';
