import { ValidationRule } from '../rule';
import { hasLabels } from '../ValidationContext';

/**
 * A Gateway whose selector matches the pods of no workload (in any
 * namespace, or in its own with `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`): no
 * gateway proxy serves it. Follows Kiali's `gateways.selector` (KIA0302).
 *
 * @internal
 */
export const gatewaySelectorMatchesNoWorkload: ValidationRule = {
  code: 'KIA0302',
  severity: 'warning',
  title: 'No matching workload found for gateway selector in this namespace',
  hint: "Make the selector match the labels of a gateway deployment's pods (e.g. istio: ingressgateway).",
  kialiCheck: 'gateways.selector',
  check: context =>
    context.scope.gateways.flatMap(gateway => {
      const { namespace } = context.ref('Gateway', gateway);
      const selector = gateway.spec?.selector ?? {};
      const pods = context.podLabelsIn(
        context.scopeGatewayToNamespace ? namespace : undefined,
      );
      if (pods.some(labels => hasLabels(selector, labels))) return [];
      const shown =
        Object.entries(selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '(empty)';
      return [
        {
          object: context.ref('Gateway', gateway),
          path: 'spec.selector',
          message: `no pod ${
            context.scopeGatewayToNamespace ? `of namespace ${namespace} ` : ''
          }has the labels ${shown}, so no gateway proxy serves Gateway ${
            gateway.metadata?.name
          }`,
          hint: `Correct the selector of Gateway ${gateway.metadata?.name} to the labels of the gateway pods, or deploy the gateway.`,
        },
      ];
    }),
};
