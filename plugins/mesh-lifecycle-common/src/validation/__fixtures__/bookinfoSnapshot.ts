import { MeshConfigSnapshot, ValidatedDestinationRule } from '../types';

const NAMESPACE = 'bookinfo';

/** The services of Istio's bookinfo sample and the versions deployed. */
const DEPLOYED: Record<string, string[]> = {
  productpage: ['v1'],
  details: ['v1'],
  ratings: ['v1'],
  reviews: ['v1', 'v2', 'v3'],
};

/**
 * The DestinationRules of upstream Istio's
 * `samples/bookinfo/networking/destination-rule-all.yaml`: subsets for
 * versions of which only some are deployed (ratings v2, v2-mysql,
 * v2-mysql-vm and details v2 are not).
 */
const SUBSETS: Record<string, string[]> = {
  productpage: ['v1'],
  reviews: ['v1', 'v2', 'v3'],
  ratings: ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm'],
  details: ['v1', 'v2'],
};

function destinationRule(host: string): ValidatedDestinationRule {
  return {
    metadata: { name: host, namespace: NAMESPACE },
    spec: {
      host,
      subsets: SUBSETS[host].map(version => ({
        name: version,
        labels: { version },
      })),
    },
  };
}

/**
 * Istio's bookinfo sample in namespace `bookinfo`, as installed by
 * `bookinfo.yaml`, with `destination-rule-all.yaml` and
 * `virtual-service-all-v1.yaml` applied (every route to subset v1). Every
 * call returns fresh objects, so tests may mutate them.
 */
export function bookinfoSnapshot(): MeshConfigSnapshot {
  const services = Object.keys(DEPLOYED);
  return {
    namespaces: ['istio-system', NAMESPACE].map(name => ({
      metadata: { name },
    })),
    services: services.map(name => ({
      metadata: { name, namespace: NAMESPACE, labels: { app: name } },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
    })),
    workloads: services.flatMap(name =>
      DEPLOYED[name].map(version => ({
        metadata: { name: `${name}-${version}`, namespace: NAMESPACE },
        spec: {
          template: {
            metadata: { labels: { app: name, version } },
            spec: { serviceAccountName: `bookinfo-${name}` },
          },
        },
      })),
    ),
    serviceAccounts: services.map(name => ({
      metadata: { name: `bookinfo-${name}`, namespace: NAMESPACE },
    })),
    virtualServices: services.map(name => ({
      metadata: { name, namespace: NAMESPACE },
      spec: {
        hosts: [name],
        http: [{ route: [{ destination: { host: name, subset: 'v1' } }] }],
      },
    })),
    destinationRules: Object.keys(SUBSETS).map(destinationRule),
    serviceEntries: [],
    peerAuthentications: [],
    authorizationPolicies: [],
    gateways: [],
  };
}
