/**
 * Node.js library of Mesh Lifecycle, shared by its backend plugin and its
 * scaffolder module: the configuration reader, `KubeConfig`s for the
 * configured clusters and the service that hands them out by name.
 *
 * @packageDocumentation
 */

export * from './config';
export {
  createMeshClustersService,
  meshClustersServiceRef,
} from './meshClustersService';
export type {
  MeshClusterSummary,
  MeshClustersService,
} from './meshClustersService';
export {
  describeClusterFailure,
  describeKubernetesFailure,
  kubernetesFailure,
  redactCredentials,
} from './kubernetesFailure';
export type {
  ClusterFailureContext,
  ClusterFailureDescription,
  KubernetesFailure,
} from './kubernetesFailure';
