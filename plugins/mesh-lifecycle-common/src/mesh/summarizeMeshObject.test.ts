import { parseAllDocuments } from 'yaml';
import { summarizeMeshObject } from './summarizeMeshObject';

/** The seed article's design examples, as written there. */
const SEED = parseAllDocuments(`
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: service-communication-design
spec:
  hosts:
  - user-service.example.com
  http:
  - route:
    - destination:
        host: user-service.svc.cluster.local
    timeout: 5s
    retries:
      attempts: 3
      perTryTimeout: 2s
      retryOn: connect-failure,refused-stream
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: fault-tolerance-design
spec:
  host: user-service.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
        connectTimeout: 30ms
      http:
        http1MaxPendingRequests: 1000
        maxRequestsPerConnection: 10
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 60s
      baseEjectionTime: 60s
      maxEjectionPercent: 20
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata:
  name: security-design
  namespace: production
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata:
  name: access-control-design
spec:
  selector:
    matchLabels:
      app: user-service
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/production/sa/user-service-sa"]
    to:
    - operation:
        methods: ["GET", "POST"]
        paths: ["/api/*"]
    when:
    - key: request.auth.claims[groups]
      values: ["users", "admins"]
`).map(d => d.toJS() as { kind: string });

const byKind = (kind: string) => SEED.find(o => o.kind === kind)!;

/** Every line as `section / label: value`, for readable expectations. */
const flat = (kind: string, manifest: unknown) =>
  summarizeMeshObject(kind, manifest).flatMap(s =>
    s.lines.map(l => `${s.title} / ${l.label}: ${l.value}`),
  );

describe('summarizeMeshObject', () => {
  it("says a VirtualService's hosts, destinations, timeout and retries", () => {
    expect(flat('VirtualService', byKind('VirtualService'))).toEqual([
      'Hosts / Hosts: user-service.example.com',
      'Hosts / Gateways: mesh (the sidecars)',
      'HTTP route 1 / Destinations: user-service.svc.cluster.local 100 %',
      'HTTP route 1 / Timeout: 5s',
      'HTTP route 1 / Retries: 3 attempts, 2s per try, on connect-failure,refused-stream',
    ]);
  });

  it('says the canary weights, matches and the defaults left in force', () => {
    const sections = summarizeMeshObject('VirtualService', {
      spec: {
        hosts: ['reviews'],
        http: [
          {
            name: 'canary-users',
            match: [{ headers: { 'x-canary': { exact: '1' } } }],
            route: [{ destination: { host: 'reviews', subset: 'v2' } }],
          },
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
              {
                destination: {
                  host: 'reviews',
                  subset: 'v2',
                  port: { number: 9080 },
                },
                weight: 10,
              },
            ],
          },
        ],
      },
    });
    expect(sections.map(s => [s.title, s.path])).toEqual([
      ['Hosts', 'spec.hosts'],
      ['HTTP route canary-users', 'spec.http[0]'],
      ['HTTP route 2', 'spec.http[1]'],
    ]);
    expect(sections[1].lines).toContainEqual({
      label: 'Match',
      value: 'header x-canary exact 1',
      path: 'spec.http[0].match',
    });
    expect(sections[2].lines).toEqual([
      {
        label: 'Destinations',
        value: 'reviews (v1) 90 %, reviews:9080 (v2) 10 %',
        path: 'spec.http[1].route',
      },
      {
        label: 'Timeout',
        value: 'none set (Istio: no timeout)',
        path: 'spec.http[1].timeout',
      },
      {
        label: 'Retries',
        value: 'none set (Istio: 2 attempts)',
        path: 'spec.http[1].retries',
      },
    ]);
  });

  it("says a DestinationRule's pool, outlier detection and subsets", () => {
    expect(flat('DestinationRule', byKind('DestinationRule'))).toEqual([
      'Host / Host: user-service.svc.cluster.local',
      'Traffic policy / TCP connection pool: max connections 100 · connect timeout 30ms',
      'Traffic policy / HTTP connection pool: max pending requests 1000 · max requests per connection 10',
      'Traffic policy / Outlier detection: eject after consecutive 5xx 5 · every 60s · base ejection 60s · max ejected % 20',
    ]);
    expect(
      flat('DestinationRule', {
        spec: {
          host: 'reviews',
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            {
              name: 'v2',
              labels: { version: 'v2' },
              trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
            },
          ],
        },
      }),
    ).toEqual([
      'Host / Host: reviews',
      'Traffic policy / Settings: none (Istio defaults: no connection limits, no outlier detection)',
      'Subset v1 / Pods labelled: version=v1',
      'Subset v2 / Pods labelled: version=v2',
      'Subset v2 / Client TLS: ISTIO_MUTUAL',
    ]);
  });

  it('says the mutual TLS mode and what a policy applies to', () => {
    expect(flat('PeerAuthentication', byKind('PeerAuthentication'))).toEqual([
      "Mutual TLS / Applies to: every workload of namespace production (or the mesh, in Istio's root namespace)",
      'Mutual TLS / Mode: STRICT',
    ]);
    expect(
      flat('PeerAuthentication', {
        spec: {
          selector: { matchLabels: { app: 'db' } },
          portLevelMtls: { '5432': { mode: 'DISABLE' } },
        },
      }),
    ).toEqual([
      'Mutual TLS / Applies to: workloads labelled app=db',
      'Mutual TLS / Mode: UNSET (inherits from namespace or mesh)',
      'Mutual TLS / Port 5432: DISABLE',
    ]);
  });

  it("says an AuthorizationPolicy's rules, and what no rule means", () => {
    expect(flat('AuthorizationPolicy', byKind('AuthorizationPolicy'))).toEqual([
      'Policy / Applies to: workloads labelled app=user-service',
      'Policy / Action: ALLOW',
      'Rule 1 / From: principals cluster.local/ns/production/sa/user-service-sa',
      'Rule 1 / To: methods GET, POST and paths /api/*',
      'Rule 1 / When: request.auth.claims[groups] in users, admins',
    ]);
    expect(flat('AuthorizationPolicy', { spec: {} })).toContain(
      'Policy / Rules: none: it allows nothing, every request is denied',
    );
    expect(flat('AuthorizationPolicy', { spec: { rules: [{}] } })).toContain(
      'Rule 1 / Matches: every request',
    );
    expect(
      flat('AuthorizationPolicy', { spec: { action: 'DENY', rules: [] } }),
    ).toContain('Policy / Rules: none: it matches nothing');
  });

  it('never throws on fields of the wrong shape, and leaves them out', () => {
    const odd = {
      spec: {
        hosts: 'not-a-list',
        http: [{ route: 'x', retries: 3, timeout: { s: 1 } }, null],
        subsets: [null, 7],
        rules: 'all',
        trafficPolicy: [],
      },
    };
    for (const kind of [
      'VirtualService',
      'DestinationRule',
      'PeerAuthentication',
      'AuthorizationPolicy',
      'Sidecar',
    ]) {
      expect(() => summarizeMeshObject(kind, odd)).not.toThrow();
      expect(() => summarizeMeshObject(kind, null)).not.toThrow();
    }
    expect(flat('VirtualService', odd)).not.toContain(
      expect.stringMatching(/^Hosts \/ Hosts/),
    );
  });

  it("lists another kind's spec fields as they are", () => {
    expect(
      flat('Sidecar', {
        spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }] },
      }),
    ).toEqual(['Spec / egress: hosts ./*, istio-system/*']);
  });
});
