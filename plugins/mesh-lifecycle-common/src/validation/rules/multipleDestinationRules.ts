import { ValidatedDestinationRule } from '../types';
import { ValidationRule } from '../rule';

/**
 * More than one DestinationRule for the service's host defining the same
 * subset, or both defining none: only one of their policies applies.
 * Follows Kiali's `destinationrules.multimatch` (KIA0201), which compares
 * host and subset combinations; each DestinationRule involved gets it.
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
    const rules = context.snapshot.destinationRules.filter(
      dr =>
        dr.spec?.host !== undefined &&
        context.qualify(dr.spec.host, dr.metadata?.namespace) === context.fqdn,
    );
    return rules.flatMap(dr => {
      const own = keys(dr);
      const others = rules.filter(
        other => other !== dr && keys(other).some(k => own.includes(k)),
      );
      if (others.length === 0) return [];
      const names = others.map(
        o => `${o.metadata?.namespace}/${o.metadata?.name}`,
      );
      return [
        {
          object: context.ref('DestinationRule', dr),
          path: 'spec.host',
          message: `${
            context.fqdn
          } is also the host of DestinationRule ${names.join(', ')}`,
          hint: `Merge DestinationRule ${dr.metadata?.name} and ${names.join(
            ', ',
          )} into one.`,
        },
      ];
    });
  },
};
