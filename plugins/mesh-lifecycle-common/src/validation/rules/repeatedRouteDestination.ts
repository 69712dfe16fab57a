import { ValidationRule } from '../rule';

/**
 * Two destinations of one route with the same host and subset (and port):
 * their weights add up, which is rarely what was meant. Follows Kiali's
 * `virtualservices.route.repeatedsubset` (KIA1105); every destination
 * involved gets it, as in Kiali.
 *
 * @internal
 */
export const repeatedRouteDestination: ValidationRule = {
  code: 'KIA1105',
  severity: 'warning',
  title:
    'This host subset combination is already referenced in another route destination',
  hint: 'Keep one destination per host and subset in a route and give it the sum of the weights.',
  kialiCheck: 'virtualservices.route.repeatedsubset',
  check: context =>
    context.scope.virtualServices.flatMap(vs => {
      const destinations = context.destinationsOf(vs);
      const key = (d: (typeof destinations)[number]) =>
        [
          d.routePath,
          d.host ?? '',
          d.entry.destination?.subset ?? '',
          d.entry.destination?.port?.number ?? '',
        ].join('|');
      return destinations.flatMap(d => {
        const same = destinations.filter(o => o !== d && key(o) === key(d));
        if (same.length === 0) return [];
        const subset = d.entry.destination?.subset;
        const what = subset ? `${d.host} subset ${subset}` : `${d.host}`;
        return [
          {
            object: context.ref('VirtualService', vs),
            path: `${d.path}.destination`,
            message: `${what} is also the destination of ${same
              .map(o => o.path)
              .join(', ')}`,
            hint: `Remove the repeated destination ${what} from ${d.routePath} and add its weight to the remaining one.`,
          },
        ];
      });
    }),
};
