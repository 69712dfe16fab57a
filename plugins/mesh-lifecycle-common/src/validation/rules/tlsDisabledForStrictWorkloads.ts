import {
  AttachedPolicy,
  attachIstioObjects,
  effectiveMtlsMode,
} from '../../mesh/attachIstioObjects';
import { RuleFinding, ValidationRule } from '../rule';
import { ValidationContext } from '../ValidationContext';
import {
  KubernetesServiceLike,
  TrafficPolicyLike,
  ValidatedDestinationRule,
  ValidatedPeerAuthentication,
} from '../types';

/** The mode the server sidecars require on a port of the Service. */
function serverMode(
  service: KubernetesServiceLike,
  policies: AttachedPolicy<ValidatedPeerAuthentication>[],
  servicePort?: number,
) {
  const port = service.spec?.ports?.find(p => p.port === servicePort);
  const target =
    typeof port?.targetPort === 'number' ? port.targetPort : servicePort;
  if (target !== undefined) {
    const from = policies.find(p => {
      const mode = p.object.spec?.portLevelMtls?.[String(target)]?.mode;
      return p.scope === 'workload' && mode !== undefined && mode !== 'UNSET';
    });
    const mode = from?.object.spec?.portLevelMtls?.[String(target)]?.mode;
    if (from && mode) return { mode, from };
  }
  return effectiveMtlsMode(policies);
}

/**
 * Where a DestinationRule for one Service tells clients to send plaintext
 * (`tls.mode: DISABLE`, at top level, per port or per subset) to workloads
 * whose PeerAuthentication in force is STRICT.
 */
function conflicts(
  context: ValidationContext,
  dr: ValidatedDestinationRule,
): RuleFinding[] {
  const written = dr.spec?.host;
  if (written === undefined) return [];
  const host = context.qualify(written, dr.metadata?.namespace);
  const service = context.findService(host);
  if (!service?.metadata?.name || !service.metadata.namespace) return [];
  const ref = {
    name: service.metadata.name,
    namespace: service.metadata.namespace,
  };
  const { peerAuthentications } = attachIstioObjects({
    service: ref,
    podLabels: context
      .workloadsOf(service)
      .map(w => w.spec?.template?.metadata?.labels ?? {}),
    virtualServices: [],
    destinationRules: [],
    peerAuthentications: context.snapshot.peerAuthentications,
    authorizationPolicies: [],
    rootNamespace: context.rootNamespace,
    clusterDomain: context.clusterDomain,
  });
  const servicePorts = (service.spec?.ports ?? []).flatMap(p =>
    p.port === undefined ? [] : [p.port],
  );
  const policies: Array<{ path: string; policy?: TrafficPolicyLike }> = [
    { path: 'spec.trafficPolicy', policy: dr.spec?.trafficPolicy },
    ...(dr.spec?.subsets ?? []).map((s, i) => ({
      path: `spec.subsets[${i}].trafficPolicy`,
      policy: s.trafficPolicy,
    })),
  ];
  return policies.flatMap(({ path, policy }) => {
    const disabled: Array<{
      path: string;
      ports: Array<number | undefined>;
      portLevel: boolean;
    }> = [];
    const portLevel = policy?.portLevelSettings ?? [];
    if (policy?.tls?.mode === 'DISABLE') {
      const overridden = portLevel
        .filter(s => s.tls?.mode !== undefined)
        .map(s => s.port?.number);
      const ports = servicePorts.filter(p => !overridden.includes(p));
      disabled.push({
        path: `${path}.tls.mode`,
        ports: servicePorts.length > 0 ? ports : [undefined],
        portLevel: false,
      });
    }
    portLevel.forEach((s, i) => {
      if (s.tls?.mode === 'DISABLE') {
        disabled.push({
          path: `${path}.portLevelSettings[${i}].tls.mode`,
          ports: [s.port?.number],
          portLevel: true,
        });
      }
    });
    return disabled.flatMap(d => {
      for (const port of d.ports) {
        const { mode, from } = serverMode(service, peerAuthentications, port);
        if (mode === 'STRICT' && from) {
          const pa = `${from.object.metadata?.namespace}/${from.object.metadata?.name}`;
          const where =
            d.portLevel && port !== undefined ? ` on port ${port}` : '';
          return [
            {
              object: context.ref('DestinationRule', dr),
              path: d.path,
              message: `DestinationRule ${dr.metadata?.name} disables TLS${where} while PeerAuthentication ${pa} requires mTLS (STRICT) on the workloads of ${ref.name}`,
              hint: `Remove the tls block from DestinationRule ${dr.metadata?.name} (auto mTLS) or set mode ISTIO_MUTUAL; or make PeerAuthentication ${pa} PERMISSIVE if plaintext clients must be admitted.`,
            },
          ];
        }
      }
      return [];
    });
  });
}

/**
 * A DestinationRule for one Service disabling TLS (at top level, on a port
 * or in a subset) towards workloads whose PeerAuthentication in force
 * (their own, their namespace's or the mesh's) is STRICT: the server
 * sidecars reject the plaintext connections. Kiali has no check for it: its
 * KIA0207/KIA0208 judge namespace-wide and mesh-wide DestinationRules only.
 *
 * @internal
 */
export const tlsDisabledForStrictWorkloads: ValidationRule = {
  code: 'MESH0001',
  severity: 'error',
  title: 'DestinationRule disables TLS towards workloads that require mTLS',
  hint: 'Remove tls from the DestinationRule (auto mTLS) or set mode ISTIO_MUTUAL; or make the PeerAuthentication PERMISSIVE.',
  check: context =>
    context.scope.destinationRules.flatMap(dr => conflicts(context, dr)),
};
