import { AssertionError } from 'assert';
import {
  SchedulerService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  Entity,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_ERROR_RATIO_PERCENT,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  ANNOTATION_P95_LATENCY_MS,
  ANNOTATION_REPLACED_BY,
  ANNOTATION_RETIREMENT_NOTIFIED,
  compare,
  selector,
  sum,
  rate,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  bookinfoModel,
  createServiceEntity,
  startKubernetesEmulator,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { Server } from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';
import { HISTORY_TASK_ID } from '../../history/scheduleHistory';
import { meshLifecyclePlugin } from '../../plugin';
import { startSilencesServer } from './startSilencesServer';

/** The plugin running against a real cluster emulator and Prometheus. */
export interface ApiTestBackend {
  server: Server;
  /** Where the backend listens, e.g. `http://127.0.0.1:40123`. */
  baseUrl: string;
  /**
   * Runs the plugin's history task (`mesh-lifecycle-history`) now, rather
   * than a minute after startup, and waits for it to finish.
   */
  recordHistory(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A module of the plugin that only hands out the scheduler the plugin
 * registers its tasks with, so that tests can trigger them.
 */
function schedulerOfPlugin(onScheduler: (scheduler: SchedulerService) => void) {
  return createBackendModule({
    pluginId: 'mesh-lifecycle',
    moduleId: 'test-scheduler',
    register(env) {
      env.registerInit({
        deps: { scheduler: coreServices.scheduler },
        async init({ scheduler }) {
          onScheduler(scheduler);
        },
      });
    },
  });
}

/**
 * Entities of the test catalog, by what they exercise: `checkout-service`
 * runs on the emulated `prod` cluster, `checkout-by-selector` finds the same
 * objects through a label selector (and is retiring, its dependents'
 * owners notified), `reviews` has traffic, callers, callees and alerting
 * rules in Prometheus, declares a dependency it does not call and is
 * misconfigured on the `test` cluster, `productpage` calls it and declares so, `ratings` is pinned to the
 * `prod` cluster (so its figures are restricted to prod's Istio cluster ID)
 * and `broken-service` has a malformed annotation.
 */
export const apiTestEntities = {
  checkout: createServiceEntity({
    name: 'checkout-service',
    phase: 'deploy',
    kubernetesNamespace: 'shop',
    annotations: {
      [ANNOTATION_P95_LATENCY_MS]: '250',
      [ANNOTATION_ERROR_RATIO_PERCENT]: '1.5',
    },
  }),
  checkoutBySelector: createServiceEntity({
    name: 'checkout-by-selector',
    kubernetesNamespace: 'shop',
    lifecycle: 'deprecated',
    annotations: {
      [ANNOTATION_KUBERNETES_LABEL_SELECTOR]:
        'app in (checkout-service),tier notin (legacy)',
      [ANNOTATION_REPLACED_BY]: 'none',
      [ANNOTATION_RETIREMENT_NOTIFIED]: '2026-11-20',
    },
  }),
  reviews: createServiceEntity({
    name: 'reviews',
    kubernetesNamespace: 'bookinfo',
    dependsOn: ['component:default/checkout-service'],
  }),
  productpage: createServiceEntity({
    name: 'productpage',
    kubernetesNamespace: 'bookinfo',
    owner: 'group:default/team-pages',
    dependsOn: ['component:default/reviews'],
  }),
  ratings: createServiceEntity({
    name: 'ratings',
    kubernetesNamespace: 'bookinfo',
    cluster: 'prod',
  }),
  broken: createServiceEntity({
    name: 'broken-service',
    kubernetesNamespace: 'Not A Namespace',
  }),
};

/** The `dependsOn` relations, both ways, as the catalog's processors add them. */
function withDependsOnRelations(entities: Entity[]): Entity[] {
  const byRef = new Map(
    entities.map(entity => [stringifyEntityRef(entity), entity]),
  );
  const relate = (from: string, type: string, targetRef: string) => {
    const entity = byRef.get(from);
    if (entity) {
      entity.relations = [...(entity.relations ?? []), { type, targetRef }];
    }
  };
  for (const [ref, entity] of byRef) {
    const dependsOn = entity.spec?.dependsOn;
    for (const target of Array.isArray(dependsOn) ? dependsOn : []) {
      relate(ref, RELATION_DEPENDS_ON, String(target));
      relate(String(target), RELATION_DEPENDENCY_OF, ref);
    }
  }
  return entities;
}

/**
 * `reviews` on the `test` cluster: a Service and a VirtualService that
 * routes half its requests to a host that does not exist (an error of the
 * mesh configuration validator, KIA1101) and half to a subset no
 * DestinationRule defines (a warning, KIA1107).
 */
const reviewsMisconfigured = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookinfo' } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'reviews',
      namespace: 'bookinfo',
      labels: { app: 'reviews', 'backstage.io/kubernetes-id': 'reviews' },
    },
    spec: {
      selector: { app: 'reviews' },
      ports: [{ name: 'http', port: 9080, protocol: 'TCP' }],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: {
      name: 'reviews',
      namespace: 'bookinfo',
      labels: { 'backstage.io/kubernetes-id': 'reviews' },
    },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          route: [
            { destination: { host: 'reviewz' }, weight: 50 },
            { destination: { host: 'reviews', subset: 'v3' }, weight: 50 },
          ],
        },
      ],
    },
  },
];

/** Requests per second `reviews` served over the last 10 minutes. */
const reviewsTraffic = sum(
  rate(
    selector('istio_requests_total', {
      reporter: 'destination',
      destination_service_name: 'reviews',
    }),
    600,
  ),
);

/**
 * The name of the silence the Alertmanager holds: it mutes
 * `ReviewsServing`.
 */
export const apiTestSilencedAlert = 'ReviewsServing';

/**
 * Starts the plugin with `startTestBackend` against emulated `prod` and
 * `test` clusters (the example manifests), a real Prometheus holding bookinfo
 * telemetry and alerting rules about `reviews`, and an Alertmanager's
 * silences, plus a cluster, a Prometheus and an Alertmanager that cannot be
 * reached, so that every answer holds both an `ok` and an `error` source.
 */
/** The one user the API test backend's permission policy refuses. */
export const API_TEST_OUTSIDER = 'user:default/outsider';

export async function startApiTestBackend(): Promise<ApiTestBackend> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    await Promise.all(stops.map(stop => stop()));
  };
  try {
    const prod = await startKubernetesEmulator({
      name: 'prod',
      manifests: join(__dirname, '../../../../../examples/clusters/prod'),
    });
    stops.push(() => prod.stop());
    // A second cluster on the global Prometheus, so that it watches more
    // clusters than a service pinned to one.
    const test = await startKubernetesEmulator({
      name: 'test',
      manifests: join(__dirname, '../../../../../examples/clusters/test'),
    });
    stops.push(() => test.stop());
    for (const object of reviewsMisconfigured) {
      test.apply(object);
    }
    const end = new Date(Date.now() - 60_000);
    const prometheus = await startPrometheus({
      backfill: toOpenMetrics(bookinfoModel(), {
        start: new Date(end.getTime() - 900_000),
        end,
        stepSeconds: 30,
      }),
      rules: {
        groups: [
          {
            name: 'bookinfo',
            rules: [
              {
                alert: apiTestSilencedAlert,
                expr: compare(reviewsTraffic, '>', 0),
                labels: { severity: 'info' },
                annotations: { summary: 'reviews takes traffic' },
              },
              {
                // Holds, but not for long enough: stays pending.
                alert: 'ReviewsBusy',
                expr: compare(reviewsTraffic, '>', 0),
                for: '1h',
                labels: { destination_service_name: 'reviews' },
              },
            ],
          },
        ],
      },
    });
    stops.push(() => prometheus.stop());
    const now = Date.now();
    const alertmanager = await startSilencesServer([
      {
        id: 'b7e1c5a2-4f0e-4c1e-9b57-3f1d2a9e8c11',
        status: { state: 'active' },
        updatedAt: new Date(now - 60_000).toISOString(),
        comment: 'known, nothing to do',
        createdBy: 'ops',
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        matchers: [
          {
            name: 'alertname',
            value: apiTestSilencedAlert,
            isRegex: false,
            isEqual: true,
          },
        ],
      },
    ]);
    stops.push(() => alertmanager.stop());
    let scheduler: SchedulerService | undefined;
    const { server } = await startTestBackend({
      features: [
        meshLifecyclePlugin,
        schedulerOfPlugin(s => {
          scheduler = s;
        }),
        catalogServiceMock.factory({
          entities: withDependsOnRelations(
            structuredClone(Object.values(apiTestEntities)),
          ),
        }),
        // A policy that refuses the mesh-wide validation to one user only.
        mockServices.permissions.mock({
          authorize: async (requests, { credentials: { principal } }) => {
            const outsider =
              typeof principal === 'object' &&
              principal !== null &&
              'userEntityRef' in principal &&
              principal.userEntityRef === API_TEST_OUTSIDER;
            return requests.map(() => ({
              result: outsider ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
            }));
          },
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: {
              clusters: [
                {
                  name: 'prod',
                  url: prod.url,
                  environment: 'production',
                  serviceAccountToken: prod.token,
                  allowInsecureHttp: true,
                  // The bookinfo telemetry's cluster ID.
                  istioClusterId: 'Kubernetes',
                },
                {
                  name: 'gone',
                  url: 'http://127.0.0.1:1',
                  serviceAccountToken: 'x',
                  allowInsecureHttp: true,
                  prometheus: { url: 'http://127.0.0.1:1' },
                  alertmanager: { url: 'http://127.0.0.1:1' },
                },
                {
                  name: 'test',
                  url: test.url,
                  environment: 'test',
                  serviceAccountToken: test.token,
                  allowInsecureHttp: true,
                },
              ],
              prometheus: { url: prometheus.url },
              alertmanager: { url: alertmanager.url },
              timeouts: { cluster: '2s', prometheus: '2s' },
            },
          },
        }),
      ],
    });
    const baseUrl = new URL('http://127.0.0.1');
    baseUrl.port = String((server.address() as AddressInfo).port);
    return {
      server,
      baseUrl: baseUrl.origin,
      async recordHistory() {
        if (!scheduler) {
          throw new AssertionError({ message: 'The plugin has no scheduler' });
        }
        await scheduler.triggerTask(HISTORY_TASK_ID);
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
