import { reviewsSnapshot } from '../__fixtures__/reviewsSnapshot';
import { MeshConfigSnapshot, ValidationFinding } from '../types';
import {
  validateMeshConfig,
  validateMeshNamespace,
} from '../validateMeshConfig';

const reviews = { name: 'reviews', namespace: 'bookinfo' };

/** The findings of one code for service reviews, as [object name, path]. */
function found(
  code: string,
  snapshot: MeshConfigSnapshot,
): Array<[string, string]> {
  return validateMeshConfig({ service: reviews, snapshot })
    .filter(f => f.code === code)
    .map(f => [`${f.object.kind}/${f.object.name}`, f.path]);
}

function findings(code: string, snapshot: MeshConfigSnapshot) {
  return validateMeshConfig({ service: reviews, snapshot }).filter(
    (f: ValidationFinding) => f.code === code,
  );
}

/** The clean fixture, changed by `edit`. */
function fixture(edit: (s: MeshConfigSnapshot) => void): MeshConfigSnapshot {
  const snapshot = reviewsSnapshot();
  edit(snapshot);
  return snapshot;
}

const vs = (s: MeshConfigSnapshot) => s.virtualServices[0].spec!;
const defaultRoute = (s: MeshConfigSnapshot) => vs(s).http![1].route!;
const dr = (s: MeshConfigSnapshot) => s.destinationRules[0].spec!;
const ap = (s: MeshConfigSnapshot) => s.authorizationPolicies[0].spec!;

describe('KIA1101 route destination host not found', () => {
  it('flags a destination naming no Service of the cluster', () => {
    const snapshot = fixture(s => {
      defaultRoute(s)[0].destination!.host = 'reviewz';
    });
    expect(found('KIA1101', snapshot)).toEqual([
      ['VirtualService/reviews', 'spec.http[1].route[0].destination.host'],
    ]);
    expect(findings('KIA1101', snapshot)[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('reviewz.bookinfo.svc.cluster.local'),
    });
  });

  it('flags a fully qualified host in a namespace without that Service', () => {
    const snapshot = fixture(s => {
      vs(s).tcp = [
        {
          route: [{ destination: { host: 'reviews.other.svc.cluster.local' } }],
        },
      ];
    });
    expect(found('KIA1101', snapshot)).toEqual([
      ['VirtualService/reviews', 'spec.tcp[0].route[0].destination.host'],
    ]);
  });

  it('accepts Services and ServiceEntry hosts, wildcard ServiceEntry hosts included', () => {
    const snapshot = fixture(s => {
      s.serviceEntries.push(
        {
          metadata: { name: 'legacy', namespace: 'bookinfo' },
          spec: { hosts: ['legacy.bookinfo.svc.cluster.local'] },
        },
        {
          metadata: { name: 'example', namespace: 'istio-system' },
          spec: { hosts: ['*.example.com'] },
        },
      );
      vs(s).tls = [
        {
          route: [
            { destination: { host: 'legacy' }, weight: 25 },
            { destination: { host: 'api.example.com' }, weight: 25 },
            { destination: { host: '*.example.com' }, weight: 25 },
            { destination: { host: 'ratings.bookinfo' }, weight: 25 },
          ],
        },
      ];
    });
    expect(found('KIA1101', snapshot)).toEqual([]);
    expect(found('KIA1101', reviewsSnapshot())).toEqual([]);
  });

  it('flags external hosts without a ServiceEntry, as Kiali does', () => {
    const snapshot = fixture(s => {
      vs(s).tls = [
        {
          route: [
            { destination: { host: 'api.example.com' }, weight: 50 },
            { destination: { host: 'ratings' }, weight: 50 },
          ],
        },
      ];
    });
    expect(found('KIA1101', snapshot)).toEqual([
      ['VirtualService/reviews', 'spec.tls[0].route[0].destination.host'],
    ]);
    expect(findings('KIA1101', snapshot)[0].hint).toContain(
      'Add a ServiceEntry for api.example.com',
    );
  });

  it('flags hosts not exported to the VirtualService namespace', () => {
    const snapshot = (exported: boolean) =>
      fixture(s => {
        if (!exported) {
          s.services[1].metadata!.annotations = {
            'networking.istio.io/exportTo': '.',
          };
        }
        s.serviceEntries.push({
          metadata: { name: 'partner', namespace: 'bookinfo' },
          spec: {
            hosts: ['api.partner.example'],
            exportTo: exported ? ['frontend'] : ['.'],
          },
        });
        s.virtualServices.push({
          metadata: { name: 'ui', namespace: 'frontend' },
          spec: {
            hosts: ['ui'],
            http: [
              {
                route: [
                  { destination: { host: 'ratings.bookinfo' }, weight: 50 },
                  { destination: { host: 'api.partner.example' }, weight: 50 },
                ],
              },
            ],
          },
        });
      });
    const hostFindings = (s: MeshConfigSnapshot) =>
      validateMeshNamespace({ snapshot: s, namespace: 'frontend' })
        .filter(f => f.code === 'KIA1101')
        .map(f => f.path);
    expect(hostFindings(snapshot(false))).toEqual([
      'spec.http[0].route[0].destination.host',
      'spec.http[0].route[1].destination.host',
    ]);
    expect(hostFindings(snapshot(true))).toEqual([]);
  });

  it('is a warning when the mesh allows any outbound traffic', () => {
    const snapshot = fixture(s => {
      defaultRoute(s)[0].destination!.host = 'reviewz';
    });
    expect(
      validateMeshConfig({
        service: reviews,
        snapshot,
        outboundTrafficPolicyMode: 'ALLOW_ANY',
      })
        .filter(f => f.code === 'KIA1101')
        .map(f => f.severity),
    ).toEqual(['warning']);
  });
});

describe('KIA1107 subset not found', () => {
  it('flags a subset the DestinationRule lacks, naming the rule', () => {
    const snapshot = fixture(s => {
      dr(s).subsets = dr(s).subsets!.filter(x => x.name !== 'v2');
    });
    expect(found('KIA1107', snapshot)).toEqual([
      ['VirtualService/reviews', 'spec.http[1].route[1].destination.subset'],
    ]);
    expect(findings('KIA1107', snapshot)[0]).toMatchObject({
      severity: 'warning',
      hint: 'Add subset v2 to DestinationRule reviews or remove it from the route.',
    });
  });

  it('flags subsets of a host without any DestinationRule', () => {
    const snapshot = fixture(s => {
      s.destinationRules = [];
    });
    expect(found('KIA1107', snapshot)).toHaveLength(3);
    expect(findings('KIA1107', snapshot)[0].hint).toContain(
      'Create a DestinationRule',
    );
  });

  it('accepts subsets defined by a wildcard DestinationRule', () => {
    const snapshot = fixture(s => {
      s.destinationRules = [
        {
          metadata: { name: 'all', namespace: 'bookinfo' },
          spec: {
            host: '*.bookinfo.svc.cluster.local',
            subsets: [
              { name: 'v1', labels: { version: 'v1' } },
              { name: 'v2', labels: { version: 'v2' } },
            ],
          },
        },
      ];
    });
    expect(found('KIA1107', snapshot)).toEqual([]);
    expect(found('KIA1107', reviewsSnapshot())).toEqual([]);
  });
});

describe('KIA0203 subset labels match no workload', () => {
  it('flags a subset whose labels select no pod of the service', () => {
    const snapshot = fixture(s => {
      dr(s).subsets![1].labels = { version: 'v3' };
    });
    expect(found('KIA0203', snapshot)).toEqual([
      ['DestinationRule/reviews', 'spec.subsets[1].labels'],
    ]);
    expect(findings('KIA0203', snapshot)[0].severity).toBe('error');
  });

  it('flags a subset whose workload is gone', () => {
    const snapshot = fixture(s => {
      s.workloads = s.workloads.filter(w => w.metadata?.name !== 'reviews-v1');
    });
    expect(found('KIA0203', snapshot)).toEqual([
      ['DestinationRule/reviews', 'spec.subsets[0].labels'],
    ]);
  });

  it('does not match pods of another service with the same version label', () => {
    const snapshot = fixture(s => {
      s.workloads = s.workloads.filter(w => w.metadata?.name !== 'reviews-v2');
      s.workloads.push({
        metadata: { name: 'ratings-v2', namespace: 'bookinfo' },
        spec: {
          template: { metadata: { labels: { app: 'ratings', version: 'v2' } } },
        },
      });
    });
    expect(found('KIA0203', snapshot)).toEqual([
      ['DestinationRule/reviews', 'spec.subsets[1].labels'],
    ]);
  });

  it('accepts subsets that select workloads', () => {
    expect(found('KIA0203', reviewsSnapshot())).toEqual([]);
  });
});

describe('KIA1106 more than one VirtualService for a host', () => {
  it('flags every VirtualService of the host on the same gateway', () => {
    const snapshot = fixture(s => {
      s.virtualServices.push({
        metadata: { name: 'reviews-canary', namespace: 'bookinfo' },
        spec: {
          hosts: ['ratings', 'reviews.bookinfo'],
          http: [{ route: [{ destination: { host: 'reviews' } }] }],
        },
      });
    });
    expect(found('KIA1106', snapshot)).toEqual([
      ['VirtualService/reviews', 'spec.hosts[0]'],
      ['VirtualService/reviews-canary', 'spec.hosts[1]'],
    ]);
    expect(findings('KIA1106', snapshot)[0].message).toContain(
      'bookinfo/reviews-canary',
    );
  });

  it('accepts one VirtualService per gateway and wildcard hosts', () => {
    const snapshot = fixture(s => {
      s.virtualServices.push({
        metadata: { name: 'everything', namespace: 'bookinfo' },
        spec: {
          hosts: ['*.bookinfo.svc.cluster.local'],
          http: [{ route: [{ destination: { host: 'ratings' } }] }],
        },
      });
    });
    expect(found('KIA1106', snapshot)).toEqual([]);
    expect(found('KIA1106', reviewsSnapshot())).toEqual([]);
  });
});

describe('KIA0201 more than one DestinationRule for a host', () => {
  it('flags DestinationRules of the host sharing a subset', () => {
    const snapshot = fixture(s => {
      s.destinationRules.push({
        metadata: { name: 'reviews-v1', namespace: 'bookinfo' },
        spec: {
          host: 'reviews',
          subsets: [{ name: 'v1', labels: { version: 'v1' } }],
        },
      });
    });
    expect(found('KIA0201', snapshot)).toEqual([
      ['DestinationRule/reviews', 'spec.host'],
      ['DestinationRule/reviews-v1', 'spec.host'],
    ]);
  });

  it('flags DestinationRules of the host that both define no subset', () => {
    const snapshot = fixture(s => {
      dr(s).subsets = [];
      s.destinationRules.push({
        metadata: { name: 'reviews-pool', namespace: 'bookinfo' },
        spec: { host: 'reviews.bookinfo.svc' },
      });
    });
    expect(found('KIA0201', snapshot)).toHaveLength(2);
  });

  it('accepts DestinationRules for distinct subsets or other hosts', () => {
    const snapshot = fixture(s => {
      s.destinationRules.push(
        {
          metadata: { name: 'reviews-v3', namespace: 'bookinfo' },
          spec: { host: 'reviews', subsets: [{ name: 'v3' }] },
        },
        {
          metadata: { name: 'ratings', namespace: 'bookinfo' },
          spec: { host: 'ratings' },
        },
      );
    });
    expect(found('KIA0201', snapshot)).toEqual([]);
    expect(found('KIA0201', reviewsSnapshot())).toEqual([]);
  });
});

describe('KIA1104 single destination with a weight below 100', () => {
  it('flags the weight of a lone destination', () => {
    const snapshot = fixture(s => {
      vs(s).http![0].route![0].weight = 50;
    });
    expect(found('KIA1104', snapshot)).toEqual([
      ['VirtualService/reviews', 'spec.http[0].route[0].weight'],
    ]);
    expect(findings('KIA1104', snapshot)[0].hint).toContain('other 50 %');
  });

  it('accepts a lone destination with weight 100 or none', () => {
    const snapshot = fixture(s => {
      vs(s).http![0].route![0].weight = 100;
    });
    expect(found('KIA1104', snapshot)).toEqual([]);
    expect(found('KIA1104', reviewsSnapshot())).toEqual([]);
  });
});

describe('KIA1105 repeated route destination', () => {
  it('flags each destination repeating host and subset in a route', () => {
    const snapshot = fixture(s => {
      defaultRoute(s).push({
        destination: {
          host: 'reviews.bookinfo.svc.cluster.local',
          subset: 'v1',
        },
        weight: 10,
      });
      defaultRoute(s)[0].weight = 70;
    });
    expect(found('KIA1105', snapshot)).toEqual([
      ['VirtualService/reviews', 'spec.http[1].route[0].destination'],
      ['VirtualService/reviews', 'spec.http[1].route[2].destination'],
    ]);
  });

  it('accepts the same destination in other routes or on another port', () => {
    const snapshot = fixture(s => {
      vs(s).http![0].route = [
        {
          destination: {
            host: 'reviews',
            subset: 'v1',
            port: { number: 9080 },
          },
          weight: 50,
        },
        {
          destination: {
            host: 'reviews',
            subset: 'v1',
            port: { number: 9090 },
          },
          weight: 50,
        },
      ];
    });
    expect(found('KIA1105', snapshot)).toEqual([]);
    expect(found('KIA1105', reviewsSnapshot())).toEqual([]);
  });
});

describe('MESH0001 a service DestinationRule disabling TLS towards STRICT workloads', () => {
  it('flags TLS disabled for all ports of a STRICT workload', () => {
    const snapshot = fixture(s => {
      dr(s).trafficPolicy = { tls: { mode: 'DISABLE' } };
    });
    expect(found('MESH0001', snapshot)).toEqual([
      ['DestinationRule/reviews', 'spec.trafficPolicy.tls.mode'],
    ]);
    expect(findings('MESH0001', snapshot)[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('bookinfo/reviews'),
    });
    // Kiali judges namespace-wide and mesh-wide DestinationRules only.
    expect(found('KIA0207', snapshot)).toEqual([]);
    expect(found('KIA0208', snapshot)).toEqual([]);
  });

  it('flags TLS disabled on one port or in one subset', () => {
    const snapshot = fixture(s => {
      dr(s).trafficPolicy = {
        portLevelSettings: [
          { port: { number: 9080 }, tls: { mode: 'ISTIO_MUTUAL' } },
          { port: { number: 9090 }, tls: { mode: 'DISABLE' } },
        ],
      };
      dr(s).subsets![1].trafficPolicy = { tls: { mode: 'DISABLE' } };
    });
    expect(found('MESH0001', snapshot)).toEqual([
      ['DestinationRule/reviews', 'spec.subsets[1].trafficPolicy.tls.mode'],
      [
        'DestinationRule/reviews',
        'spec.trafficPolicy.portLevelSettings[1].tls.mode',
      ],
    ]);
  });

  it('flags TLS disabled under a mesh-wide STRICT policy', () => {
    const snapshot = fixture(s => {
      s.peerAuthentications = [
        {
          metadata: { name: 'default', namespace: 'istio-system' },
          spec: { mtls: { mode: 'STRICT' } },
        },
      ];
      dr(s).trafficPolicy = { tls: { mode: 'DISABLE' } };
    });
    expect(found('MESH0001', snapshot)).toEqual([
      ['DestinationRule/reviews', 'spec.trafficPolicy.tls.mode'],
    ]);
    expect(findings('MESH0001', snapshot)[0].message).toContain(
      'istio-system/default',
    );
    expect(found('KIA0208', snapshot)).toEqual([]);
  });

  it('accepts TLS disabled where the server admits plaintext', () => {
    const permissivePort = fixture(s => {
      s.peerAuthentications[1].spec!.portLevelMtls = {
        '9090': { mode: 'PERMISSIVE' },
      };
      dr(s).trafficPolicy = {
        tls: { mode: 'DISABLE' },
        portLevelSettings: [
          { port: { number: 9080 }, tls: { mode: 'ISTIO_MUTUAL' } },
        ],
      };
    });
    const namespacePermissive = fixture(s => {
      s.peerAuthentications = [
        {
          metadata: { name: 'default', namespace: 'istio-system' },
          spec: { mtls: { mode: 'STRICT' } },
        },
        {
          metadata: { name: 'default', namespace: 'bookinfo' },
          spec: { mtls: { mode: 'PERMISSIVE' } },
        },
      ];
      dr(s).trafficPolicy = { tls: { mode: 'DISABLE' } };
    });
    for (const snapshot of [permissivePort, namespacePermissive]) {
      expect(found('MESH0001', snapshot)).toEqual([]);
    }
    expect(found('MESH0001', reviewsSnapshot())).toEqual([]);
  });
});

describe('KIA0601 / KIA0602 Service port protocol', () => {
  it('flags port names without a protocol prefix and unnamed ports', () => {
    const snapshot = fixture(s => {
      s.services[0].spec!.ports![0].name = 'web';
      delete s.services[0].spec!.ports![1].name;
    });
    expect(found('KIA0601', snapshot)).toEqual([
      ['Service/reviews', 'spec.ports[0].name'],
      ['Service/reviews', 'spec.ports[1].name'],
    ]);
  });

  it('flags an appProtocol Istio does not know', () => {
    const snapshot = fixture(s => {
      s.services[0].spec!.ports![0].appProtocol = 'rest';
    });
    expect(found('KIA0602', snapshot)).toEqual([
      ['Service/reviews', 'spec.ports[0].appProtocol'],
    ]);
    expect(found('KIA0601', snapshot)).toEqual([]);
  });

  it('accepts protocol names, appProtocol and UDP ports', () => {
    const snapshot = fixture(s => {
      s.services[0].spec!.ports = [
        { name: 'web', appProtocol: 'HTTP', port: 80 },
        { name: 'h2', appProtocol: 'kubernetes.io/h2c', port: 81 },
        { name: 'dns', protocol: 'UDP', port: 53 },
        { name: 'TCP-db', port: 5432 },
      ];
    });
    expect(found('KIA0601', snapshot)).toEqual([]);
    expect(found('KIA0602', snapshot)).toEqual([]);
    expect(found('KIA0601', reviewsSnapshot())).toEqual([]);
  });
});

describe('KIA0101 AuthorizationPolicy namespace not found', () => {
  it('flags a source namespace the cluster lacks', () => {
    const snapshot = fixture(s => {
      ap(s).rules![0].from![1].source!.namespaces = ['frontend', 'legacy-ui'];
    });
    expect(found('KIA0101', snapshot)).toEqual([
      [
        'AuthorizationPolicy/reviews',
        'spec.rules[0].from[1].source.namespaces[1]',
      ],
    ]);
  });

  it('accepts existing namespaces and patterns', () => {
    expect(found('KIA0101', reviewsSnapshot())).toEqual([]);
  });
});

describe('KIA0106 AuthorizationPolicy service account not found', () => {
  it('flags principals and service accounts that do not exist', () => {
    const snapshot = fixture(s => {
      ap(s).rules![0].from![0].source!.principals = [
        'cluster.local/ns/frontend/sa/web',
      ];
      ap(s).rules![0].from![2].source!.serviceAccounts = ['ghost'];
    });
    expect(found('KIA0106', snapshot)).toEqual([
      [
        'AuthorizationPolicy/reviews',
        'spec.rules[0].from[0].source.principals[0]',
      ],
      [
        'AuthorizationPolicy/reviews',
        'spec.rules[0].from[2].source.serviceAccounts[0]',
      ],
    ]);
    expect(findings('KIA0106', snapshot)[1].message).toContain(
      'bookinfo/ghost',
    );
  });

  it('accepts existing, remote and wildcard principals', () => {
    const snapshot = fixture(s => {
      ap(s).rules![0].from![0].source!.principals = [
        'cluster.local/ns/frontend/sa/productpage',
        'east.example/ns/shop/sa/cart',
        'cluster.local/ns/frontend/sa/*',
      ];
    });
    expect(found('KIA0106', snapshot)).toEqual([]);
  });

  it('ignores policies that do not apply to the service', () => {
    const snapshot = fixture(s => {
      s.workloads.push({
        metadata: { name: 'ratings-v1', namespace: 'bookinfo' },
        spec: { template: { metadata: { labels: { app: 'ratings' } } } },
      });
      s.authorizationPolicies.push({
        metadata: { name: 'ratings', namespace: 'bookinfo' },
        spec: {
          selector: { matchLabels: { app: 'ratings' } },
          rules: [
            { from: [{ source: { principals: ['cluster.local/ns/x/sa/y'] } }] },
          ],
        },
      });
    });
    expect(found('KIA0106', snapshot)).toEqual([]);
    expect(
      validateMeshConfig({
        service: { name: 'ratings', namespace: 'bookinfo' },
        snapshot,
      }).map(f => f.code),
    ).toContain('KIA0106');
  });
});

describe('KIA1301 workload not covered by any AuthorizationPolicy', () => {
  it('flags each workload no policy applies to', () => {
    const snapshot = fixture(s => {
      ap(s).selector = { matchLabels: { app: 'reviews', version: 'v1' } };
    });
    expect(found('KIA1301', snapshot)).toEqual([
      ['Deployment/reviews-v2', 'spec.template.metadata.labels'],
    ]);
    const none = fixture(s => {
      s.authorizationPolicies = [];
    });
    expect(found('KIA1301', none)).toHaveLength(2);
    expect(findings('KIA1301', none)[0].hint).toContain(
      'AuthorizationPolicy in bookinfo selecting app=reviews',
    );
  });

  it('accepts workload, namespace-wide and mesh-wide policies', () => {
    const namespaceWide = fixture(s => {
      s.authorizationPolicies = [
        { metadata: { name: 'deny-all', namespace: 'bookinfo' }, spec: {} },
      ];
    });
    const meshWide = fixture(s => {
      s.authorizationPolicies = [
        { metadata: { name: 'deny-all', namespace: 'istio-system' }, spec: {} },
      ];
    });
    expect(found('KIA1301', namespaceWide)).toEqual([]);
    expect(found('KIA1301', meshWide)).toEqual([]);
    expect(found('KIA1301', reviewsSnapshot())).toEqual([]);
  });
});
