import {
  clientTlsMode,
  isMeshWideRule,
  isMutual,
  isNamespaceWideRule,
  namespaceWideMtlsMode,
} from '../mtls';
import { ValidationRule } from '../rule';

/**
 * A namespace-wide PeerAuthentication disabling mTLS while a namespace-wide
 * DestinationRule, or (without a namespace-wide one disabling TLS) a
 * mesh-wide one, tells clients to send mTLS: the servers no longer accept
 * it. Follows Kiali's
 * `peerauthentications.mtls.disabledestinationrulemissing` (KIA0505),
 * reading the DestinationRules in order as Kiali does.
 *
 * @internal
 */
export const namespaceDisableDestinationRuleMissing: ValidationRule = {
  code: 'KIA0505',
  severity: 'error',
  title: 'Destination Rule disabling namespace-wide mTLS is missing',
  hint: 'Add a DestinationRule for host *.<namespace>.svc.cluster.local with tls mode DISABLE, or stop disabling mTLS.',
  kialiCheck: 'peerauthentications.mtls.disabledestinationrulemissing',
  check: context =>
    context.scope.peerAuthentications.flatMap(pa => {
      const { namespace } = context.ref('PeerAuthentication', pa);
      if (
        namespace === context.rootNamespace ||
        namespaceWideMtlsMode(pa) !== 'DISABLE'
      ) {
        return [];
      }
      let sending: string | undefined;
      for (const dr of context.destinationRulesSeenFrom(namespace)) {
        const mode = clientTlsMode(dr);
        if (isNamespaceWideRule(dr, namespace, context.clusterDomain)) {
          if (isMutual(mode)) {
            sending = `${dr.metadata?.namespace}/${dr.metadata?.name}`;
            break;
          }
          if (mode === 'DISABLE') return [];
        }
        if (sending === undefined && isMeshWideRule(dr) && isMutual(mode)) {
          sending = `${dr.metadata?.namespace}/${dr.metadata?.name}`;
        }
      }
      if (sending === undefined) return [];
      return [
        {
          object: context.ref('PeerAuthentication', pa),
          path: 'spec.mtls',
          message: `PeerAuthentication ${pa.metadata?.name} disables mTLS in namespace ${namespace}, but DestinationRule ${sending} still tells clients to send mTLS there`,
          hint: `Add a DestinationRule in ${namespace} for host *.${namespace}.svc.${context.clusterDomain} with trafficPolicy.tls.mode DISABLE, or change DestinationRule ${sending}.`,
        },
      ];
    }),
};
