export {
  readMeshLifecycleConfig,
  readMeshLifecycleThresholds,
} from './readMeshLifecycleConfig';
export type { ReadMeshLifecycleConfigOptions } from './readMeshLifecycleConfig';
export { createKubeConfig } from './createKubeConfig';
export { misplacedApiPath } from './misplacedApiPath';
export type { MisplacedApiPath } from './misplacedApiPath';
export type {
  ClusterAuthConfig,
  ClusterConfig,
  ClusterTlsConfig,
  MeshLifecycleConfig,
  MeshLifecycleCachesConfig,
  MeshLifecycleHistoryConfig,
  MeshLifecycleTimeouts,
  AlertmanagerSourceConfig,
  PrometheusSourceConfig,
  SkippedClusterConfig,
} from './MeshLifecycleConfig';
