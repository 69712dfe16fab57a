/**
 * Frontend of Mesh Lifecycle: lifecycle phase, mesh traffic and alerts on
 * entity pages, and a fleet page. These are the legacy frontend system
 * exports; the new frontend system plugin is the `/alpha` export.
 *
 * @packageDocumentation
 */

export {
  meshLifecyclePlugin,
  EntityMeshLifecycleCard,
  EntityMeshAlertsCard,
  EntityMeshHistoryCard,
  EntityMeshContent,
  MeshLifecycleFleetPage,
  MeshClusterPickerFieldExtension,
  MeshRetirementBlockersFieldExtension,
} from './plugin';
export {
  MeshClusterPicker,
  MeshClusterPickerFieldSchema,
  meshClusterPickerValidation,
} from './components/MeshClusterPicker';
export type {
  MeshClusterPickerProps,
  MeshClusterPickerUiOptions,
} from './components/MeshClusterPicker';
export {
  MeshRetirementBlockers,
  MeshRetirementBlockersFieldSchema,
} from './components/MeshRetirementBlockers';
export type { MeshRetirementBlockersProps } from './components/MeshRetirementBlockers';
export { meshLifecycleApiRef, MeshLifecycleClient } from './api';
export type { MeshLifecycleApi } from './api';
export { isMeshService, isMeshLifecycleAvailable } from './isMeshService';
