import {
  AttachedPolicy,
  effectiveMtlsMode,
} from '../../mesh/attachIstioObjects';
import { RuleFinding, ValidationRule } from '../rule';
import { ValidationContext } from '../ValidationContext';
import { TrafficPolicyLike, ValidatedPeerAuthentication } from '../types';

interface Conflict {
  finding: RuleFinding;
  scope: AttachedPolicy<ValidatedPeerAuthentication>['scope'];
}

function serverMode(context: ValidationContext, servicePort?: number) {
  const policies = context.attached.peerAuthentications;
  const port = context.kubernetesService?.spec?.ports?.find(
    p => p.port === servicePort,
  );
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
 * Where the service's DestinationRules tell clients to send plaintext
 * (`tls.mode: DISABLE`, at top level, per port or per subset) to workloads
 * whose PeerAuthentication in force is STRICT.
 */
function conflicts(context: ValidationContext): Conflict[] {
  const servicePorts = (context.kubernetesService?.spec?.ports ?? []).flatMap(
    p => (p.port === undefined ? [] : [p.port]),
  );
  return context.attached.destinationRules.flatMap(dr => {
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
          const { mode, from } = serverMode(context, port);
          if (mode === 'STRICT' && from) {
            const pa = `${from.object.metadata?.namespace}/${from.object.metadata?.name}`;
            const where =
              d.portLevel && port !== undefined ? ` on port ${port}` : '';
            return [
              {
                scope: from.scope,
                finding: {
                  object: context.ref('DestinationRule', dr),
                  path: d.path,
                  message: `DestinationRule ${dr.metadata?.name} disables TLS${where} while PeerAuthentication ${pa} requires mTLS (STRICT) on the workloads of ${context.service.name}`,
                  hint: `Remove the tls block from DestinationRule ${dr.metadata?.name} (auto mTLS) or set mode ISTIO_MUTUAL; or make PeerAuthentication ${pa} PERMISSIVE if plaintext clients must be admitted.`,
                },
              },
            ];
          }
        }
        return [];
      });
    });
  });
}

/**
 * A DestinationRule disabling TLS towards workloads whose own or
 * namespace's PeerAuthentication is STRICT: the server sidecar rejects the
 * plaintext connections. Follows Kiali's
 * `destinationrules.mtls.policymtlsenabled` (KIA0207).
 *
 * @internal
 */
export const tlsDisabledUnderStrictPolicy: ValidationRule = {
  code: 'KIA0207',
  severity: 'error',
  title:
    'PeerAuthentication with TLS strict mode found, it should be permissive',
  hint: 'Remove tls from the DestinationRule (auto mTLS) or set mode ISTIO_MUTUAL; or make the PeerAuthentication PERMISSIVE.',
  kialiCheck: 'destinationrules.mtls.policymtlsenabled',
  check: context =>
    conflicts(context)
      .filter(c => c.scope !== 'mesh')
      .map(c => c.finding),
};

/**
 * The same conflict when the STRICT mode comes from the mesh-wide
 * PeerAuthentication of the root namespace. Follows Kiali's
 * `destinationrules.mtls.meshpolicymtlsenabled` (KIA0208).
 *
 * @internal
 */
export const tlsDisabledUnderStrictMeshPolicy: ValidationRule = {
  code: 'KIA0208',
  severity: 'error',
  title: 'PeerAuthentication enabling mTLS found, permissive mode needed',
  hint: 'Remove tls from the DestinationRule (auto mTLS) or set mode ISTIO_MUTUAL; or give the workloads a PERMISSIVE PeerAuthentication.',
  kialiCheck: 'destinationrules.mtls.meshpolicymtlsenabled',
  check: context =>
    conflicts(context)
      .filter(c => c.scope === 'mesh')
      .map(c => c.finding),
};
