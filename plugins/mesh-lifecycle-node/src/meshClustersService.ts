import {
  LoggerService,
  RootConfigService,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import {
  ClusterConfig,
  createKubeConfig,
  readMeshLifecycleConfig,
} from './config';

/**
 * What may be shown about a configured cluster: no URL credentials, no token.
 *
 * @public
 */
export interface MeshClusterSummary {
  /** The cluster's name, as used in templates and entity annotations. */
  readonly name: string;
  /** Its free-form environment, e.g. `production`, when configured. */
  readonly environment?: string;
  /** Where it was configured. */
  readonly source: ClusterConfig['source'];
}

/**
 * The clusters configured for Mesh Lifecycle (`meshLifecycle.clusters` and
 * the Kubernetes plugin's clusters), shared by the backend plugin and the
 * scaffolder module so both read the same configuration the same way.
 * Clusters are chosen by name; credentials stay inside the returned
 * `KubeConfig` and never leave the backend.
 *
 * @public
 */
export interface MeshClustersService {
  /** The configured clusters, in configuration order. */
  list(): MeshClusterSummary[];
  /**
   * The configuration of a cluster by name. Throws a `NotFoundError` naming
   * the configured clusters when there is none by that name.
   */
  get(name: string): ClusterConfig;
  /**
   * A `KubeConfig` for the named cluster (see `createKubeConfig`). Throws as
   * {@link MeshClustersService.get}. It holds credentials: never log it.
   */
  kubeConfig(name: string): KubeConfig;
}

/**
 * Builds the {@link MeshClustersService} for already-read configuration.
 *
 * @public
 */
export function createMeshClustersService(
  clusters: readonly ClusterConfig[],
): MeshClustersService {
  const byName = new Map(clusters.map(cluster => [cluster.name, cluster]));
  const get = (name: string): ClusterConfig => {
    const cluster = byName.get(name);
    if (!cluster) {
      const known = [...byName.keys()];
      throw new NotFoundError(
        `No cluster named '${name}' is configured for Mesh Lifecycle; ${
          known.length > 0
            ? `configured clusters: ${known.join(', ')}`
            : 'none is configured (meshLifecycle.clusters)'
        }`,
      );
    }
    return cluster;
  };
  return {
    list: () =>
      clusters.map(({ name, environment, source }) => ({
        name,
        ...(environment !== undefined ? { environment } : {}),
        source,
      })),
    get,
    kubeConfig: name => createKubeConfig(get(name)),
  };
}

function readClusters(
  config: RootConfigService,
  logger: LoggerService,
): MeshClustersService {
  return createMeshClustersService(
    readMeshLifecycleConfig(config, { logger }).clusters,
  );
}

/**
 * Service reference of the {@link MeshClustersService}. Its default factory
 * reads the root configuration once per backend.
 *
 * @public
 */
export const meshClustersServiceRef = createServiceRef<MeshClustersService>({
  id: 'mesh-lifecycle.clusters',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.rootLogger,
      },
      factory: ({ config, logger }) =>
        readClusters(
          config,
          logger.child({ service: 'mesh-lifecycle.clusters' }),
        ),
    }),
});
