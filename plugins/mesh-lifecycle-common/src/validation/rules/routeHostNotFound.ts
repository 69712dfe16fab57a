import { ValidationRule } from '../rule';

/**
 * A route destination naming a host that is in the service registry of the
 * VirtualService's namespace neither as a Service (exported to it) nor as a
 * ServiceEntry host (wildcard hosts included). Follows Kiali's
 * `virtualservices.nohost.hostnotfound` (KIA1101): external hosts need a
 * ServiceEntry too, and with `outboundTrafficPolicy` `ALLOW_ANY` the finding
 * is a warning.
 *
 * @internal
 */
export const routeHostNotFound: ValidationRule = {
  code: 'KIA1101',
  severity: 'error',
  otherSeverities: ['warning'],
  title:
    "DestinationWeight on route doesn't have a valid service (host not found)",
  hint: 'Fix the destination host (a Service name, or its FQDN <name>.<namespace>.svc.cluster.local), or add a ServiceEntry for it.',
  kialiCheck: 'virtualservices.nohost.hostnotfound',
  check: context =>
    context.scope.virtualServices.flatMap(vs => {
      const { namespace } = context.ref('VirtualService', vs);
      return context.destinationsOf(vs).flatMap(d => {
        const host = d.host;
        if (!d.entry.destination?.host || host === undefined) return [];
        if (context.inRegistry(host, namespace)) return [];
        const local = context.isClusterLocal(host);
        return [
          {
            object: context.ref('VirtualService', vs),
            path: `${d.path}.destination.host`,
            message: `no Service${
              local ? '' : ' of the cluster'
            } or ServiceEntry for ${host} is visible from namespace ${namespace}`,
            hint: local
              ? `Point the destination at an existing Service, deploy ${host}, or add a ServiceEntry for it.`
              : `Add a ServiceEntry for ${host} (exported to ${namespace}), or correct the host.`,
            ...(context.allowAny ? { severity: 'warning' as const } : {}),
          },
        ];
      });
    }),
};
