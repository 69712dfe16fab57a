import { findingsOf } from '../__testUtils__/findingsOf';
import { bookinfoSnapshot } from '../__fixtures__/bookinfoSnapshot';
import { GatewayLike, MeshConfigSnapshot } from '../types';
import {
  validateMeshConfig,
  validateMeshNamespace,
} from '../validateMeshConfig';

const found = findingsOf;

function gateway(
  namespace: string,
  name: string,
  hosts: string[],
  options: { port?: number; selector?: Record<string, string> } = {},
): GatewayLike {
  return {
    metadata: { name, namespace },
    spec: {
      selector: options.selector ?? { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: options.port ?? 80, name: 'http', protocol: 'HTTP' },
          hosts,
        },
      ],
    },
  };
}

/** Bookinfo with an ingress gateway deployment and these Gateways. */
function withGateways(...gateways: GatewayLike[]): MeshConfigSnapshot {
  const snapshot = bookinfoSnapshot();
  snapshot.workloads.push({
    metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
    spec: {
      template: {
        metadata: {
          labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
        },
      },
    },
  });
  snapshot.gateways = gateways;
  return snapshot;
}

/** Binds VirtualService productpage to these gateways. */
function bind(
  snapshot: MeshConfigSnapshot,
  gateways: string[],
  matchGateways?: string[],
) {
  const spec = snapshot.virtualServices[0].spec!;
  spec.gateways = gateways;
  if (matchGateways) spec.http![0].match = [{ gateways: matchGateways }];
  return snapshot;
}

describe('KIA1102 VirtualService bound to a Gateway that does not exist', () => {
  it('flags missing gateways at top level and in HTTP matches', () => {
    const snapshot = bind(
      withGateways(gateway('bookinfo', 'bookinfo-gateway', ['*'])),
      ['bookinfo-gateway', 'istio-system/public', 'mesh'],
      ['bookinfo/canary'],
    );
    expect(found('KIA1102', snapshot, { namespace: 'bookinfo' })).toEqual([
      'VirtualService/bookinfo/productpage spec.gateways[1]',
      'VirtualService/bookinfo/productpage spec.http[0].match[0].gateways[0]',
    ]);
  });

  it('accepts existing gateways in every nomenclature, and "mesh"', () => {
    const snapshot = bind(
      withGateways(
        gateway('bookinfo', 'bookinfo-gateway', ['*']),
        gateway('istio-system', 'public', ['*'], { port: 443 }),
      ),
      [
        'bookinfo-gateway',
        'istio-system/public',
        'public.istio-system.svc.cluster.local',
        'mesh',
      ],
      ['bookinfo/bookinfo-gateway'],
    );
    expect(found('KIA1102', snapshot)).toEqual([]);
  });

  it('judges nothing when the Gateways were not read', () => {
    const snapshot = bind(bookinfoSnapshot(), ['istio-system/public']);
    delete snapshot.gateways;
    expect(found('KIA1102', snapshot)).toEqual([]);
  });
});

describe('KIA1108 gateway written in the older nomenclature', () => {
  it('notes <name>.<namespace> references, as info', () => {
    const snapshot = bind(
      withGateways(gateway('istio-system', 'public', ['*'])),
      ['public.istio-system', 'istio-system/public'],
      ['public.istio-system.svc.cluster.local'],
    );
    const findings = validateMeshNamespace({ snapshot }).filter(
      f => f.code === 'KIA1108',
    );
    expect(findings.map(f => [f.severity, f.path])).toEqual([
      ['info', 'spec.gateways[0]'],
      ['info', 'spec.http[0].match[0].gateways[0]'],
    ]);
    expect(findings[0].hint).toContain('istio-system/public');
  });

  it('accepts <namespace>/<name> and bare names', () => {
    const snapshot = bind(
      withGateways(gateway('istio-system', 'public', ['*'])),
      ['istio-system/public', 'mesh'],
    );
    expect(found('KIA1108', snapshot)).toEqual([]);
  });
});

describe('KIA0301 Gateways serving the same host on the same port', () => {
  it('flags both Gateways for the same host, or a host and a wildcard covering it', () => {
    const snapshot = withGateways(
      gateway('bookinfo', 'bookinfo-gateway', ['bookinfo.example.com']),
      gateway('shop', 'shop-gateway', ['*.example.com', 'shop.example.org']),
      gateway('istio-system', 'other-port', ['bookinfo.example.com'], {
        port: 443,
      }),
      gateway('istio-system', 'other-workloads', ['bookinfo.example.com'], {
        selector: { istio: 'egressgateway' },
      }),
    );
    expect(found('KIA0301', snapshot)).toEqual([
      'Gateway/bookinfo/bookinfo-gateway spec.servers[0].hosts[0]',
      'Gateway/shop/shop-gateway spec.servers[0].hosts[0]',
    ]);
    expect(found('KIA0301', snapshot, { namespace: 'bookinfo' })).toEqual([
      'Gateway/bookinfo/bookinfo-gateway spec.servers[0].hosts[0]',
    ]);
    const [finding] = validateMeshNamespace({
      snapshot,
      namespace: 'bookinfo',
    }).filter(f => f.code === 'KIA0301');
    expect(finding.message).toContain('shop/shop-gateway (*.example.com)');
  });

  it('flags the first of two colliding hosts of one Gateway, and "*" against any host', () => {
    const snapshot = withGateways(
      gateway('bookinfo', 'one', ['*.echidna.com', 'tachyglossa.echidna.com']),
      gateway('shop', 'catch-all', ['*'], { port: 8080 }),
      gateway('shop', 'specific', ['shop.example.com'], { port: 8080 }),
    );
    expect(found('KIA0301', snapshot)).toEqual([
      'Gateway/bookinfo/one spec.servers[0].hosts[0]',
      'Gateway/shop/catch-all spec.servers[0].hosts[0]',
      'Gateway/shop/specific spec.servers[0].hosts[0]',
    ]);
  });

  it('accepts distinct hosts, two wildcards, and hosts for distinct namespaces', () => {
    const snapshot = withGateways(
      gateway('bookinfo', 'one', ['*.example.com', '*.shop.example.com']),
      gateway('bookinfo', 'two', ['example.com', 'api-dev.example.org']),
      gateway('shop', 'three', ['api.dev.example.org']),
      gateway('shop', 'split', [
        'bookinfo/app.example.net',
        'shop/app.example.net',
      ]),
    );
    expect(found('KIA0301', snapshot)).toEqual([]);
  });
});

describe('KIA0302 Gateway selector matching no workload', () => {
  it('flags a selector no pod has', () => {
    const snapshot = withGateways(
      gateway('bookinfo', 'bookinfo-gateway', ['*'], {
        selector: { istio: 'ingress' },
      }),
    );
    expect(found('KIA0302', snapshot)).toEqual([
      'Gateway/bookinfo/bookinfo-gateway spec.selector',
    ]);
  });

  it('accepts gateway deployments and bare pods of any namespace, or of its own when scoped', () => {
    const snapshot = withGateways(
      gateway('bookinfo', 'bookinfo-gateway', ['*']),
      gateway('bookinfo', 'pods-only', ['*'], {
        port: 8443,
        selector: { gateway: 'daemon' },
      }),
    );
    snapshot.pods = [
      {
        metadata: {
          name: 'daemon-gw-x1',
          namespace: 'bookinfo',
          labels: { gateway: 'daemon' },
        },
      },
    ];
    expect(found('KIA0302', snapshot)).toEqual([]);
    // With PILOT_SCOPE_GATEWAY_TO_NAMESPACE, istio-system's gateway does
    // not serve bookinfo's Gateway.
    expect(
      found('KIA0302', snapshot, { scopeGatewayToNamespace: true }),
    ).toEqual(['Gateway/bookinfo/bookinfo-gateway spec.selector']);
  });
});

describe('gateways in service mode', () => {
  it('judges the Gateways the service VirtualServices bind to, and no other', () => {
    const snapshot = bind(
      withGateways(
        gateway('bookinfo', 'bound', ['*'], { selector: { istio: 'none' } }),
        gateway('bookinfo', 'unbound', ['*'], {
          port: 8080,
          selector: { istio: 'none' },
        }),
      ),
      ['bound'],
    );
    expect(
      validateMeshConfig({
        service: { name: 'productpage', namespace: 'bookinfo' },
        snapshot,
      })
        .filter(f => f.code === 'KIA0302')
        .map(f => f.object.name),
    ).toEqual(['bound']);
  });
});
