import { LoggerService } from '@backstage/backend-plugin-api';
import { MeshConfigSnapshot } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import { ResourceType } from '../clusters/ClusterObjectCache';
import {
  deploymentSchema,
  destinationRuleSchema,
  gatewaySchema,
  namedObjectSchema,
  parseObjects,
  podSchema,
  serviceEntrySchema,
  serviceSchema,
  virtualServiceSchema,
  workloadPolicySchema,
} from '../clusters/objectSchemas';
import {
  KUBERNETES_RESOURCES,
  servedIstioResources,
} from '../clusters/resources';
import { MeshCluster } from './ClusterMeshReader';

/**
 * Every object of one cluster the mesh configuration validator reads, from
 * the cluster's watch caches. Gateways and Pods are left out (and the checks
 * that need them not made) when the cluster does not let them be listed,
 * since older deployments of the plugin were not granted them; any other
 * list that fails fails the whole snapshot.
 */
export async function readMeshConfigSnapshot(
  cluster: MeshCluster,
  logger: LoggerService,
) {
  const list = async <T extends z.ZodType>(type: ResourceType, schema: T) =>
    parseObjects(schema, await cluster.objects.list(type), message =>
      logger.warn(
        `Ignoring a ${type.kind} on cluster ${cluster.name}: ${message}`,
      ),
    );
  const optional = <T>(type: ResourceType, listing: Promise<T[]>) =>
    listing.catch((error: unknown) => {
      // The cache has warned about the failure itself.
      logger.debug(
        `Cannot list ${type.kind} objects of cluster ${cluster.name}, the checks that need them are not made: ${error}`,
      );
      return undefined;
    });
  const istio = servedIstioResources(await cluster.servedApis());
  const none = async () => [];
  const [
    namespaces,
    services,
    workloads,
    serviceAccounts,
    pods,
    virtualServices,
    destinationRules,
    serviceEntries,
    gateways,
    peerAuthentications,
    authorizationPolicies,
  ] = await Promise.all([
    list(KUBERNETES_RESOURCES.namespaces, namedObjectSchema),
    list(KUBERNETES_RESOURCES.services, serviceSchema),
    list(KUBERNETES_RESOURCES.deployments, deploymentSchema),
    list(KUBERNETES_RESOURCES.serviceAccounts, namedObjectSchema),
    optional(
      KUBERNETES_RESOURCES.pods,
      list(KUBERNETES_RESOURCES.pods, podSchema),
    ),
    istio ? list(istio.virtualServices, virtualServiceSchema) : none(),
    istio ? list(istio.destinationRules, destinationRuleSchema) : none(),
    istio ? list(istio.serviceEntries, serviceEntrySchema) : none(),
    istio
      ? optional(istio.gateways, list(istio.gateways, gatewaySchema))
      : none(),
    istio ? list(istio.peerAuthentications, workloadPolicySchema) : none(),
    istio ? list(istio.authorizationPolicies, workloadPolicySchema) : none(),
  ]);
  return {
    namespaces,
    services,
    workloads,
    serviceAccounts,
    virtualServices,
    destinationRules,
    serviceEntries,
    peerAuthentications,
    authorizationPolicies,
    ...(gateways ? { gateways } : {}),
    ...(pods ? { pods } : {}),
  } satisfies MeshConfigSnapshot;
}
