import { RuleFinding, ValidationRule } from '../rule';
import { ValidationContext } from '../ValidationContext';

function check(
  context: ValidationContext,
  kind: string,
  object: { metadata?: { name?: string; namespace?: string } },
  exportTo: string[] | undefined,
): RuleFinding[] {
  return (exportTo ?? []).flatMap((namespace, index) =>
    namespace === '.' || namespace === '*' || context.namespaceExists(namespace)
      ? []
      : [
          {
            object: context.ref(kind, object),
            path: `spec.exportTo[${index}]`,
            message: `${kind} ${object.metadata?.name} is exported to namespace ${namespace}, which does not exist in this cluster`,
            hint: `Correct namespace ${namespace} in the exportTo of ${kind} ${object.metadata?.name} ("." for its own namespace, "*" for all), or remove it.`,
          },
        ],
  );
}

/**
 * A VirtualService, DestinationRule or ServiceEntry exported to a namespace
 * the cluster does not have. Follows Kiali's
 * `generic.exportto.namespacenotfound` (KIA0005): every entry but `.` and
 * `*` must name a namespace of the cluster.
 *
 * @internal
 */
export const exportToNamespaceNotFound: ValidationRule = {
  code: 'KIA0005',
  severity: 'error',
  title: 'No matching namespace found or namespace is not accessible',
  hint: 'Export to existing namespaces only: "." for its own namespace, "*" for every namespace, or namespace names.',
  kialiCheck: 'generic.exportto.namespacenotfound',
  check: context => [
    ...context.scope.virtualServices.flatMap(vs =>
      check(context, 'VirtualService', vs, vs.spec?.exportTo),
    ),
    ...context.scope.destinationRules.flatMap(dr =>
      check(context, 'DestinationRule', dr, dr.spec?.exportTo),
    ),
    ...context.scope.serviceEntries.flatMap(se =>
      check(context, 'ServiceEntry', se, se.spec?.exportTo),
    ),
  ],
};
