import { ValidationRule } from '../rule';

/**
 * A route with one destination whose weight is not 100: Istio sends it all
 * the traffic anyway, so the weight says something that is not true.
 * Follows Kiali's `virtualservices.route.singleweight` (KIA1104).
 *
 * @internal
 */
export const singleDestinationWeight: ValidationRule = {
  code: 'KIA1104',
  severity: 'warning',
  title:
    'The weight is assumed to be 100 because there is only one route destination',
  hint: 'Set the weight to 100 or remove it, or add the destination that should take the rest.',
  kialiCheck: 'virtualservices.route.singleweight',
  check: context =>
    context.scope.virtualServices.flatMap(vs =>
      context.destinationsOf(vs).flatMap(d => {
        const weight = d.entry.weight;
        if (d.siblings.length !== 1 || weight === undefined || weight === 100) {
          return [];
        }
        return [
          {
            object: context.ref('VirtualService', vs),
            path: `${d.path}.weight`,
            message: `the only destination of ${d.routePath} has weight ${weight} but takes 100 % of the traffic`,
            hint: `Set the weight of ${
              d.host ?? 'the destination'
            } to 100 (or remove it), or add the destination meant to take the other ${
              100 - weight
            } %.`,
          },
        ];
      }),
    ),
};
