/**
 * The clusters of the side-by-side benchmark (see sideBySide.ts): one
 * meshed service the benchmark views, `checkout` in namespace `shop`, and
 * other teams' services around it until a cluster holds about the number of
 * objects asked for. Objects look like what a real API server returns for
 * `kubectl apply`-ed workloads with Istio sidecars: field managers'
 * bookkeeping, kubectl's last-applied copy, injected sidecar and init
 * containers, pod status.
 */

/** The service the benchmark views, as its `backstage.io/kubernetes-id`. */
export const VIEWED_SERVICE = 'checkout';
export const VIEWED_NAMESPACE = 'shop';

/** The catalog entity both backends are asked about. */
export const viewedEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: VIEWED_SERVICE,
    namespace: 'default',
    // No namespace annotation: both look for it in every namespace.
    annotations: { 'backstage.io/kubernetes-id': VIEWED_SERVICE },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-shop' },
};

type Obj = Record<string, unknown>;

const created = '2026-11-20T08:00:00Z';

function managedFields(manager: string, operation: 'Apply' | 'Update') {
  return [
    {
      manager,
      operation,
      apiVersion: 'v1',
      time: created,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': {
          'f:annotations': { '.': {}, 'f:note': {} },
          'f:labels': { '.': {}, 'f:app': {}, 'f:version': {} },
        },
        'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': {} },
      },
    },
  ];
}

function metadata(
  name: string,
  namespace: string | undefined,
  labels: Record<string, string>,
  withLastApplied: boolean,
  extra: Obj = {},
): Obj {
  const base: Obj = {
    name,
    ...(namespace ? { namespace } : {}),
    labels,
    creationTimestamp: created,
    managedFields: managedFields('kubectl-client-side-apply', 'Update'),
    ...extra,
  };
  if (withLastApplied) {
    base.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
        metadata: { name, namespace, labels },
      }).padEnd(600, ' '),
    };
  }
  return base;
}

function serviceObjects(
  app: string,
  namespace: string,
  options: { istio: boolean; pods: number },
): Obj[] {
  const labels = {
    app,
    version: 'v1',
    'backstage.io/kubernetes-id': app,
    'app.kubernetes.io/name': app,
  };
  const hash = Buffer.from(app).toString('hex').slice(0, 10).padEnd(10, '7');
  const container = {
    name: app,
    image: `registry.example.com/${namespace}/${app}:1.4.2`,
    ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '512Mi' },
    },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
  };
  const objects: Obj[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(app, namespace, labels, true),
      spec: {
        replicas: options.pods,
        selector: { matchLabels: { app, version: 'v1' } },
        template: {
          metadata: { labels },
          spec: { serviceAccountName: app, containers: [container] },
        },
      },
      status: {
        replicas: options.pods,
        readyReplicas: options.pods,
        availableReplicas: options.pods,
        updatedReplicas: options.pods,
        observedGeneration: 1,
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: metadata(`${app}-${hash}`, namespace, labels, false, {
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: app,
            uid: `uid-${namespace}-${app}`,
            controller: true,
          },
        ],
      }),
      spec: {
        replicas: options.pods,
        selector: { matchLabels: { app, version: 'v1' } },
        template: {
          metadata: { labels },
          spec: { serviceAccountName: app, containers: [container] },
        },
      },
      status: { replicas: options.pods, readyReplicas: options.pods },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(app, namespace, labels, true),
      spec: {
        selector: { app },
        ports: [{ name: 'http', port: 8080, targetPort: 8080 }],
        clusterIP: '10.96.0.10',
        type: 'ClusterIP',
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata(app, namespace, labels, true),
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(`${app}-config`, namespace, labels, true),
      data: { 'application.yaml': `server:\n  port: 8080\n`.repeat(8) },
    },
  ];
  for (let i = 0; i < options.pods; i++) {
    objects.push(pod(app, namespace, labels, hash, container, i));
  }
  if (options.istio) {
    const host = `${app}.${namespace}.svc.cluster.local`;
    objects.push(
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: metadata(app, namespace, labels, true),
        spec: {
          hosts: [host],
          http: [
            {
              route: [{ destination: { host, subset: 'v1' }, weight: 100 }],
              timeout: '3s',
              retries: {
                attempts: 3,
                perTryTimeout: '1s',
                retryOn: '5xx,reset,connect-failure',
              },
            },
          ],
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: metadata(app, namespace, labels, true),
        spec: {
          host,
          trafficPolicy: {
            connectionPool: { tcp: { maxConnections: 100 } },
            outlierDetection: {
              consecutive5xxErrors: 5,
              interval: '30s',
              baseEjectionTime: '30s',
            },
          },
          subsets: [{ name: 'v1', labels: { version: 'v1' } }],
        },
      },
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: metadata(app, namespace, labels, true),
        spec: {
          selector: { matchLabels: { app } },
          action: 'ALLOW',
          rules: [{ from: [{ source: { namespaces: [namespace] } }] }],
        },
      },
    );
  }
  return objects;
}

function pod(
  app: string,
  namespace: string,
  labels: Record<string, string>,
  hash: string,
  container: Obj,
  index: number,
): Obj {
  const name = `${app}-${hash}-${String(index).padStart(5, 'x')}`;
  const status = (type: string) => ({
    type,
    status: 'True',
    lastTransitionTime: created,
  });
  const containerStatus = (containerName: string, image: string) => ({
    name: containerName,
    image,
    imageID: `${image}@sha256:${'0'.repeat(64)}`,
    containerID: `containerd://${'a'.repeat(64)}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: created } },
  });
  const proxyImage = 'docker.io/istio/proxyv2:1.23.2';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...metadata(
        name,
        namespace,
        {
          ...labels,
          'pod-template-hash': hash,
          'security.istio.io/tlsMode': 'istio',
          'service.istio.io/canonical-name': app,
          'service.istio.io/canonical-revision': 'v1',
        },
        false,
        {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: `${app}-${hash}`,
              uid: `uid-${namespace}-${app}-rs`,
              controller: true,
            },
          ],
        },
      ),
      annotations: {
        'istio.io/rev': 'default',
        'kubectl.kubernetes.io/default-container': app,
        'prometheus.io/path': '/stats/prometheus',
        'prometheus.io/port': '15020',
        'prometheus.io/scrape': 'true',
        'sidecar.istio.io/status': JSON.stringify({
          initContainers: ['istio-init'],
          containers: ['istio-proxy'],
          volumes: [
            'workload-socket',
            'credential-socket',
            'workload-certs',
            'istio-envoy',
            'istio-data',
            'istio-podinfo',
            'istio-token',
            'istiod-ca-cert',
          ],
          imagePullSecrets: null,
          revision: 'default',
        }),
      },
    },
    spec: {
      serviceAccountName: app,
      nodeName: `node-${index % 7}`,
      initContainers: [
        {
          name: 'istio-init',
          image: proxyImage,
          args: [
            'istio-iptables',
            '-p',
            '15001',
            '-z',
            '15006',
            '-u',
            '1337',
            '-m',
            'REDIRECT',
            '-i',
            '*',
            '-x',
            '',
            '-b',
            '*',
            '-d',
            '15090,15021,15020',
            '--log_output_level=default:info',
          ],
        },
      ],
      containers: [
        container,
        {
          name: 'istio-proxy',
          image: proxyImage,
          args: [
            'proxy',
            'sidecar',
            '--domain',
            `${namespace}.svc.cluster.local`,
            '--proxyLogLevel=warning',
            '--proxyComponentLogLevel=misc:error',
            '--log_output_level=default:info',
          ],
          env: [
            'PILOT_CERT_PROVIDER',
            'CA_ADDR',
            'POD_NAME',
            'POD_NAMESPACE',
            'INSTANCE_IP',
            'SERVICE_ACCOUNT',
            'HOST_IP',
            'ISTIO_CPU_LIMIT',
            'PROXY_CONFIG',
            'ISTIO_META_POD_PORTS',
            'ISTIO_META_APP_CONTAINERS',
            'ISTIO_META_CLUSTER_ID',
            'ISTIO_META_NODE_NAME',
            'ISTIO_META_INTERCEPTION_MODE',
            'ISTIO_META_WORKLOAD_NAME',
            'ISTIO_META_OWNER',
            'ISTIO_META_MESH_ID',
          ].map(envName => ({ name: envName, value: `${envName}-value` })),
          ports: [
            { containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' },
          ],
          resources: {
            requests: { cpu: '10m', memory: '40Mi' },
            limits: { cpu: '2', memory: '1Gi' },
          },
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: `10.244.${index % 250}.${(index * 7) % 250}`,
      hostIP: `172.18.0.${index % 7}`,
      startTime: created,
      qosClass: 'Burstable',
      conditions: [
        status('PodReadyToStartContainers'),
        status('Initialized'),
        status('Ready'),
        status('ContainersReady'),
        status('PodScheduled'),
      ],
      containerStatuses: [
        containerStatus(app, String(container.image)),
        containerStatus('istio-proxy', proxyImage),
      ],
    },
  };
}

/**
 * A cluster's objects: the viewed service, a mesh-wide PeerAuthentication
 * and other services (a tenth with their own Istio objects) spread over ten
 * namespaces, until there are at least `size` objects.
 */
export function sideBySideObjects(size: number): Obj[] {
  const namespaces = [
    VIEWED_NAMESPACE,
    ...Array.from({ length: 10 }, (_, i) => `team-${i}`),
  ];
  const objects: Obj[] = [
    ...['istio-system', ...namespaces].map(name => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: metadata(
        name,
        undefined,
        name === 'istio-system' ? {} : { 'istio-injection': 'enabled' },
        true,
      ),
    })),
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: metadata('default', 'istio-system', {}, true),
      spec: { mtls: { mode: 'STRICT' } },
    },
    ...serviceObjects(VIEWED_SERVICE, VIEWED_NAMESPACE, {
      istio: true,
      pods: 2,
    }),
  ];
  for (let i = 0; objects.length < size; i++) {
    objects.push(
      ...serviceObjects(`svc-${i}`, namespaces[1 + (i % 10)], {
        istio: i % 10 === 0,
        pods: 2,
      }),
    );
  }
  return objects;
}
