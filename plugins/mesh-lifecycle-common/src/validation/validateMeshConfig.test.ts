import { InputError } from '@backstage/errors';
import { clusterSnapshot } from './__testUtils__/clusterSnapshot';
import { bookinfoSnapshot } from './__fixtures__/bookinfoSnapshot';
import { reviewsSnapshot } from './__fixtures__/reviewsSnapshot';
import {
  meshValidationRules,
  validateMeshConfig,
  validateMeshNamespace,
} from './validateMeshConfig';

const summary = (findings: ReturnType<typeof validateMeshConfig>) =>
  findings.map(f => [
    f.code,
    f.severity,
    `${f.object.kind}/${f.object.namespace}/${f.object.name}`,
    f.path,
  ]);

describe('validateMeshConfig', () => {
  it('finds nothing in a clean configuration', () => {
    expect(
      validateMeshConfig({
        service: { name: 'reviews', namespace: 'bookinfo' },
        snapshot: reviewsSnapshot(),
      }),
    ).toEqual([]);
  });

  it("finds exactly the four deliberate mistakes of the demo's test cluster", () => {
    const findings = validateMeshConfig({
      service: { name: 'search-service', namespace: 'shop-test' },
      snapshot: clusterSnapshot('test'),
    });
    // Mistake 2 (a second VirtualService for the host) is reported on both
    // VirtualServices involved, as Kiali does.
    expect(summary(findings)).toEqual([
      // 3. DestinationRule disables TLS under a STRICT PeerAuthentication:
      // not a Kiali finding (KIA0207 judges namespace-wide rules only).
      [
        'MESH0001',
        'error',
        'DestinationRule/shop-test/search-service',
        'spec.trafficPolicy.tls.mode',
      ],
      // 4. Service port named "web".
      [
        'KIA0601',
        'error',
        'Service/shop-test/search-service',
        'spec.ports[0].name',
      ],
      // 2. Two VirtualServices for search-service.
      [
        'KIA1106',
        'warning',
        'VirtualService/shop-test/search-service',
        'spec.hosts[0]',
      ],
      // 1. Route to subset v2, which the DestinationRule lacks.
      [
        'KIA1107',
        'warning',
        'VirtualService/shop-test/search-service',
        'spec.http[0].route[1].destination.subset',
      ],
      // 2. again, on the other VirtualService.
      [
        'KIA1106',
        'warning',
        'VirtualService/shop-test/search-service-experiment',
        'spec.hosts[0]',
      ],
    ]);
    expect(findings[3].hint).toBe(
      'Add subset v2 to DestinationRule search-service or remove it from the route.',
    );
  });

  it('finds no error for checkout-service in the demo prod cluster', () => {
    const snapshot = clusterSnapshot('prod');
    const service = { name: 'checkout-service', namespace: 'shop' };
    expect(
      validateMeshConfig({ service, snapshot }).filter(
        f => f.severity === 'error',
      ),
    ).toEqual([]);

    // The same objects are judged: break one and it is found.
    const checkoutRule = snapshot.destinationRules.find(
      dr => dr.metadata?.name === 'checkout-service',
    );
    checkoutRule!.spec!.trafficPolicy = { tls: { mode: 'DISABLE' } };
    expect(summary(validateMeshConfig({ service, snapshot }))).toEqual([
      [
        'MESH0001',
        'error',
        'DestinationRule/shop/checkout-service',
        'spec.trafficPolicy.tls.mode',
      ],
    ]);
  });

  it("reports the dev cluster's loyalty-service as not covered by any AuthorizationPolicy", () => {
    expect(
      summary(
        validateMeshConfig({
          service: { name: 'loyalty-service', namespace: 'shop-dev' },
          snapshot: clusterSnapshot('dev'),
        }),
      ),
    ).toEqual([
      [
        'KIA1301',
        'warning',
        'Deployment/shop-dev/loyalty-service-v1',
        'spec.template.metadata.labels',
      ],
    ]);
  });

  it('reports only objects that concern the service', () => {
    const snapshot = reviewsSnapshot();
    snapshot.services[1].spec!.ports![0].name = 'web';
    snapshot.virtualServices.push({
      metadata: { name: 'details', namespace: 'bookinfo' },
      spec: {
        hosts: ['details'],
        http: [{ route: [{ destination: { host: 'details', subset: 'v9' } }] }],
      },
    });
    expect(
      validateMeshConfig({
        service: { name: 'reviews', namespace: 'bookinfo' },
        snapshot,
      }),
    ).toEqual([]);
    expect(
      validateMeshConfig({
        service: { name: 'ratings', namespace: 'bookinfo' },
        snapshot,
      }).map(f => f.code),
    ).toEqual(['KIA0601']);
  });

  it('rejects a service that is not a Kubernetes name', () => {
    expect(() =>
      validateMeshConfig({
        service: { name: 'Reviews!', namespace: 'bookinfo' },
        snapshot: reviewsSnapshot(),
      }),
    ).toThrow(InputError);
    expect(() =>
      validateMeshConfig({
        service: { name: 'reviews', namespace: '' },
        snapshot: reviewsSnapshot(),
      }),
    ).toThrow(/service\.namespace/);
  });
});

describe('validateMeshNamespace', () => {
  it('validates every object of a namespace, a catalog service or not', () => {
    const snapshot = clusterSnapshot('test');
    // An object no catalog Service claims: a VirtualService for a host
    // that does not exist, bound to a Gateway that does not exist.
    snapshot.virtualServices.push({
      metadata: { name: 'orphan', namespace: 'shop-test' },
      spec: {
        hosts: ['orphan'],
        gateways: ['istio-system/public'],
        http: [{ route: [{ destination: { host: 'orphan' } }] }],
      },
    });
    snapshot.gateways = [];
    const findings = validateMeshNamespace({
      snapshot,
      namespace: 'shop-test',
    });
    expect(summary(findings)).toEqual([
      [
        'MESH0001',
        'error',
        'DestinationRule/shop-test/search-service',
        'spec.trafficPolicy.tls.mode',
      ],
      [
        'KIA0601',
        'error',
        'Service/shop-test/search-service',
        'spec.ports[0].name',
      ],
      [
        'KIA1102',
        'error',
        'VirtualService/shop-test/orphan',
        'spec.gateways[0]',
      ],
      [
        'KIA1101',
        'error',
        'VirtualService/shop-test/orphan',
        'spec.http[0].route[0].destination.host',
      ],
      [
        'KIA1106',
        'warning',
        'VirtualService/shop-test/search-service',
        'spec.hosts[0]',
      ],
      [
        'KIA1107',
        'warning',
        'VirtualService/shop-test/search-service',
        'spec.http[0].route[1].destination.subset',
      ],
      [
        'KIA1106',
        'warning',
        'VirtualService/shop-test/search-service-experiment',
        'spec.hosts[0]',
      ],
    ]);
    // The service's own findings are among them.
    const service = validateMeshConfig({
      service: { name: 'search-service', namespace: 'shop-test' },
      snapshot,
    });
    expect(findings).toEqual(expect.arrayContaining(service));
  });

  it("reports only the namespace's objects, or every object without a namespace", () => {
    const snapshot = clusterSnapshot('test');
    snapshot.peerAuthentications.push({
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'DISABLE' } },
    });
    snapshot.destinationRules.push({
      metadata: { name: 'mesh', namespace: 'istio-system' },
      spec: {
        host: '*.local',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      },
    });
    const codes = (namespace?: string) =>
      validateMeshNamespace({ snapshot, namespace }).map(
        f => `${f.code} ${f.object.namespace}`,
      );
    expect(codes('istio-system')).toEqual(['KIA0506 istio-system']);
    expect(codes('shop-test')).not.toContain('KIA0506 istio-system');
    expect(codes()).toEqual(
      expect.arrayContaining(['KIA0506 istio-system', 'KIA0601 shop-test']),
    );
    expect(validateMeshNamespace({ snapshot, namespace: 'empty' })).toEqual([]);
  });

  it('rejects a namespace that is not a Kubernetes name', () => {
    expect(() =>
      validateMeshNamespace({
        snapshot: reviewsSnapshot(),
        namespace: 'Shop!',
      }),
    ).toThrow(InputError);
  });
});

describe('meshValidationRules', () => {
  it('lists each code once, with a title, a hint and its Kiali check', () => {
    const codes = meshValidationRules.map(r => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const rule of meshValidationRules) {
      expect(rule.code).toMatch(/^(KIA|MESH)\d{4}$/);
      expect(rule.title.length).toBeGreaterThan(0);
      expect(rule.hint.length).toBeGreaterThan(0);
    }
    expect(
      meshValidationRules.filter(
        r => r.code.startsWith('KIA') && r.kialiCheck === undefined,
      ),
    ).toEqual([]);
  });

  it('describes the codes and severities that findings carry', () => {
    const snapshot = clusterSnapshot('test');
    const findings = validateMeshConfig({
      service: { name: 'search-service', namespace: 'shop-test' },
      snapshot,
    });
    const bookinfo = validateMeshNamespace({ snapshot: bookinfoSnapshot() });
    expect(bookinfo.some(f => f.severity === 'info')).toBe(true);
    for (const finding of [...findings, ...bookinfo]) {
      const rule = meshValidationRules.find(r => r.code === finding.code);
      expect([rule?.severity, ...(rule?.otherSeverities ?? [])]).toContain(
        finding.severity,
      );
      expect(finding.message.startsWith(`${rule?.title}: `)).toBe(true);
    }
  });
});
