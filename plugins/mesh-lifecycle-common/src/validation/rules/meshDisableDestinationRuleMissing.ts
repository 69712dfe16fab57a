import {
  clientTlsMode,
  isMeshWideRule,
  isMutual,
  namespaceWideMtlsMode,
} from '../mtls';
import { ValidationRule } from '../rule';

/**
 * A mesh-wide PeerAuthentication disabling mTLS while a mesh-wide
 * DestinationRule (`*.local`) tells clients to send mTLS. Follows Kiali's
 * `peerauthentications.mtls.disablemeshdestinationrulemissing` (KIA0506).
 *
 * @internal
 */
export const meshDisableDestinationRuleMissing: ValidationRule = {
  code: 'KIA0506',
  severity: 'error',
  title: 'Destination Rule disabling mesh-wide mTLS is missing',
  hint: 'Set the tls mode of the *.local DestinationRule to DISABLE, or stop disabling mTLS mesh-wide.',
  kialiCheck: 'peerauthentications.mtls.disablemeshdestinationrulemissing',
  check: context => {
    const { rootNamespace } = context;
    const sending = context
      .destinationRulesSeenFrom(rootNamespace)
      .find(dr => isMeshWideRule(dr) && isMutual(clientTlsMode(dr)));
    if (!sending) return [];
    const name = `${sending.metadata?.namespace}/${sending.metadata?.name}`;
    return context.scope.peerAuthentications.flatMap(pa =>
      pa.metadata?.namespace === rootNamespace &&
      namespaceWideMtlsMode(pa) === 'DISABLE'
        ? [
            {
              object: context.ref('PeerAuthentication', pa),
              path: 'spec.mtls',
              message: `PeerAuthentication ${pa.metadata?.name} disables mTLS mesh-wide, but DestinationRule ${name} still tells clients to send mTLS to every host`,
              hint: `Set trafficPolicy.tls.mode of DestinationRule ${name} to DISABLE, or stop disabling mTLS mesh-wide.`,
            },
          ]
        : [],
    );
  },
};
