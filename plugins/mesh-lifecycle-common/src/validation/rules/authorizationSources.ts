import { ValidationContext } from '../ValidationContext';
import {
  AuthorizationSourceLike,
  ValidatedAuthorizationPolicy,
} from '../types';

/**
 * Every value of one field of the `from` sources of the AuthorizationPolicies
 * in scope, with its path.
 *
 * @internal
 */
export function authorizationSourceValues(
  context: ValidationContext,
  field: keyof AuthorizationSourceLike,
): Array<{
  policy: ValidatedAuthorizationPolicy;
  value: string;
  path: string;
}> {
  return context.scope.authorizationPolicies.flatMap(policy =>
    (policy.spec?.rules ?? []).flatMap((rule, r) =>
      (rule.from ?? []).flatMap((from, f) =>
        (from.source?.[field] ?? []).map((value, v) => ({
          policy,
          value,
          path: `spec.rules[${r}].from[${f}].source.${field}[${v}]`,
        })),
      ),
    ),
  );
}
