import { ResourceType } from './ClusterObjectCache';

/** The Kubernetes kinds the plugin reads. */
export const KUBERNETES_RESOURCES = {
  deployments: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    plural: 'deployments',
  },
  services: { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  pods: { apiVersion: 'v1', kind: 'Pod', plural: 'pods' },
  namespaces: { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces' },
  serviceAccounts: {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
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
