import { ValidatedVirtualService } from '../types';
import { ValidationRule } from '../rule';

/**
 * More than one VirtualService for a host on the same gateway (`mesh` when
 * none is named): sidecars apply only one of them. Follows Kiali's
 * `virtualservices.singlehost` (KIA1106); each VirtualService involved gets
 * the finding, once, at its first shared host, as in Kiali. In service mode
 * only the service's own host counts.
 *
 * @internal
 */
export const multipleVirtualServices: ValidationRule = {
  code: 'KIA1106',
  severity: 'warning',
  title: 'More than one Virtual Service for same host',
  hint: 'Merge the routes into one VirtualService per host (put the more specific matches first).',
  kialiCheck: 'virtualservices.singlehost',
  check: context => {
    const gatewaysOf = (vs: ValidatedVirtualService) =>
      (vs.spec?.gateways?.length ? vs.spec.gateways : ['mesh']).map(g =>
        g === 'mesh' || g.includes('/')
          ? g
          : `${vs.metadata?.namespace ?? ''}/${g}`,
      );
    const hostsOf = (vs: ValidatedVirtualService) =>
      (vs.spec?.hosts ?? []).map(h =>
        context.qualify(h, vs.metadata?.namespace),
      );
    return context.scope.virtualServices.flatMap(vs => {
      const gateways = gatewaysOf(vs);
      const hosts = hostsOf(vs);
      const shared = hosts.flatMap((host, index) => {
        if (!context.concernsHost(host)) return [];
        const others = context.snapshot.virtualServices.filter(
          other =>
            other !== vs &&
            hostsOf(other).includes(host) &&
            gatewaysOf(other).some(g => gateways.includes(g)),
        );
        return others.length > 0 ? [{ host, index, others }] : [];
      });
      if (shared.length === 0) return [];
      const [first] = shared;
      const names = [
        ...new Set(
          shared.flatMap(s =>
            s.others.map(o => `${o.metadata?.namespace}/${o.metadata?.name}`),
          ),
        ),
      ];
      return [
        {
          object: context.ref('VirtualService', vs),
          path: `spec.hosts[${first.index}]`,
          message: `${[...new Set(shared.map(s => s.host))].join(
            ', ',
          )} is also a host of VirtualService ${names.join(', ')}`,
          hint: `Merge VirtualService ${vs.metadata?.name} and ${names.join(
            ', ',
          )} into one; only one VirtualService per host takes effect on sidecars.`,
        },
      ];
    });
  },
};
