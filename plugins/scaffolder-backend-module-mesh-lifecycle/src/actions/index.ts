export { createCatalogAnnotateAction } from './catalogAnnotate';
export { createEnvironmentCreateAction } from './environmentCreate';
export { createManifestsGenerateAction } from './manifestsGenerate';
export {
  createManifestsApplyAction,
  type ManifestsApplyActionOptions,
} from './manifestsApply';
export {
  createTrafficShiftAction,
  meshLifecycleBackendClient,
  type TrafficShiftActionOptions,
  type TrafficShiftBackend,
} from './trafficShift';
