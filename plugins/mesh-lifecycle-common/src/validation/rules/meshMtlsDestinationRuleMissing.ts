import { clientTlsMode, isMeshWideRule, namespaceWideMtlsMode } from '../mtls';
import { ValidationRule } from '../rule';

/**
 * A mesh-wide PeerAuthentication (root namespace, no selector) requiring
 * mTLS (STRICT) while auto mTLS is off and no mesh-wide DestinationRule
 * (`*.local`) tells clients to send it: plaintext clients are rejected.
 * Follows Kiali's `peerauthentication.mtls.destinationrulemissing`
 * (KIA0401).
 *
 * @internal
 */
export const meshMtlsDestinationRuleMissing: ValidationRule = {
  code: 'KIA0401',
  severity: 'error',
  title: 'Mesh-wide Destination Rule enabling mTLS is missing',
  hint: 'Add a DestinationRule for host *.local with tls mode ISTIO_MUTUAL, or enable auto mTLS.',
  kialiCheck: 'peerauthentication.mtls.destinationrulemissing',
  check: context => {
    if (context.autoMtls) return [];
    const { rootNamespace } = context;
    const sent = context
      .destinationRulesSeenFrom(rootNamespace)
      .some(dr => isMeshWideRule(dr) && clientTlsMode(dr) === 'ISTIO_MUTUAL');
    if (sent) return [];
    return context.scope.peerAuthentications.flatMap(pa =>
      pa.metadata?.namespace === rootNamespace &&
      namespaceWideMtlsMode(pa) === 'STRICT'
        ? [
            {
              object: context.ref('PeerAuthentication', pa),
              path: 'spec.mtls',
              message: `PeerAuthentication ${pa.metadata?.name} requires mTLS mesh-wide, but auto mTLS is off and no DestinationRule for *.local sends it`,
              hint: `Add a DestinationRule in ${rootNamespace} for host *.local with trafficPolicy.tls.mode ISTIO_MUTUAL, or enable auto mTLS.`,
            },
          ]
        : [],
    );
  },
};
