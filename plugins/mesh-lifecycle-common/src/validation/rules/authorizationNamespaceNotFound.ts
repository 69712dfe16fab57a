import { ValidationRule } from '../rule';
import { authorizationSourceValues } from './authorizationSources';

/**
 * An AuthorizationPolicy applying to the service that admits a source
 * namespace the cluster does not have. Follows Kiali's
 * `authorizationpolicy.source.namespacenotfound` (KIA0101); patterns with
 * `*` are not judged.
 *
 * @internal
 */
export const authorizationNamespaceNotFound: ValidationRule = {
  code: 'KIA0101',
  severity: 'warning',
  title: 'Namespace not found for this rule',
  hint: 'Correct the namespace name or remove it from the rule.',
  kialiCheck: 'authorizationpolicy.source.namespacenotfound',
  check: context => {
    const namespaces = new Set(
      context.snapshot.namespaces.map(n => n.metadata?.name),
    );
    return authorizationSourceValues(context, 'namespaces').flatMap(
      ({ policy, value, path }) =>
        value.includes('*') || namespaces.has(value)
          ? []
          : [
              {
                object: context.ref('AuthorizationPolicy', policy),
                path,
                message: `namespace ${value} does not exist in this cluster`,
                hint: `Correct namespace ${value} in AuthorizationPolicy ${policy.metadata?.name}, or remove it if those callers are gone.`,
              },
            ],
    );
  },
};
