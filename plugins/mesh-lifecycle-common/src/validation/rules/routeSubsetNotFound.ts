import { ValidationRule } from '../rule';

/**
 * A route destination naming a subset that no DestinationRule of its host
 * defines: requests routed there fail with 503 (NR). Follows Kiali's
 * `virtualservices.subsetpresent.subsetnotfound` (KIA1107).
 *
 * @internal
 */
export const routeSubsetNotFound: ValidationRule = {
  code: 'KIA1107',
  severity: 'warning',
  title: 'Subset not found',
  hint: 'Define the subset in the DestinationRule of the host, or remove it from the route.',
  kialiCheck: 'virtualservices.subsetpresent.subsetnotfound',
  check: context =>
    context.scope.virtualServices.flatMap(vs =>
      context.destinationsOf(vs).flatMap(d => {
        const subset = d.entry.destination?.subset;
        const host = d.host;
        if (!subset || host === undefined) return [];
        const rules = context.snapshot.destinationRules.filter(
          dr =>
            dr.spec?.host !== undefined &&
            context.covers(
              context.qualify(dr.spec.host, dr.metadata?.namespace),
              host,
            ),
        );
        if (rules.some(dr => dr.spec?.subsets?.some(s => s.name === subset))) {
          return [];
        }
        const names = rules.map(dr => dr.metadata?.name ?? '');
        return [
          {
            object: context.ref('VirtualService', vs),
            path: `${d.path}.destination.subset`,
            message: `subset ${subset} of ${host} is defined in no DestinationRule`,
            hint:
              names.length > 0
                ? `Add subset ${subset} to DestinationRule ${names.join(
                    ', ',
                  )} or remove it from the route.`
                : `Create a DestinationRule for ${host} with subset ${subset}, or remove the subset from the route.`,
          },
        ];
      }),
    ),
};
