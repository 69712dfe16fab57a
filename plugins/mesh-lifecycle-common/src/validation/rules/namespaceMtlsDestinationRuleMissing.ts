import {
  clientTlsMode,
  isMeshWideRule,
  isNamespaceWideRule,
  namespaceWideMtlsMode,
} from '../mtls';
import { ValidationRule } from '../rule';

/**
 * A namespace-wide PeerAuthentication (no selector, outside the root
 * namespace) requiring mTLS (STRICT) while auto mTLS is off and no
 * namespace-wide or mesh-wide DestinationRule tells clients to send it.
 * Follows Kiali's `peerauthentications.mtls.destinationrulemissing`
 * (KIA0501).
 *
 * @internal
 */
export const namespaceMtlsDestinationRuleMissing: ValidationRule = {
  code: 'KIA0501',
  severity: 'error',
  title: 'Destination Rule enabling namespace-wide mTLS is missing',
  hint: 'Add a DestinationRule for host *.<namespace>.svc.cluster.local (or *.local) with tls mode ISTIO_MUTUAL, or enable auto mTLS.',
  kialiCheck: 'peerauthentications.mtls.destinationrulemissing',
  check: context => {
    if (context.autoMtls) return [];
    return context.scope.peerAuthentications.flatMap(pa => {
      const { namespace } = context.ref('PeerAuthentication', pa);
      if (
        namespace === context.rootNamespace ||
        namespaceWideMtlsMode(pa) !== 'STRICT'
      ) {
        return [];
      }
      const sent = context
        .destinationRulesSeenFrom(namespace)
        .some(
          dr =>
            (isNamespaceWideRule(dr, namespace, context.clusterDomain) ||
              isMeshWideRule(dr)) &&
            clientTlsMode(dr) === 'ISTIO_MUTUAL',
        );
      if (sent) return [];
      return [
        {
          object: context.ref('PeerAuthentication', pa),
          path: 'spec.mtls',
          message: `PeerAuthentication ${pa.metadata?.name} requires mTLS in namespace ${namespace}, but auto mTLS is off and no DestinationRule for *.${namespace}.svc.${context.clusterDomain} or *.local sends it`,
          hint: `Add a DestinationRule in ${namespace} for host *.${namespace}.svc.${context.clusterDomain} with trafficPolicy.tls.mode ISTIO_MUTUAL, or enable auto mTLS.`,
        },
      ];
    });
  },
};
