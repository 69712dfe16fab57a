import { findingsOf } from '../__testUtils__/findingsOf';
import { bookinfoSnapshot } from '../__fixtures__/bookinfoSnapshot';
import {
  MeshConfigSnapshot,
  ValidatedAuthorizationPolicy,
  ValidatedDestinationRule,
  ValidatedPeerAuthentication,
} from '../types';
import { validateMeshConfig } from '../validateMeshConfig';

const found = findingsOf;

function peer(
  namespace: string,
  mode: string,
  selector?: Record<string, string>,
): ValidatedPeerAuthentication {
  return {
    metadata: { name: selector ? 'workload' : 'default', namespace },
    spec: {
      ...(selector ? { selector: { matchLabels: selector } } : {}),
      mtls: { mode },
    },
  };
}

function rule(
  namespace: string,
  host: string,
  mode: string,
): ValidatedDestinationRule {
  return {
    metadata: { name: host === '*.local' ? 'mesh' : 'all', namespace },
    spec: { host, trafficPolicy: { tls: { mode } } },
  };
}

const NAMESPACE_WIDE = '*.bookinfo.svc.cluster.local';

/** Bookinfo with these PeerAuthentications and DestinationRules added. */
function mesh(
  peers: ValidatedPeerAuthentication[],
  rules: ValidatedDestinationRule[] = [],
  policies: ValidatedAuthorizationPolicy[] = [],
): MeshConfigSnapshot {
  const snapshot = bookinfoSnapshot();
  snapshot.peerAuthentications.push(...peers);
  snapshot.destinationRules.push(...rules);
  snapshot.authorizationPolicies.push(...policies);
  return snapshot;
}

describe('KIA0207 / KIA0208 namespace-wide and mesh-wide DestinationRules disabling TLS under STRICT', () => {
  it('flags a namespace-wide DestinationRule disabling TLS under a STRICT namespace policy as KIA0207', () => {
    const snapshot = mesh(
      [peer('bookinfo', 'STRICT')],
      [rule('bookinfo', NAMESPACE_WIDE, 'DISABLE')],
    );
    expect(found('KIA0207', snapshot)).toEqual([
      'DestinationRule/bookinfo/all spec.trafficPolicy.tls.mode',
    ]);
    expect(found('KIA0208', snapshot)).toEqual([]);
  });

  it('flags mesh-wide STRICT against a mesh-wide or namespace-wide rule as KIA0208', () => {
    const meshRule = mesh(
      [peer('istio-system', 'STRICT')],
      [rule('istio-system', '*.local', 'DISABLE')],
    );
    expect(found('KIA0208', meshRule)).toEqual([
      'DestinationRule/istio-system/mesh spec.trafficPolicy.tls.mode',
    ]);
    // In service mode too: the mesh-wide rule applies to the service.
    expect(
      validateMeshConfig({
        service: { name: 'reviews', namespace: 'bookinfo' },
        snapshot: meshRule,
      })
        .filter(f => f.code === 'KIA0208')
        .map(f => f.object.name),
    ).toEqual(['mesh']);
    const namespaceRule = mesh(
      [peer('istio-system', 'STRICT')],
      [rule('bookinfo', NAMESPACE_WIDE, 'DISABLE')],
    );
    expect(found('KIA0208', namespaceRule)).toEqual([
      'DestinationRule/bookinfo/all spec.trafficPolicy.tls.mode',
    ]);
  });

  it('does not judge DestinationRules of one service, nor rules the servers accept', () => {
    const serviceRule = mesh([peer('bookinfo', 'STRICT')], []);
    serviceRule.destinationRules[0].spec!.trafficPolicy = {
      tls: { mode: 'DISABLE' },
    };
    const permissiveNamespace = mesh(
      [peer('istio-system', 'STRICT'), peer('bookinfo', 'PERMISSIVE')],
      [rule('bookinfo', NAMESPACE_WIDE, 'DISABLE')],
    );
    const disabledNamespace = mesh(
      [peer('istio-system', 'STRICT'), peer('bookinfo', 'DISABLE')],
      [rule('bookinfo', NAMESPACE_WIDE, 'DISABLE')],
    );
    const workloadPolicyOnly = mesh(
      [peer('bookinfo', 'STRICT', { app: 'reviews' })],
      [rule('bookinfo', NAMESPACE_WIDE, 'DISABLE')],
    );
    const mutual = mesh(
      [peer('istio-system', 'STRICT'), peer('bookinfo', 'STRICT')],
      [
        rule('istio-system', '*.local', 'ISTIO_MUTUAL'),
        rule('bookinfo', NAMESPACE_WIDE, 'ISTIO_MUTUAL'),
      ],
    );
    for (const snapshot of [
      serviceRule,
      permissiveNamespace,
      disabledNamespace,
      workloadPolicyOnly,
      mutual,
    ]) {
      expect(found('KIA0207', snapshot)).toEqual([]);
      expect(found('KIA0208', snapshot)).toEqual([]);
    }
    // The service's own rule is MESH0001's.
    expect(found('MESH0001', serviceRule)).toEqual([
      'DestinationRule/bookinfo/productpage spec.trafficPolicy.tls.mode',
    ]);
  });
});

describe('KIA0205 / KIA0206 DestinationRules sending mTLS without a policy accepting it', () => {
  const off = { autoMtls: false };

  it('flags them when auto mTLS is off', () => {
    const snapshot = mesh(
      [],
      [
        rule('istio-system', '*.local', 'ISTIO_MUTUAL'),
        rule('bookinfo', NAMESPACE_WIDE, 'ISTIO_MUTUAL'),
      ],
    );
    expect(found('KIA0205', snapshot, off)).toEqual([
      'DestinationRule/istio-system/mesh spec.trafficPolicy.tls.mode',
    ]);
    expect(found('KIA0206', snapshot, off)).toEqual([
      'DestinationRule/bookinfo/all spec.trafficPolicy.tls.mode',
    ]);
    // Auto mTLS (Istio's default) needs no policy.
    expect(found('KIA0205', snapshot)).toEqual([]);
    expect(found('KIA0206', snapshot)).toEqual([]);
  });

  it('accepts them when a policy accepts mTLS', () => {
    const meshPermissive = mesh(
      [peer('istio-system', 'PERMISSIVE')],
      [
        rule('istio-system', '*.local', 'ISTIO_MUTUAL'),
        rule('bookinfo', NAMESPACE_WIDE, 'ISTIO_MUTUAL'),
      ],
    );
    const namespaceStrict = mesh(
      [peer('bookinfo', 'STRICT')],
      [rule('bookinfo', NAMESPACE_WIDE, 'ISTIO_MUTUAL')],
    );
    for (const snapshot of [meshPermissive, namespaceStrict]) {
      expect(found('KIA0205', snapshot, off)).toEqual([]);
      expect(found('KIA0206', snapshot, off)).toEqual([]);
    }
  });
});

describe('KIA0401 / KIA0501 STRICT policies without a DestinationRule sending mTLS', () => {
  const off = { autoMtls: false };

  it('flags them when auto mTLS is off', () => {
    const snapshot = mesh([
      peer('istio-system', 'STRICT'),
      peer('bookinfo', 'STRICT'),
    ]);
    expect(found('KIA0401', snapshot, off)).toEqual([
      'PeerAuthentication/istio-system/default spec.mtls',
    ]);
    expect(found('KIA0501', snapshot, off)).toEqual([
      'PeerAuthentication/bookinfo/default spec.mtls',
    ]);
    expect(found('KIA0401', snapshot)).toEqual([]);
    expect(found('KIA0501', snapshot)).toEqual([]);
  });

  it('accepts them with a DestinationRule sending mTLS, and workload policies', () => {
    const meshRule = mesh(
      [peer('istio-system', 'STRICT'), peer('bookinfo', 'STRICT')],
      [rule('istio-system', '*.local', 'ISTIO_MUTUAL')],
    );
    const namespaceRule = mesh(
      [peer('bookinfo', 'STRICT')],
      [rule('bookinfo', NAMESPACE_WIDE, 'ISTIO_MUTUAL')],
    );
    const workload = mesh([peer('bookinfo', 'STRICT', { app: 'reviews' })]);
    for (const snapshot of [meshRule, namespaceRule, workload]) {
      expect(found('KIA0401', snapshot, off)).toEqual([]);
      expect(found('KIA0501', snapshot, off)).toEqual([]);
    }
  });
});

describe('KIA0505 / KIA0506 policies disabling mTLS while a DestinationRule sends it', () => {
  it('flags a namespace policy disabling mTLS under a namespace-wide or mesh-wide mutual rule', () => {
    for (const sending of [
      rule('bookinfo', NAMESPACE_WIDE, 'ISTIO_MUTUAL'),
      rule('istio-system', '*.local', 'MUTUAL'),
    ]) {
      const snapshot = mesh([peer('bookinfo', 'DISABLE')], [sending]);
      expect(found('KIA0505', snapshot)).toEqual([
        'PeerAuthentication/bookinfo/default spec.mtls',
      ]);
    }
  });

  it('flags a mesh policy disabling mTLS under a mesh-wide mutual rule', () => {
    const snapshot = mesh(
      [peer('istio-system', 'DISABLE')],
      [rule('istio-system', '*.local', 'ISTIO_MUTUAL')],
    );
    expect(found('KIA0506', snapshot)).toEqual([
      'PeerAuthentication/istio-system/default spec.mtls',
    ]);
    expect(found('KIA0505', snapshot)).toEqual([]);
  });

  it('accepts policies disabling mTLS with rules that disable it too', () => {
    const namespaceDisabled = mesh(
      [peer('bookinfo', 'DISABLE'), peer('istio-system', 'DISABLE')],
      [
        rule('bookinfo', NAMESPACE_WIDE, 'DISABLE'),
        rule('istio-system', '*.local', 'DISABLE'),
      ],
    );
    const namespaceOverridesMesh = mesh(
      [peer('bookinfo', 'DISABLE')],
      [
        rule('bookinfo', NAMESPACE_WIDE, 'DISABLE'),
        rule('istio-system', '*.local', 'ISTIO_MUTUAL'),
      ],
    );
    const noRules = mesh([
      peer('bookinfo', 'DISABLE'),
      peer('istio-system', 'DISABLE'),
    ]);
    for (const snapshot of [
      namespaceDisabled,
      namespaceOverridesMesh,
      noRules,
    ]) {
      expect(found('KIA0505', snapshot)).toEqual([]);
      expect(found('KIA0506', snapshot)).toEqual([]);
    }
  });
});

describe('KIA0105 AuthorizationPolicy matching identities without mTLS', () => {
  const identities: ValidatedAuthorizationPolicy = {
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      selector: { matchLabels: { app: 'reviews' } },
      action: 'ALLOW',
      rules: [
        {
          from: [
            {
              source: {
                principals: [
                  'cluster.local/ns/bookinfo/sa/bookinfo-productpage',
                ],
              },
            },
            { source: { notNamespaces: ['legacy'] } },
          ],
          when: [
            { key: 'source.principal' },
            { key: 'request.headers[x-user]' },
          ],
        },
      ],
    },
  };

  it('flags each identity field where the workloads receive no mTLS', () => {
    const meshDisabled = mesh(
      [peer('istio-system', 'DISABLE')],
      [],
      [identities],
    );
    const expected = [
      'AuthorizationPolicy/bookinfo/reviews spec.rules[0].from[0].source.principals',
      'AuthorizationPolicy/bookinfo/reviews spec.rules[0].from[1].source.notNamespaces',
      'AuthorizationPolicy/bookinfo/reviews spec.rules[0].when[0]',
    ];
    expect(found('KIA0105', meshDisabled)).toEqual(expected);
    // Without auto mTLS, PERMISSIVE and no DestinationRule sending mTLS.
    const manual = mesh([peer('istio-system', 'PERMISSIVE')], [], [identities]);
    expect(found('KIA0105', manual, { autoMtls: false })).toEqual(expected);
    // A workload policy disabling mTLS wins over a STRICT namespace.
    const workloadDisabled = mesh(
      [
        peer('bookinfo', 'STRICT'),
        peer('bookinfo', 'DISABLE', { app: 'reviews' }),
      ],
      [],
      [identities],
    );
    expect(found('KIA0105', workloadDisabled)).toHaveLength(3);
  });

  it('accepts it where the workloads receive mTLS, with auto mTLS or explicitly', () => {
    const nothingSet = mesh([], [], [identities]);
    const meshPermissive = mesh(
      [peer('istio-system', 'PERMISSIVE')],
      [],
      [identities],
    );
    const workloadStrict = mesh(
      [
        peer('istio-system', 'DISABLE'),
        peer('bookinfo', 'STRICT', { app: 'reviews' }),
      ],
      [],
      [identities],
    );
    for (const snapshot of [nothingSet, meshPermissive, workloadStrict]) {
      expect(found('KIA0105', snapshot)).toEqual([]);
    }
    const explicit = mesh(
      [peer('bookinfo', 'STRICT')],
      [rule('bookinfo', NAMESPACE_WIDE, 'ISTIO_MUTUAL')],
      [identities],
    );
    expect(found('KIA0105', explicit, { autoMtls: false })).toEqual([]);
    // A policy reading no identity needs no mTLS.
    const headersOnly = mesh(
      [peer('istio-system', 'DISABLE')],
      [],
      [
        {
          metadata: { name: 'open', namespace: 'bookinfo' },
          spec: { rules: [{ when: [{ key: 'request.headers[x-user]' }] }] },
        },
      ],
    );
    expect(found('KIA0105', headersOnly)).toEqual([]);
  });
});
