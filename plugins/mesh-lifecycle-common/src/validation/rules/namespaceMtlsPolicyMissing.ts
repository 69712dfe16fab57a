import {
  acceptsMtls,
  clientTlsMode,
  isNamespaceWideRule,
  namespaceWideMtlsMode,
  peerAuthenticationsIn,
} from '../mtls';
import { ValidationRule } from '../rule';

/**
 * A namespace-wide DestinationRule (`*.<namespace>.svc.<domain>`) sending
 * mTLS (ISTIO_MUTUAL) without a namespace-wide or mesh-wide
 * PeerAuthentication accepting it, auto mTLS being off. Follows Kiali's
 * `destinationrules.mtls.nspolicymissing` (KIA0206).
 *
 * @internal
 */
export const namespaceMtlsPolicyMissing: ValidationRule = {
  code: 'KIA0206',
  severity: 'error',
  title: 'PeerAuthentication enabling namespace-wide mTLS is missing',
  hint: 'Add a PeerAuthentication without selector in the namespace (or the root namespace) with mtls mode STRICT or PERMISSIVE.',
  kialiCheck: 'destinationrules.mtls.nspolicymissing',
  check: context => {
    if (context.autoMtls) return [];
    const accepts = (namespace: string) =>
      peerAuthenticationsIn(context, namespace).some(pa =>
        acceptsMtls(namespaceWideMtlsMode(pa)),
      );
    return context.scope.destinationRules.flatMap(dr => {
      const { namespace } = context.ref('DestinationRule', dr);
      if (
        !isNamespaceWideRule(dr, namespace, context.clusterDomain) ||
        clientTlsMode(dr) !== 'ISTIO_MUTUAL' ||
        accepts(namespace) ||
        accepts(context.rootNamespace)
      ) {
        return [];
      }
      return [
        {
          object: context.ref('DestinationRule', dr),
          path: 'spec.trafficPolicy.tls.mode',
          message: `DestinationRule ${dr.metadata?.name} sends mTLS to the hosts of namespace ${namespace}, but no PeerAuthentication of ${namespace} or ${context.rootNamespace} enables mTLS there`,
          hint: `Add PeerAuthentication "default" in ${namespace} without selector, with mtls mode STRICT (or PERMISSIVE while clients migrate).`,
        },
      ];
    });
  },
};
