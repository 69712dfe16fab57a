import { ValidationRule } from '../rule';
import { ValidationContext } from '../ValidationContext';

/**
 * Whether an operation host is matched against the HTTP Host header only,
 * and so not looked up in the registry (as Kiali decides): `*`, prefix or
 * suffix patterns, names with two dots or more, and `<a>.<b>` where `<b>` is
 * no namespace of the cluster.
 */
function isHostHeaderPattern(
  context: ValidationContext,
  host: string,
  policyNamespace: string,
): boolean {
  const value = host.trim();
  if (value.startsWith('*') || value.endsWith('*')) return true;
  const dots = value.split('.').length - 1;
  if (dots >= 2) return true;
  if (dots === 1) {
    const namespace = value.split('.')[1];
    return namespace !== policyNamespace && !context.namespaceExists(namespace);
  }
  return false;
}

/**
 * An AuthorizationPolicy rule whose `to.operation.hosts` names a service
 * (`<name>` or `<name>.<namespace>`) that is neither a Service, a
 * ServiceEntry host nor a VirtualService host seen from the policy's
 * namespace. Follows Kiali's `authorizationpolicy.nodest.matchingregistry`
 * (KIA0104); a warning with `outboundTrafficPolicy` `ALLOW_ANY`.
 *
 * @internal
 */
export const authorizationHostNotFound: ValidationRule = {
  code: 'KIA0104',
  severity: 'error',
  otherSeverities: ['warning'],
  title: 'This host has no matching entry in the service registry',
  hint: 'Correct the host of the operation (a Service name, <name>.<namespace> or a ServiceEntry host), or remove it.',
  kialiCheck: 'authorizationpolicy.nodest.matchingregistry',
  check: context =>
    context.scope.authorizationPolicies.flatMap(policy => {
      const { namespace } = context.ref('AuthorizationPolicy', policy);
      return (policy.spec?.rules ?? []).flatMap((rule, r) =>
        (rule.to ?? []).flatMap((to, t) =>
          (to.operation?.hosts ?? []).flatMap((written, h) => {
            if (
              !written.trim() ||
              isHostHeaderPattern(context, written, namespace)
            ) {
              return [];
            }
            const host = context.qualify(written.trim(), namespace);
            const inVirtualService = context.snapshot.virtualServices.some(vs =>
              (vs.spec?.hosts ?? []).some(vh =>
                context.covers(
                  context.qualify(vh, vs.metadata?.namespace),
                  host,
                ),
              ),
            );
            if (inVirtualService || context.inRegistry(host, namespace)) {
              return [];
            }
            return [
              {
                object: context.ref('AuthorizationPolicy', policy),
                path: `spec.rules[${r}].to[${t}].operation.hosts[${h}]`,
                message: `no Service, ServiceEntry or VirtualService for ${host} is visible from namespace ${namespace}`,
                hint: `Correct host ${written} in AuthorizationPolicy ${policy.metadata?.name}, or remove it if that service is gone.`,
                ...(context.allowAny ? { severity: 'warning' as const } : {}),
              },
            ];
          }),
        ),
      );
    }),
};
