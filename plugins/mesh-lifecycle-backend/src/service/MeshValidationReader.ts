import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  MeshValidationResponse,
  validateMeshNamespace,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { MeshCluster } from './ClusterMeshReader';
import { readMeshConfigSnapshot } from './readMeshConfigSnapshot';
import { sourceError } from './sourceError';

/**
 * Validates the mesh configuration of a namespace (or of every namespace)
 * of the configured clusters, object by object, whether or not a catalog
 * service claims them: the mesh-wide view of the validator. Each cluster
 * answers or fails on its own.
 */
export class MeshValidationReader {
  private readonly clusters: MeshCluster[];
  private readonly logger: LoggerService;

  constructor(options: { clusters: MeshCluster[]; logger: LoggerService }) {
    this.clusters = options.clusters;
    this.logger = options.logger;
  }

  /**
   * The findings of one cluster (every configured cluster when `cluster` is
   * left out) for `namespace` (every namespace when left out). Throws a
   * `NotFoundError` for a cluster that is not configured.
   */
  async read(options: {
    cluster?: string;
    namespace?: string;
  }): Promise<MeshValidationResponse> {
    const { cluster, namespace } = options;
    const clusters =
      cluster === undefined
        ? this.clusters
        : this.clusters.filter(c => c.name === cluster);
    if (clusters.length === 0 && cluster !== undefined) {
      const names = this.clusters.map(c => c.name).sort();
      const list = names.length
        ? `the configured clusters are ${names.join(', ')}`
        : 'no cluster is configured';
      throw new NotFoundError(
        `cluster ${JSON.stringify(
          cluster,
        )} is not configured; ${list} (meshLifecycle.clusters, or the Kubernetes plugin's kubernetes.clusterLocatorMethods)`,
      );
    }
    return {
      ...(namespace !== undefined ? { namespace } : {}),
      clusters: await Promise.all(
        clusters.map(
          async (c): Promise<MeshValidationResponse['clusters'][number]> => {
            try {
              const snapshot = await readMeshConfigSnapshot(c, this.logger);
              return {
                source: c.name,
                status: 'ok',
                findings: validateMeshNamespace({ snapshot, namespace }),
              };
            } catch (error) {
              return {
                source: c.name,
                status: 'error',
                // Failures of API discovery, too, as one line saying what to check.
                error: sourceError(c.objects.failure(error)),
              };
            }
          },
        ),
      ),
    };
  }
}
