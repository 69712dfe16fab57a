/**
 * A cluster configured for Mesh Lifecycle, as far as the browser may know
 * it: its name and environment, never its URL or credentials.
 *
 * @public
 */
export interface MeshClusterInfo {
  /** The cluster's name, as templates and entity annotations use it. */
  name: string;
  /** Its free-form environment, e.g. `production`, when configured. */
  environment?: string;
}

/**
 * The `clusters` answer: the clusters configured for Mesh Lifecycle, in
 * configuration order.
 *
 * @public
 */
export interface ClustersResponse {
  clusters: MeshClusterInfo[];
}
