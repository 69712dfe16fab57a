/** The `ui:field` templates name the cluster picker by. */
export const MESH_CLUSTER_PICKER_NAME = 'MeshClusterPicker';
