import { ValidationRule } from '../rule';

/**
 * A route destination naming a host that is neither a Service of the
 * cluster nor a ServiceEntry host. Follows Kiali's
 * `virtualservices.nohost.hostnotfound` (KIA1101); wildcard and external
 * hosts are not judged, as Kiali does not judge them either.
 *
 * @internal
 */
export const routeHostNotFound: ValidationRule = {
  code: 'KIA1101',
  severity: 'error',
  title:
    "DestinationWeight on route doesn't have a valid service (host not found)",
  hint: 'Fix the destination host (a Service name, or its FQDN <name>.<namespace>.svc.cluster.local), or add a ServiceEntry for it.',
  kialiCheck: 'virtualservices.nohost.hostnotfound',
  check: context =>
    context.attached.virtualServices.flatMap(vs =>
      context.destinationsOf(vs).flatMap(d => {
        const host = d.host;
        if (
          host === undefined ||
          !context.isClusterLocal(host) ||
          context.findService(host) ||
          context.matchesServiceEntry(host)
        ) {
          return [];
        }
        return [
          {
            object: context.ref('VirtualService', vs),
            path: `${d.path}.destination.host`,
            message: `no Service or ServiceEntry for ${host}`,
            hint: `Point the destination at an existing Service, deploy ${host}, or add a ServiceEntry for it.`,
          },
        ];
      }),
    ),
};
