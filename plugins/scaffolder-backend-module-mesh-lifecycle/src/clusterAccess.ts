import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { isClusterName } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { MeshClustersService } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';

/**
 * What the actions that write to a cluster need: the configured clusters and
 * the permission service to ask whether the template's initiator may.
 *
 * @public
 */
export interface ClusterActionOptions {
  /** The clusters configured for Mesh Lifecycle, chosen by name. */
  clusters: MeshClustersService;
  /** Decides `mesh-lifecycle.manifests.apply` / `.environment.create`. */
  permissions: PermissionsService;
}

/**
 * Checks that `cluster` names a configured cluster: an `InputError` naming the
 * field and listing the configured names otherwise. Only a value that looks
 * like a cluster name is echoed, so a pasted URL or token stays out of logs.
 */
export function requireConfiguredCluster(
  clusters: MeshClustersService,
  cluster: string,
): void {
  const configured = clusters.list().map(c => c.name);
  if (configured.includes(cluster)) return;
  const got = isClusterName(cluster) ? `, got ${JSON.stringify(cluster)}` : '';
  throw new InputError(
    `Input cluster must be the name of a cluster configured for Mesh Lifecycle (${
      configured.length > 0 ? configured.join(', ') : 'none is configured'
    })${got}`,
  );
}

/**
 * Asks the permission framework whether the user who started the template
 * holds `permission` (on `resourceRef`, for a resource permission such as
 * `mesh-lifecycle.traffic.shift` on a service's entity); a
 * `NotAllowedError` saying `refusal` otherwise. The scaffolder runs the
 * actions with the backend's cluster credentials, so this is where a
 * platform team's policy decides who may write to clusters.
 */
export async function authorizeInitiatorTo(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  request:
    | { permission: BasicPermission; resourceRef?: undefined }
    | { permission: ResourcePermission; resourceRef: string },
  refusal: string,
): Promise<void> {
  const [decision] = await permissions.authorize(
    [
      request.resourceRef === undefined
        ? { permission: request.permission }
        : { permission: request.permission, resourceRef: request.resourceRef },
    ],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `${refusal} (permission ${request.permission.name})`,
    );
  }
}

/** {@link authorizeInitiatorTo} a basic permission on a cluster. */
export async function authorizeInitiator(
  permissions: PermissionsService,
  ctx: { getInitiatorCredentials(): Promise<BackstageCredentials> },
  permission: BasicPermission,
  cluster: string,
): Promise<void> {
  await authorizeInitiatorTo(
    permissions,
    await ctx.getInitiatorCredentials(),
    { permission },
    `You are not allowed to ${permission.name} on cluster ${cluster}`,
  );
}
