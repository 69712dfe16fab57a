export { createCatalogAnnotateAction } from './catalogAnnotate';
export { createCatalogRetireAction } from './catalogRetire';
export {
  createEnvironmentCreateAction,
  type EnvironmentCreateActionOptions,
} from './environmentCreate';
export { createManifestsGenerateAction } from './manifestsGenerate';
export {
  createManifestsApplyAction,
  type ManifestsApplyActionOptions,
} from './manifestsApply';
export {
  createTrafficShiftAction,
  type TrafficShiftActionOptions,
  type TrafficShiftBackend,
} from './trafficShift';
export {
  createServiceDecommissionAction,
  type DecommissionBackend,
  type ServiceDecommissionActionOptions,
} from './serviceDecommission';
export {
  createPublishCheckAction,
  type PublishCheckActionOptions,
} from './publishCheck';
export { meshLifecycleBackendClient } from './backendClient';
export {
  scaffolderTaskStatuses,
  type ScaffolderTaskStatuses,
} from './scaffolderTasks';
export type { StepAnalysisSource } from '../traffic/prepareShift';
export type { ClusterActionOptions } from '../clusterAccess';
