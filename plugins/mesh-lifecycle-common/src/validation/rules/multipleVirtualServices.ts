import { ValidatedVirtualService } from '../types';
import { ValidationRule } from '../rule';

/**
 * More than one VirtualService for the service's host on the same gateway
 * (`mesh` when none is named): sidecars apply only one of them. Follows
 * Kiali's `virtualservices.singlehost` (KIA1106); each VirtualService
 * involved gets the finding, as in Kiali.
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
    const claiming = context.snapshot.virtualServices.flatMap(vs => {
      const index = (vs.spec?.hosts ?? []).findIndex(
        h => context.qualify(h, vs.metadata?.namespace) === context.fqdn,
      );
      return index < 0 ? [] : [{ vs, index, gateways: gatewaysOf(vs) }];
    });
    return claiming.flatMap(({ vs, index, gateways }) => {
      const others = claiming.filter(
        other =>
          other.vs !== vs && other.gateways.some(g => gateways.includes(g)),
      );
      if (others.length === 0) return [];
      const names = others.map(
        o => `${o.vs.metadata?.namespace}/${o.vs.metadata?.name}`,
      );
      return [
        {
          object: context.ref('VirtualService', vs),
          path: `spec.hosts[${index}]`,
          message: `${
            context.fqdn
          } is also a host of VirtualService ${names.join(', ')}`,
          hint: `Merge VirtualService ${vs.metadata?.name} and ${names.join(
            ', ',
          )} into one; only one VirtualService per host takes effect on sidecars.`,
        },
      ];
    });
  },
};
