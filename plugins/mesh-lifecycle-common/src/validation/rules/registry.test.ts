import { findingsOf } from '../__testUtils__/findingsOf';
import { bookinfoSnapshot } from '../__fixtures__/bookinfoSnapshot';
import { reviewsSnapshot } from '../__fixtures__/reviewsSnapshot';
import { MeshConfigSnapshot, ValidateMeshNamespaceOptions } from '../types';
import {
  validateMeshConfig,
  validateMeshNamespace,
} from '../validateMeshConfig';

/** The findings of one code in namespace bookinfo, as `kind/name path severity`. */
const found = (
  code: string,
  snapshot: MeshConfigSnapshot,
  options: Partial<ValidateMeshNamespaceOptions> = {},
) =>
  findingsOf(
    code,
    snapshot,
    { namespace: 'bookinfo', ...options },
    f => `${f.object.kind}/${f.object.name} ${f.path} ${f.severity}`,
  );

function edited(
  base: () => MeshConfigSnapshot,
  edit: (s: MeshConfigSnapshot) => void,
): MeshConfigSnapshot {
  const snapshot = base();
  edit(snapshot);
  return snapshot;
}

describe('KIA0203 subset labels match no workload, by use', () => {
  it("gives upstream bookinfo's destination-rule-all.yaml info findings, never errors", () => {
    const findings = validateMeshNamespace({
      snapshot: bookinfoSnapshot(),
      namespace: 'bookinfo',
    });
    expect(findings.filter(f => f.severity === 'error')).toEqual([]);
    expect(found('KIA0203', bookinfoSnapshot())).toEqual([
      'DestinationRule/details spec.subsets[1].labels info',
      'DestinationRule/ratings spec.subsets[1].labels info',
      'DestinationRule/ratings spec.subsets[2].labels info',
      'DestinationRule/ratings spec.subsets[3].labels info',
    ]);
    // The same in service mode.
    const ratings = validateMeshConfig({
      service: { name: 'ratings', namespace: 'bookinfo' },
      snapshot: bookinfoSnapshot(),
    });
    expect(ratings.filter(f => f.severity === 'error')).toEqual([]);
    expect(
      ratings
        .filter(f => f.code === 'KIA0203')
        .map(f => `${f.severity} ${f.path}`),
    ).toEqual([
      'info spec.subsets[1].labels',
      'info spec.subsets[2].labels',
      'info spec.subsets[3].labels',
    ]);
  });

  it('is an error once a VirtualService routes to the subset (http, tcp or tls)', () => {
    for (const kind of ['http', 'tcp', 'tls'] as const) {
      const snapshot = edited(bookinfoSnapshot, s => {
        const ratings = s.virtualServices.find(
          v => v.metadata?.name === 'ratings',
        )!;
        ratings.spec![kind] = [
          {
            route: [
              {
                destination: {
                  host: 'ratings.bookinfo.svc.cluster.local',
                  subset: 'v2',
                },
              },
            ],
          },
        ];
      });
      expect(found('KIA0203', snapshot)).toEqual([
        'DestinationRule/ratings spec.subsets[1].labels error',
        'DestinationRule/details spec.subsets[1].labels info',
        'DestinationRule/ratings spec.subsets[2].labels info',
        'DestinationRule/ratings spec.subsets[3].labels info',
      ]);
    }
  });

  it('matches subsets of a host without a Service against ServiceEntry endpoints', () => {
    const snapshot = (endpointVersion: string) =>
      edited(bookinfoSnapshot, s => {
        s.serviceEntries.push({
          metadata: { name: 'legacy', namespace: 'bookinfo' },
          spec: {
            hosts: ['legacy.example.com'],
            endpoints: [{ labels: { version: endpointVersion } }],
          },
        });
        s.destinationRules.push({
          metadata: { name: 'legacy', namespace: 'bookinfo' },
          spec: {
            host: 'legacy.example.com',
            subsets: [{ name: 'blue', labels: { version: 'blue' } }],
          },
        });
      });
    expect(
      found('KIA0203', snapshot('blue')).filter(f => f.includes('legacy')),
    ).toEqual([]);
    expect(
      found('KIA0203', snapshot('green')).filter(f => f.includes('legacy')),
    ).toEqual(['DestinationRule/legacy spec.subsets[0].labels info']);
  });
});

describe('KIA0202 DestinationRule host not in the registry', () => {
  it('flags a host that is no Service, workload or ServiceEntry', () => {
    const snapshot = edited(bookinfoSnapshot, s => {
      s.destinationRules[0].spec!.host = 'productpages';
      s.destinationRules.push({
        metadata: { name: 'partner', namespace: 'bookinfo' },
        spec: { host: 'api.partner.example' },
      });
    });
    expect(found('KIA0202', snapshot)).toEqual([
      'DestinationRule/partner spec.host error',
      'DestinationRule/productpage spec.host error',
    ]);
    // Its subsets are not judged then (no KIA0203 for productpage).
    expect(
      found('KIA0203', snapshot).filter(f => f.includes('productpage')),
    ).toEqual([]);
    expect(
      found('KIA0202', snapshot, { outboundTrafficPolicyMode: 'ALLOW_ANY' }),
    ).toEqual([
      'DestinationRule/partner spec.host warning',
      'DestinationRule/productpage spec.host warning',
    ]);
  });

  it('accepts Services, ServiceEntry hosts (wildcards too), app-labelled workloads and wildcard hosts', () => {
    const snapshot = edited(bookinfoSnapshot, s => {
      s.serviceEntries.push({
        metadata: { name: 'partners', namespace: 'istio-system' },
        spec: { hosts: ['*.partner.example'] },
      });
      s.workloads.push({
        metadata: { name: 'batch', namespace: 'bookinfo' },
        spec: { template: { metadata: { labels: { app: 'batch' } } } },
      });
      s.destinationRules.push(
        {
          metadata: { name: 'partner', namespace: 'bookinfo' },
          spec: { host: 'api.partner.example' },
        },
        {
          metadata: { name: 'batch', namespace: 'bookinfo' },
          spec: { host: 'batch' },
        },
        {
          metadata: { name: 'all', namespace: 'bookinfo' },
          spec: { host: '*.bookinfo.svc.cluster.local' },
        },
      );
    });
    expect(found('KIA0202', snapshot)).toEqual([]);
  });

  it('flags a Service or ServiceEntry not exported to the rule namespace', () => {
    const snapshot = edited(bookinfoSnapshot, s => {
      s.namespaces.push({ metadata: { name: 'shop' } });
      s.services.push({
        metadata: {
          name: 'cart',
          namespace: 'shop',
          annotations: { 'networking.istio.io/exportTo': '.' },
        },
        spec: { selector: { app: 'cart' } },
      });
      s.destinationRules.push({
        metadata: { name: 'cart', namespace: 'bookinfo' },
        spec: { host: 'cart.shop.svc.cluster.local' },
      });
    });
    expect(found('KIA0202', snapshot)).toEqual([
      'DestinationRule/cart spec.host error',
    ]);
  });
});

describe('KIA0005 exportTo a namespace that does not exist', () => {
  it('flags VirtualServices, DestinationRules and ServiceEntries', () => {
    const snapshot = edited(bookinfoSnapshot, s => {
      s.virtualServices[0].spec!.exportTo = ['.', 'frontend'];
      s.destinationRules[0].spec!.exportTo = ['bookinfo', 'shop'];
      s.serviceEntries.push({
        metadata: { name: 'partner', namespace: 'bookinfo' },
        spec: { hosts: ['api.partner.example'], exportTo: ['partners'] },
      });
    });
    expect(found('KIA0005', snapshot)).toEqual([
      'DestinationRule/productpage spec.exportTo[1] error',
      'ServiceEntry/partner spec.exportTo[0] error',
      'VirtualService/productpage spec.exportTo[1] error',
    ]);
  });

  it('accepts ".", "*" and existing namespaces', () => {
    const snapshot = edited(bookinfoSnapshot, s => {
      s.virtualServices[0].spec!.exportTo = ['.', '*', 'istio-system'];
      s.destinationRules[0].spec!.exportTo = ['bookinfo'];
    });
    expect(found('KIA0005', snapshot)).toEqual([]);
  });
});

describe('KIA0104 AuthorizationPolicy operation host not in the registry', () => {
  const withHosts = (hosts: string[]) =>
    edited(reviewsSnapshot, s => {
      s.authorizationPolicies[0].spec!.rules![0].to = [
        { operation: { hosts } },
      ];
    });

  it('flags service names that are no Service, ServiceEntry or VirtualService host', () => {
    expect(
      found('KIA0104', withHosts(['reviews', 'reviewz', 'ghost.frontend'])),
    ).toEqual([
      'AuthorizationPolicy/reviews spec.rules[0].to[0].operation.hosts[1] error',
      'AuthorizationPolicy/reviews spec.rules[0].to[0].operation.hosts[2] error',
    ]);
  });

  it('accepts Host header patterns and VirtualService hosts, as Kiali does', () => {
    const snapshot = withHosts([
      '*',
      '*.example.com',
      'api.example.com',
      'www.shop',
      'ratings.bookinfo',
      'virtual',
    ]);
    snapshot.virtualServices.push({
      metadata: { name: 'virtual', namespace: 'bookinfo' },
      spec: { hosts: ['virtual'], http: [] },
    });
    expect(found('KIA0104', snapshot)).toEqual([]);
  });
});
