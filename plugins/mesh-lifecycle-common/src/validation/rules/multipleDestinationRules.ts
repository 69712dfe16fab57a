import { ValidatedDestinationRule } from '../types';
import { ValidationRule } from '../rule';

/**
 * More than one DestinationRule for a host defining the same subset, or
 * both defining none: only one of their policies applies. Follows Kiali's
 * `destinationrules.multimatch` (KIA0201), which compares host and subset
 * combinations; each DestinationRule involved gets it. In service mode only
 * the service's own host counts.
 *
 * @internal
 */
export const multipleDestinationRules: ValidationRule = {
  code: 'KIA0201',
  severity: 'warning',
  title: 'More than one DestinationRules for the same host subset combination',
  hint: 'Keep one DestinationRule per host: move the subsets and traffic policy of the others into it.',
  kialiCheck: 'destinationrules.multimatch',
  check: context => {
    const keys = (dr: ValidatedDestinationRule) => {
      const subsets = (dr.spec?.subsets ?? []).map(s => s.name ?? '');
      return subsets.length > 0 ? subsets : ['~'];
    };
    const hostOf = (dr: ValidatedDestinationRule) =>
      dr.spec?.host === undefined
        ? undefined
        : context.qualify(dr.spec.host, dr.metadata?.namespace);
    return context.scope.destinationRules.flatMap(dr => {
      const host = hostOf(dr);
      if (host === undefined || !context.concernsHost(host)) return [];
      const own = keys(dr);
      const others = context.snapshot.destinationRules.filter(
        other =>
          other !== dr &&
          hostOf(other) === host &&
          keys(other).some(k => own.includes(k)),
      );
      if (others.length === 0) return [];
      const names = others.map(
        o => `${o.metadata?.namespace}/${o.metadata?.name}`,
      );
      return [
        {
          object: context.ref('DestinationRule', dr),
          path: 'spec.host',
          message: `${host} is also the host of DestinationRule ${names.join(
            ', ',
          )}`,
          hint: `Merge DestinationRule ${dr.metadata?.name} and ${names.join(
            ', ',
          )} into one.`,
        },
      ];
    });
  },
};
