import { RuleFinding, ValidationRule } from '../rule';
import { ValidationContext } from '../ValidationContext';
import {
  clientTlsMode,
  isMeshWideRule,
  isNamespaceWideRule,
  namespaceWideMtlsMode,
  peerAuthenticationsIn,
} from '../mtls';
import {
  ValidatedDestinationRule,
  ValidatedPeerAuthentication,
} from '../types';

interface Conflict {
  code: 'KIA0207' | 'KIA0208';
  policy: ValidatedPeerAuthentication;
}

function meshStrict(
  context: ValidationContext,
): ValidatedPeerAuthentication | undefined {
  return peerAuthenticationsIn(context, context.rootNamespace).find(
    pa => namespaceWideMtlsMode(pa) === 'STRICT',
  );
}

/**
 * The STRICT PeerAuthentication a namespace-wide or mesh-wide
 * DestinationRule disabling TLS conflicts with, as Kiali finds it: for a
 * namespace-wide rule the first selector-less policy of its namespace that
 * sets a mode decides (PERMISSIVE settles it), else, unless that namespace
 * disables mTLS, a STRICT mesh-wide policy.
 */
function conflict(
  context: ValidationContext,
  dr: ValidatedDestinationRule,
): Conflict | undefined {
  if (clientTlsMode(dr) !== 'DISABLE') return undefined;
  const { namespace } = context.ref('DestinationRule', dr);
  if (isNamespaceWideRule(dr, namespace, context.clusterDomain)) {
    let namespaceDisables = false;
    for (const pa of peerAuthenticationsIn(context, namespace)) {
      const mode = namespaceWideMtlsMode(pa);
      if (mode === 'STRICT') return { code: 'KIA0207', policy: pa };
      if (mode === 'PERMISSIVE') return undefined;
      if (mode === 'DISABLE') namespaceDisables = true;
    }
    if (namespaceDisables) return undefined;
  } else if (!isMeshWideRule(dr)) {
    return undefined;
  }
  const policy = meshStrict(context);
  return policy ? { code: 'KIA0208', policy } : undefined;
}

function findings(
  context: ValidationContext,
  code: Conflict['code'],
): RuleFinding[] {
  return context.scope.destinationRules.flatMap(dr => {
    const found = conflict(context, dr);
    if (found?.code !== code) return [];
    const pa = `${found.policy.metadata?.namespace}/${found.policy.metadata?.name}`;
    const what = isMeshWideRule(dr)
      ? 'every host of the mesh'
      : `the hosts of namespace ${dr.metadata?.namespace}`;
    return [
      {
        object: context.ref('DestinationRule', dr),
        path: 'spec.trafficPolicy.tls.mode',
        message: `DestinationRule ${dr.metadata?.name} disables TLS towards ${what} while PeerAuthentication ${pa} requires mTLS (STRICT)`,
        hint: `Remove the tls block from DestinationRule ${dr.metadata?.name} (auto mTLS) or set mode ISTIO_MUTUAL; or make PeerAuthentication ${pa} PERMISSIVE if plaintext clients must be admitted.`,
      },
    ];
  });
}

/**
 * A namespace-wide DestinationRule (`*.<namespace>.svc.<domain>`)
 * disabling TLS while the namespace's selector-less PeerAuthentication is
 * STRICT: the server sidecars reject the plaintext connections. Follows
 * Kiali's `destinationrules.mtls.policymtlsenabled` (KIA0207), which judges
 * namespace-wide and mesh-wide DestinationRules only.
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
  check: context => findings(context, 'KIA0207'),
};

/**
 * A mesh-wide DestinationRule (`*.local`), or a namespace-wide one whose
 * namespace sets no mode of its own, disabling TLS while the mesh-wide
 * PeerAuthentication of the root namespace is STRICT. Follows Kiali's
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
  check: context => findings(context, 'KIA0208'),
};
