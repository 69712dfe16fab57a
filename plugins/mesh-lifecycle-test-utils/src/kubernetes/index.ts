export { startKubernetesEmulator } from './startKubernetesEmulator';
export type {
  KubernetesEmulator,
  KubernetesEmulatorOptions,
} from './startKubernetesEmulator';
export type { AccessRule, TokenIdentity } from './auth';
export type { CallFilter, RecordedCall } from './calls';
export type { FaultHandle, FaultSpec } from './faults';
export { FaultInjector } from './faults';
export { CallRecorder } from './calls';
export type { JsonObject, JsonValue } from './json';
export type { CustomResourceDefinition } from './resources';
export type { KubernetesStatus, StatusCause } from './status';
export { parseKubernetesManifests, loadKubernetesManifests } from './manifests';
export { setRouteWeights } from './setRouteWeights';
export { clusterRoleRules } from './clusterRoleRules';
