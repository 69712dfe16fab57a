import { MeshConfigSnapshot } from '../types';

const labels = (version: string) => ({ app: 'reviews', version });

const deployment = (version: string) => ({
  kind: 'Deployment',
  metadata: { name: `reviews-${version}`, namespace: 'bookinfo' },
  spec: {
    template: {
      metadata: { labels: labels(version) },
      spec: { serviceAccountName: 'bookinfo-reviews' },
    },
  },
});

/**
 * A clean configuration: service `reviews` in `bookinfo`, versions v1 and v2
 * split 80/20, STRICT mTLS, callers admitted by principal and namespace.
 * Every call returns fresh objects, so tests may mutate them.
 */
export function reviewsSnapshot(): MeshConfigSnapshot {
  return {
    namespaces: ['istio-system', 'bookinfo', 'frontend'].map(name => ({
      metadata: { name },
    })),
    services: [
      {
        metadata: { name: 'reviews', namespace: 'bookinfo' },
        spec: {
          selector: { app: 'reviews' },
          ports: [
            { name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' },
            { name: 'grpc-admin', port: 9090, targetPort: 9090 },
          ],
        },
      },
      {
        metadata: { name: 'ratings', namespace: 'bookinfo' },
        spec: {
          selector: { app: 'ratings' },
          ports: [{ name: 'http', port: 9080 }],
        },
      },
    ],
    workloads: [deployment('v1'), deployment('v2')],
    serviceAccounts: [
      { metadata: { name: 'bookinfo-reviews', namespace: 'bookinfo' } },
      { metadata: { name: 'productpage', namespace: 'frontend' } },
    ],
    virtualServices: [
      {
        metadata: { name: 'reviews', namespace: 'bookinfo' },
        spec: {
          hosts: ['reviews'],
          http: [
            {
              name: 'ratings-preview',
              route: [{ destination: { host: 'ratings' } }],
            },
            {
              name: 'default',
              route: [
                { destination: { host: 'reviews', subset: 'v1' }, weight: 80 },
                { destination: { host: 'reviews', subset: 'v2' }, weight: 20 },
              ],
            },
          ],
        },
      },
      // A gateway's VirtualService for the same host does not conflict with
      // the sidecars' one.
      {
        metadata: { name: 'reviews-ingress', namespace: 'bookinfo' },
        spec: {
          hosts: ['reviews.bookinfo.svc.cluster.local'],
          gateways: ['istio-system/public'],
          http: [
            { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
          ],
        },
      },
    ],
    destinationRules: [
      {
        metadata: { name: 'reviews', namespace: 'bookinfo' },
        spec: {
          host: 'reviews.bookinfo.svc.cluster.local',
          trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            { name: 'v2', labels: { version: 'v2' } },
          ],
        },
      },
    ],
    serviceEntries: [],
    peerAuthentications: [
      {
        metadata: { name: 'default', namespace: 'istio-system' },
        spec: { mtls: { mode: 'PERMISSIVE' } },
      },
      {
        metadata: { name: 'reviews', namespace: 'bookinfo' },
        spec: {
          selector: { matchLabels: { app: 'reviews' } },
          mtls: { mode: 'STRICT' },
        },
      },
    ],
    authorizationPolicies: [
      {
        metadata: { name: 'reviews', namespace: 'bookinfo' },
        spec: {
          selector: { matchLabels: { app: 'reviews' } },
          action: 'ALLOW',
          rules: [
            {
              from: [
                {
                  source: {
                    principals: ['cluster.local/ns/frontend/sa/productpage'],
                  },
                },
                { source: { namespaces: ['frontend', 'team-*'] } },
                { source: { serviceAccounts: ['frontend/productpage'] } },
              ],
            },
          ],
        },
      },
    ],
  };
}
