import { ResourceType } from './ClusterObjectCache';
import { ServedApis } from './discoverServedVersion';
import {
  deploymentSchema,
  namedObjectSchema,
  podSchema,
  serviceSchema,
} from './objectSchemas';

/** The Kubernetes kinds the plugin reads. */
export const KUBERNETES_RESOURCES = {
  deployments: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    plural: 'deployments',
    keep: deploymentSchema,
  },
  services: {
    apiVersion: 'v1',
    kind: 'Service',
    plural: 'services',
    keep: serviceSchema,
  },
  pods: { apiVersion: 'v1', kind: 'Pod', plural: 'pods', keep: podSchema },
  namespaces: {
    apiVersion: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    clusterScoped: true,
    keep: namedObjectSchema,
  },
  serviceAccounts: {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    keep: namedObjectSchema,
  },
  serviceMonitors: {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
  },
} satisfies Record<string, ResourceType>;

/**
 * The Istio kinds the plugin reads, in the versions the cluster serves
 * (security in v1beta1 when the cluster's is not known).
 */
export function istioResources(versions: {
  networking: string;
  security?: string;
}) {
  const networkingVersion = versions.networking;
  const securityVersion = versions.security ?? 'v1beta1';
  return {
    virtualServices: {
      apiVersion: `networking.istio.io/${networkingVersion}`,
      kind: 'VirtualService',
      plural: 'virtualservices',
    },
    destinationRules: {
      apiVersion: `networking.istio.io/${networkingVersion}`,
      kind: 'DestinationRule',
      plural: 'destinationrules',
    },
    serviceEntries: {
      apiVersion: `networking.istio.io/${networkingVersion}`,
      kind: 'ServiceEntry',
      plural: 'serviceentries',
    },
    gateways: {
      apiVersion: `networking.istio.io/${networkingVersion}`,
      kind: 'Gateway',
      plural: 'gateways',
    },
    peerAuthentications: {
      apiVersion: `security.istio.io/${securityVersion}`,
      kind: 'PeerAuthentication',
      plural: 'peerauthentications',
    },
    authorizationPolicies: {
      apiVersion: `security.istio.io/${securityVersion}`,
      kind: 'AuthorizationPolicy',
      plural: 'authorizationpolicies',
    },
  } satisfies Record<string, ResourceType>;
}

/**
 * The Istio kinds in the versions a cluster serves, or undefined when it
 * serves no `networking.istio.io` (no Istio).
 */
export function servedIstioResources(
  versions: ServedApis,
): ReturnType<typeof istioResources> | undefined {
  const { networking, security } = versions;
  return networking ? istioResources({ networking, security }) : undefined;
}

/**
 * Every kind an entity page reads from a cluster on its first view (the mesh
 * tab, the lifecycle card and its configuration checks), in the Istio
 * versions the cluster serves, ServiceMonitors where it serves them: what
 * the caches watch from the start.
 */
export function entityPageResources(versions: ServedApis): ResourceType[] {
  return [
    ...Object.values(KUBERNETES_RESOURCES).filter(
      type =>
        type !== KUBERNETES_RESOURCES.serviceMonitors ||
        versions.monitoring !== undefined,
    ),
    ...Object.values(servedIstioResources(versions) ?? {}),
  ];
}
