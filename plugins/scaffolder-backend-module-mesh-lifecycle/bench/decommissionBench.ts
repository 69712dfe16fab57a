/*
 * Benchmark: decommissioning a service with 50 objects on the Kubernetes
 * API emulator, through the real @kubernetes/client-node, excluding
 * configured waits (its pods are gone as soon as it is scaled to zero).
 * Target: at most 5 s per decommission. See README.md.
 */
import { objectApiFor } from '../src/kubernetes/__testUtils__/objectApiFor';
import { JsonValue } from '@backstage/types';
import { startKubernetesEmulator } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { listNamespaceObjects } from '../src/decommission/listNamespaceObjects';
import { planDecommission } from '../src/decommission/planDecommission';
import { runDecommission } from '../src/decommission/runDecommission';

const TARGET_MS = 5000;
const RUNS = 5;
const NAMESPACE = 'shop';

/** 50 objects of one service (`orders`), and as many of a neighbour. */
function serviceObjects(id: string): object[] {
  const labels = { app: id, 'backstage.io/kubernetes-id': id };
  const metadata = (name: string) => ({ name, namespace: NAMESPACE, labels });
  const objects: object[] = [];
  for (let v = 1; v <= 5; v++) {
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(`${id}-v${v}`),
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: id, version: `v${v}` } },
        template: {
          metadata: { labels: { ...labels, version: `v${v}` } },
          spec: {
            serviceAccountName: id,
            containers: [
              {
                name: 'app',
                image: `registry.example.com/${id}:${v}`,
                envFrom: [{ configMapRef: { name: `${id}-config-${v}` } }],
              },
            ],
          },
        },
      },
    });
  }
  for (let i = 1; i <= 10; i++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(`${id}-config-${i}`),
      data: { key: `value-${i}` },
    });
  }
  for (let i = 1; i <= 15; i++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(`${id}-secret-${i}`),
      data: { password: 'c2VjcmV0' },
    });
  }
  for (let i = 1; i <= 5; i++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(`${id}-${i}`),
      spec: { selector: { app: id }, ports: [{ port: 80 }] },
    });
    objects.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: metadata(`${id}-${i}`),
      spec: {
        hosts: [`${id}-${i}`],
        http: [{ route: [{ destination: { host: `${id}-${i}` } }] }],
      },
    });
    objects.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: metadata(`${id}-${i}`),
      spec: { host: `${id}-${i}` },
    });
  }
  objects.push(
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata(id),
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: metadata(id),
      spec: {
        selector: { matchLabels: { app: id } },
        mtls: { mode: 'STRICT' },
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: metadata(id),
      spec: {
        selector: { matchLabels: { app: id } },
        action: 'ALLOW',
        rules: [{}],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: metadata(id),
      spec: {
        selector: { matchLabels: { app: id } },
        endpoints: [{ port: 'http' }],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: metadata(`${id}-alerts`),
      spec: { groups: [] },
    },
  );
  return objects;
}

async function main() {
  const timings: number[] = [];
  let objectCount = 0;
  for (let run = 0; run < RUNS; run++) {
    const emulator = await startKubernetesEmulator({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
        ...serviceObjects('orders'),
        ...serviceObjects('invoices'),
      ],
    });
    try {
      const objects = objectApiFor(emulator);
      const done = new Map<string, JsonValue>();
      const started = performance.now();
      // What the action reads: every kind of the namespace, through the API.
      const listed = await listNamespaceObjects(objects, NAMESPACE);
      const plan = planDecommission({
        target: { kubernetesId: 'orders', namespace: NAMESPACE },
        objects: listed,
      });
      objectCount = plan.delete.length;
      await runDecommission(
        { plan, initiatedBy: 'user:default/bench', requestId: `bench-${run}` },
        {
          objects,
          checkpoint: async (key, fn) => {
            if (!done.has(key)) done.set(key, await fn());
            return done.get(key) as never;
          },
          archive: async () => {},
          sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
          log: () => {},
        },
      );
      timings.push(performance.now() - started);
      const left = emulator.list(
        'v1',
        'ConfigMap',
        NAMESPACE,
        'backstage.io/kubernetes-id=orders',
      );
      const neighbour = emulator.list(
        'v1',
        'ConfigMap',
        NAMESPACE,
        'backstage.io/kubernetes-id=invoices',
      );
      if (left.length !== 0 || neighbour.length !== 10) {
        throw new Error('The decommission did not do what it should');
      }
      if (objectCount !== 50) {
        throw new Error(`The plan deletes ${objectCount} objects, not 50`);
      }
    } finally {
      await emulator.stop();
    }
  }
  timings.sort((a, b) => a - b);
  const p50 = timings[Math.floor(timings.length / 2)];
  const max = timings[timings.length - 1];
  const met = max <= TARGET_MS;
  console.table([
    {
      measure: `decommission of ${objectCount} objects (list, plan, mark, scale, archive, delete)`,
      p50: `${Math.round(p50)} ms`,
      max: `${Math.round(max)} ms`,
      target: `≤ ${TARGET_MS} ms`,
      met: met ? 'yes' : 'NO',
    },
  ]);
  process.exitCode = met ? 0 : 1;
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
