import { ANNOTATION_REPLACED_BY } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  EXTERNAL_SOURCE,
  JsonObject,
  KubernetesEmulator,
  MeshModel,
  PrometheusInstance,
  createServiceEntity,
  parseKubernetesManifests,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import { meshLifecycleTestConfig } from '../../__testUtils__/testBackend';
import { DECOMMISSION_KINDS } from '../planDecommission';
import { LEGACY_SECRET, readNamespace } from './readNamespace';

/*
 * The demo's shop, as the retirement's integration tests set it up:
 * legacy-pricing-service, quiet for an hour, replaced by pricing-service,
 * which checkout and inventory call.
 */

/** The demo's production cluster manifests. */
export const PROD_MANIFESTS = path.resolve(
  __dirname,
  '../../../../../examples/clusters/prod',
);
export const LEGACY = 'legacy-pricing-service';
export const LEGACY_REF = `component:default/${LEGACY}`;
export const PRICING_REF = 'component:default/pricing-service';
/** The Istio cluster ID of the emulated production cluster. */
export const ISTIO_CLUSTER = 'prod-mesh';

const service = (name: string) => ({
  name,
  namespace: 'shop',
  versions: [{ version: 'v1', weight: 100 }],
  latencyMs: { kind: 'lognormal' as const, medianMs: 20, p95Ms: 80 },
});

/**
 * The shop's traffic: pricing-service called by checkout and inventory;
 * legacy-pricing-service called by inventory until an hour ago, quiet since
 * (its series stay, flat).
 */
export function shopModel(): MeshModel {
  return {
    seed: 11,
    jitter: 0,
    cluster: ISTIO_CLUSTER,
    services: [
      service('checkout-service'),
      service('inventory-service'),
      service('pricing-service'),
      { ...service(LEGACY), idleAfter: new Date(Date.now() - 3_600_000) },
    ],
    edges: [
      {
        source: EXTERNAL_SOURCE,
        destination: 'checkout-service',
        requestsPerSecond: 5,
      },
      {
        source: 'checkout-service',
        destination: 'pricing-service',
        requestsPerSecond: 4,
      },
      {
        source: 'inventory-service',
        destination: 'pricing-service',
        requestsPerSecond: 1,
      },
      {
        source: 'inventory-service',
        destination: LEGACY,
        requestsPerSecond: 1,
      },
    ],
  };
}

/** Two hours of the shop's telemetry up to two minutes ago, for a backfill. */
export function shopTelemetry(): string {
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
  return toOpenMetrics(shopModel(), {
    start: new Date(end.getTime() - 7_200_000),
    end,
    stepSeconds: 30,
  });
}

/** The shop's services in the catalog, each with its owner. */
export const SHOP_ENTITIES = [
  createServiceEntity({
    name: LEGACY,
    phase: 'retire',
    kubernetesNamespace: 'shop',
    cluster: 'prod',
    owner: 'group:default/team-platform',
    annotations: { [ANNOTATION_REPLACED_BY]: PRICING_REF },
  }),
  ...[
    ['pricing-service', 'team-pricing'],
    ['checkout-service', 'team-commerce'],
    ['inventory-service', 'team-inventory'],
  ].map(([name, team]) =>
    createServiceEntity({
      name,
      phase: 'operate',
      kubernetesNamespace: 'shop',
      cluster: 'prod',
      owner: `group:default/${team}`,
    }),
  ),
];

/** `meshLifecycle` configuration: the emulated cluster and the Prometheus. */
export function shopConfig(
  emulator: KubernetesEmulator,
  prometheus: PrometheusInstance,
): JsonObject {
  return meshLifecycleTestConfig({
    emulator,
    name: 'prod',
    istioClusterId: ISTIO_CLUSTER,
    prometheusUrl: prometheus.url,
  });
}

/**
 * legacy-pricing-service as the demo's cluster has it (with its Secret),
 * but running 2 replicas and its VirtualService still routing it all.
 */
export function restoreLegacy(emulator: KubernetesEmulator): void {
  const manifests = parseKubernetesManifests(
    fs.readFileSync(path.join(PROD_MANIFESTS, `${LEGACY}.yaml`), 'utf8'),
  );
  for (const o of manifests) {
    const metadata = o.metadata as JsonObject;
    if (o.kind === 'Deployment') {
      emulator.apply({
        ...o,
        spec: { ...(o.spec as JsonObject), replicas: 2 },
      });
    } else if (o.kind === 'VirtualService') {
      const spec = o.spec as { http: Array<{ route: JsonObject[] }> };
      emulator.apply({
        ...o,
        spec: {
          ...spec,
          http: spec.http.map(r => ({
            ...r,
            route: r.route.map(d => ({
              ...d,
              weight: JSON.stringify(d.destination).includes(LEGACY) ? 100 : 0,
            })),
          })),
        },
      });
    } else if (metadata.namespace === 'shop') {
      emulator.apply(o);
    }
  }
  emulator.apply(LEGACY_SECRET);
}

/** legacy-pricing-service's objects of the kinds a decommission deletes. */
export function legacyObjects(emulator: KubernetesEmulator): string[] {
  return readNamespace(emulator, 'shop')
    .filter(
      o =>
        o.metadata.labels?.['backstage.io/kubernetes-id'] === LEGACY &&
        DECOMMISSION_KINDS.includes(o.kind),
    )
    .map(o => `${o.kind}/${o.metadata.name}`)
    .sort();
}

/** Every other object of the namespace, down to its resourceVersion. */
export function neighbours(emulator: KubernetesEmulator): string[] {
  return readNamespace(emulator, 'shop')
    .filter(o => o.metadata.labels?.['backstage.io/kubernetes-id'] !== LEGACY)
    .map(o => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`)
    .sort();
}
