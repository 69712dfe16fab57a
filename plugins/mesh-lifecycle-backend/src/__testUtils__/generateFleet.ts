import { Entity } from '@backstage/catalog-model';
import {
  EXTERNAL_SOURCE,
  MeshModel,
  ServiceModel,
  createPrng,
  createServiceEntity,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';

/** One generated service and where it runs. */
export interface FleetServiceFixture {
  name: string;
  namespace: string;
  cluster: string;
  replicas: number;
  readyReplicas: number;
}

/** A generated fleet: services spread over clusters, their traffic and objects. */
export interface FleetFixture {
  services: FleetServiceFixture[];
  /** The traffic of each cluster's services (`destination_cluster` = cluster). */
  models: Record<string, MeshModel>;
  /** Namespaces, Deployments, Services and some Istio objects per cluster. */
  objects: Record<string, object[]>;
  /** One catalog entity per service. */
  entities: Entity[];
}

const KUBERNETES_ID = 'backstage.io/kubernetes-id';

/**
 * A deterministic fleet of `count` services spread round-robin over the
 * clusters and `namespaces` namespaces, each called from outside the mesh at
 * a constant rate (no jitter, so rates are exact), with varied latency, 5xx
 * and mTLS shares. Every tenth service has a VirtualService and a
 * DestinationRule; each cluster has a mesh-wide PeerAuthentication.
 */
export function generateFleet(options: {
  count: number;
  clusters: string[];
  namespaces?: number;
  seed?: number;
}): FleetFixture {
  const random = createPrng(options.seed ?? 7);
  const namespaceCount = options.namespaces ?? 10;
  const services: FleetServiceFixture[] = [];
  const models: Record<string, MeshModel> = {};
  const objects: Record<string, object[]> = {};
  for (const cluster of options.clusters) {
    models[cluster] = { seed: 1, jitter: 0, cluster, services: [], edges: [] };
    objects[cluster] = [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'istio-system' },
      },
      ...Array.from({ length: namespaceCount }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: `team-${i}` },
      })),
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'istio-system' },
        spec: { mtls: { mode: 'STRICT' } },
      },
    ];
  }
  for (let i = 0; i < options.count; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    const namespace = `team-${i % namespaceCount}`;
    const cluster = options.clusters[i % options.clusters.length];
    const replicas = 1 + Math.floor(random() * 4);
    const readyReplicas = i % 7 === 0 ? replicas - 1 : replicas;
    services.push({ name, namespace, cluster, replicas, readyReplicas });

    const medianMs = 5 + Math.floor(random() * 60);
    const service: ServiceModel = {
      name,
      namespace,
      versions: [{ version: 'v1', weight: 100 }],
      latencyMs: { kind: 'lognormal', medianMs, p95Ms: medianMs * 4 },
      // Few series per service: most answer no 5xx and all use mTLS.
      errorRatio5xx: i % 4 === 0 ? 0.01 + random() * 0.05 : 0,
      mtlsShare: i % 10 === 3 ? 0.75 : 1,
    };
    models[cluster].services.push(service);
    models[cluster].edges.push({
      source: EXTERNAL_SOURCE,
      destination: name,
      requestsPerSecond: 1 + Math.round(random() * 200) / 4,
    });

    const labels = { app: name, version: 'v1', [KUBERNETES_ID]: name };
    objects[cluster].push(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${name}-v1`, namespace, labels },
        spec: {
          replicas,
          selector: { matchLabels: { app: name, version: 'v1' } },
          template: {
            metadata: { labels },
            spec: { containers: [{ name, image: `example/${name}:1.0.0` }] },
          },
        },
        status: {
          replicas,
          readyReplicas,
          availableReplicas: readyReplicas,
          updatedReplicas: replicas,
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name,
          namespace,
          labels: { app: name, [KUBERNETES_ID]: name },
        },
        spec: {
          selector: { app: name },
          ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
        },
      },
    );
    if (i % 10 === 0) {
      const host = `${name}.${namespace}.svc.cluster.local`;
      objects[cluster].push(
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name, namespace, labels: { [KUBERNETES_ID]: name } },
          spec: {
            hosts: [host],
            http: [
              { route: [{ destination: { host, subset: 'v1' }, weight: 100 }] },
            ],
          },
        },
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'DestinationRule',
          metadata: { name, namespace, labels: { [KUBERNETES_ID]: name } },
          spec: { host, subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
        },
      );
    }
  }
  const entities = services.map(s =>
    createServiceEntity({ name: s.name, kubernetesNamespace: s.namespace }),
  );
  return { services, models, objects, entities };
}
