import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import {
  attachIstioObjects,
  configuredTrafficSplit,
  effectiveMtlsMode,
} from './attachIstioObjects';
import {
  DestinationRuleLike,
  VirtualServiceLike,
  WorkloadPolicyLike,
} from './istioTypes';
import { hostNamesService, qualifyHost } from './serviceHosts';

/** Any object of the manifests, read through the shapes the logic knows. */
type AnyObject = { kind: string } & VirtualServiceLike &
  DestinationRuleLike &
  WorkloadPolicyLike & {
    metadata?: { labels?: Record<string, string> };
    spec?: {
      template?: { metadata?: { labels?: Record<string, string> } };
    };
  };

/** The demo's cluster manifests, as the plugin would read them. */
function cluster(name: string): AnyObject[] {
  const folder = join(__dirname, '../../../../examples/clusters', name);
  return readdirSync(folder)
    .filter(file => file.endsWith('.yaml'))
    .flatMap(file =>
      parseAllDocuments(readFileSync(join(folder, file), 'utf8')).map(
        doc => doc.toJS() as AnyObject,
      ),
    );
}

function attach(objects: AnyObject[], name: string, namespace: string) {
  const ofKind = (kind: string) => objects.filter(o => o.kind === kind);
  return attachIstioObjects({
    service: { name, namespace },
    podLabels: ofKind('Deployment')
      .filter(d => d.metadata?.labels?.app === name)
      .map(d => d.spec?.template?.metadata?.labels ?? {}),
    virtualServices: ofKind('VirtualService'),
    destinationRules: ofKind('DestinationRule'),
    peerAuthentications: ofKind('PeerAuthentication'),
    authorizationPolicies: ofKind('AuthorizationPolicy'),
  });
}

const names = (list: Array<{ metadata?: { name?: string } }>) =>
  list.map(o => o.metadata?.name).sort();

describe('serviceHosts', () => {
  it('resolves short hosts relative to the object namespace, as Istio does', () => {
    expect(qualifyHost('reviews', 'shop')).toBe(
      'reviews.shop.svc.cluster.local',
    );
    expect(qualifyHost('reviews.other', 'shop')).toBe(
      'reviews.other.svc.cluster.local',
    );
    expect(qualifyHost('reviews.other.svc', 'shop')).toBe(
      'reviews.other.svc.cluster.local',
    );
    expect(qualifyHost('api.example.com', 'shop')).toBe('api.example.com');
  });

  it('matches the service by short name, FQDN and wildcard only in its namespace', () => {
    const reviews = { name: 'reviews', namespace: 'shop' };
    expect(hostNamesService('reviews', 'shop', reviews)).toBe(true);
    expect(hostNamesService('reviews', 'other', reviews)).toBe(false);
    expect(hostNamesService('reviews.shop', 'other', reviews)).toBe(true);
    expect(hostNamesService('*.shop.svc.cluster.local', 'x', reviews)).toBe(
      true,
    );
    expect(hostNamesService('*.other.svc.cluster.local', 'x', reviews)).toBe(
      false,
    );
    expect(hostNamesService('reviews2', 'shop', reviews)).toBe(false);
  });
});

describe('attachIstioObjects on the demo clusters', () => {
  const prod = cluster('prod');

  it('attaches the canary VirtualService and DestinationRule by host', () => {
    const checkout = attach(prod, 'checkout-service', 'shop');
    expect(names(checkout.virtualServices)).toEqual(['checkout-service']);
    expect(names(checkout.destinationRules)).toEqual(['checkout-service']);
    expect(configuredTrafficSplit(checkout)).toEqual([
      expect.objectContaining({
        virtualService: 'checkout-service',
        destinations: [
          expect.objectContaining({ subset: 'v1', version: 'v1', weight: 90 }),
          expect.objectContaining({ subset: 'v2', version: 'v2', weight: 10 }),
        ],
      }),
    ]);
  });

  it('attaches the migration VirtualService to the replacement too, by its route destination', () => {
    const pricing = attach(prod, 'pricing-service', 'shop');
    expect(names(pricing.virtualServices)).toEqual([
      'legacy-pricing-service',
      'pricing-service',
    ]);
    const legacy = attach(prod, 'legacy-pricing-service', 'shop');
    const [migration] = configuredTrafficSplit(legacy);
    expect(
      migration.destinations.map(d => [d.host, d.version, d.weight]),
    ).toEqual([
      ['legacy-pricing-service.shop.svc.cluster.local', 'v1', 0],
      ['pricing-service.shop.svc.cluster.local', undefined, 100],
    ]);
  });

  it('applies policies by workload selector, namespace and mesh', () => {
    const cart = attach(prod, 'cart-service', 'shop');
    expect(
      cart.peerAuthentications.map(p => [p.object.metadata?.name, p.scope]),
    ).toEqual(
      expect.arrayContaining([
        ['cart-service', 'workload'],
        ['default', 'mesh'],
      ]),
    );
    expect(
      cart.peerAuthentications.some(
        p => p.object.metadata?.name === 'checkout-service',
      ),
    ).toBe(false);
    expect(names(cart.authorizationPolicies.map(p => p.object))).toEqual([
      'cart-service',
    ]);
    expect(effectiveMtlsMode(cart.peerAuthentications)).toMatchObject({
      mode: 'STRICT',
      from: { scope: 'workload' },
    });
  });

  it('finds no AuthorizationPolicy for the service that lacks one, and falls back to the mesh mTLS mode', () => {
    const loyalty = attach(cluster('dev'), 'loyalty-service', 'shop-dev');
    expect(loyalty.authorizationPolicies).toEqual([]);
    const mode = effectiveMtlsMode(loyalty.peerAuthentications);
    expect(mode).toMatchObject({ mode: 'PERMISSIVE', from: { scope: 'mesh' } });
    expect(effectiveMtlsMode([])).toEqual({ mode: 'PERMISSIVE' });
  });

  it('sees both VirtualServices claiming the mistaken test service', () => {
    const search = attach(cluster('test'), 'search-service', 'shop-test');
    expect(names(search.virtualServices)).toEqual([
      'search-service',
      'search-service-experiment',
    ]);
    const split = configuredTrafficSplit(search);
    const v2 = split.flatMap(r => r.destinations).find(d => d.subset === 'v2');
    // The subset is not defined in any DestinationRule: no version.
    expect(v2).toMatchObject({ subset: 'v2', version: undefined });
  });
});
