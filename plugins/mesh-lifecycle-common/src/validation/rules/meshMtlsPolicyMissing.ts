import {
  acceptsMtls,
  clientTlsMode,
  isMeshWideRule,
  namespaceWideMtlsMode,
  peerAuthenticationsIn,
} from '../mtls';
import { ValidationRule } from '../rule';

/**
 * A mesh-wide DestinationRule (`*.local`) sending mTLS (ISTIO_MUTUAL)
 * without a mesh-wide PeerAuthentication accepting it, auto mTLS being off.
 * Follows Kiali's `destinationrules.mtls.meshpolicymissing` (KIA0205).
 *
 * @internal
 */
export const meshMtlsPolicyMissing: ValidationRule = {
  code: 'KIA0205',
  severity: 'error',
  title: 'PeerAuthentication enabling mTLS at mesh level is missing',
  hint: 'Add a PeerAuthentication without selector in the root namespace with mtls mode STRICT or PERMISSIVE.',
  kialiCheck: 'destinationrules.mtls.meshpolicymissing',
  check: context => {
    if (context.autoMtls) return [];
    const meshAccepts = peerAuthenticationsIn(
      context,
      context.rootNamespace,
    ).some(pa => acceptsMtls(namespaceWideMtlsMode(pa)));
    if (meshAccepts) return [];
    return context.scope.destinationRules.flatMap(dr =>
      isMeshWideRule(dr) && clientTlsMode(dr) === 'ISTIO_MUTUAL'
        ? [
            {
              object: context.ref('DestinationRule', dr),
              path: 'spec.trafficPolicy.tls.mode',
              message: `DestinationRule ${dr.metadata?.name} sends mTLS to every host of the mesh, but no PeerAuthentication of ${context.rootNamespace} enables mTLS mesh-wide`,
              hint: `Add PeerAuthentication "default" in ${context.rootNamespace} without selector, with mtls mode STRICT (or PERMISSIVE while clients migrate).`,
            },
          ]
        : [],
    );
  },
};
