import { ValidationRule } from '../rule';
import { ValidationContext } from '../ValidationContext';
import { ValidatedDestinationRule } from '../types';

/** Istio's app labels, in the order Istio prefers them. */
const APP_LABELS = [
  'service.istio.io/canonical-name',
  'app.kubernetes.io/name',
  'app',
];

function appOf(labels: Record<string, string>): string | undefined {
  const key = APP_LABELS.find(k => labels[k] !== undefined);
  return key === undefined ? undefined : labels[key];
}

/**
 * Whether the host of a DestinationRule is known, as Kiali judges it: a
 * wildcard, a Service or ServiceEntry host visible from the rule's
 * namespace, or the app label of workloads of the rule's own namespace.
 *
 * @internal
 */
export function destinationHostKnown(
  context: ValidationContext,
  dr: ValidatedDestinationRule,
): boolean {
  const written = dr.spec?.host;
  if (written === undefined) return true;
  const { namespace } = context.ref('DestinationRule', dr);
  const host = context.qualify(written, namespace);
  if (host.startsWith('*')) return true;
  if (context.isClusterLocal(host)) {
    const [name, hostNamespace] = host.split('.');
    if (
      hostNamespace === namespace &&
      context.podLabelsIn(namespace).some(labels => appOf(labels) === name)
    ) {
      return true;
    }
  }
  return context.inRegistry(host, namespace);
}

/**
 * A DestinationRule whose host is in the service registry neither as a
 * Service, a ServiceEntry host nor the app of workloads of its namespace:
 * its policies apply to nothing. Follows Kiali's
 * `destinationrules.nodest.matchingregistry` (KIA0202); a warning with
 * `outboundTrafficPolicy` `ALLOW_ANY`.
 *
 * @internal
 */
export const destinationHostNotFound: ValidationRule = {
  code: 'KIA0202',
  severity: 'error',
  otherSeverities: ['warning'],
  title:
    'This host has no matching entry in the service registry (service, workload or service entries)',
  hint: 'Correct the host (a Service name or FQDN), deploy the service, or add a ServiceEntry for an external host.',
  kialiCheck: 'destinationrules.nodest.matchingregistry',
  check: context =>
    context.scope.destinationRules.flatMap(dr => {
      if (destinationHostKnown(context, dr)) return [];
      const { namespace } = context.ref('DestinationRule', dr);
      const host = context.qualify(dr.spec?.host ?? '', namespace);
      return [
        {
          object: context.ref('DestinationRule', dr),
          path: 'spec.host',
          message: `no Service, workload or ServiceEntry for ${host} is visible from namespace ${namespace}`,
          hint: context.isClusterLocal(host)
            ? `Correct the host of DestinationRule ${dr.metadata?.name}, or deploy ${host}.`
            : `Add a ServiceEntry for ${host} (exported to ${namespace}), or correct the host of DestinationRule ${dr.metadata?.name}.`,
          ...(context.allowAny ? { severity: 'warning' as const } : {}),
        },
      ];
    }),
};
