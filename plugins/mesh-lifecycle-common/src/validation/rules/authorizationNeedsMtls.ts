import { receivesMtls } from '../mtls';
import { ValidationRule } from '../rule';
import {
  AuthorizationSourceLike,
  ValidatedAuthorizationPolicy,
} from '../types';

/** Source fields Istio can only know from the peer's mTLS certificate. */
const SOURCE_FIELDS: Array<keyof AuthorizationSourceLike> = [
  'principals',
  'notPrincipals',
  'namespaces',
  'notNamespaces',
];

/** Condition keys read from the mTLS connection. */
const CONDITION_KEYS = [
  'source.namespace',
  'source.principal',
  'connection.sni',
];

/** Where a policy relies on the peer's identity, as paths. */
function identityPaths(policy: ValidatedAuthorizationPolicy): string[] {
  return (policy.spec?.rules ?? []).flatMap((rule, r) => [
    ...(rule.from ?? []).flatMap((from, f) =>
      SOURCE_FIELDS.filter(
        field => (from.source?.[field] ?? []).length > 0,
      ).map(field => `spec.rules[${r}].from[${f}].source.${field}`),
    ),
    ...(rule.when ?? []).flatMap((condition, w) =>
      CONDITION_KEYS.includes(condition.key ?? '')
        ? [`spec.rules[${r}].when[${w}]`]
        : [],
    ),
  ]);
}

/**
 * An AuthorizationPolicy that matches on the peer's identity (principals,
 * namespaces, or conditions on `source.principal`, `source.namespace` or
 * `connection.sni`) for workloads that do not receive mutual TLS: without a
 * certificate there is no identity, so the rule never matches. Follows
 * Kiali's `authorizationpolicy.mtls.needstobeenabled` (KIA0105), with its
 * reading of the PeerAuthentications, DestinationRules and auto mTLS (on by
 * default, and then enough unless a policy disables mTLS).
 *
 * @internal
 */
export const authorizationNeedsMtls: ValidationRule = {
  code: 'KIA0105',
  severity: 'error',
  title: 'This field requires mTLS to be enabled',
  hint: 'Enable mTLS for the workloads the policy applies to (a STRICT or PERMISSIVE PeerAuthentication, with auto mTLS or an ISTIO_MUTUAL DestinationRule).',
  kialiCheck: 'authorizationpolicy.mtls.needstobeenabled',
  check: context =>
    context.scope.authorizationPolicies.flatMap(policy => {
      const paths = identityPaths(policy);
      if (paths.length === 0) return [];
      const { namespace } = context.ref('AuthorizationPolicy', policy);
      const labels = policy.spec?.selector?.matchLabels ?? {};
      if (receivesMtls(context, labels, namespace)) return [];
      const what =
        Object.keys(labels).length > 0
          ? `the workloads it selects in ${namespace}`
          : `the workloads of namespace ${namespace}`;
      return paths.map(path => ({
        object: context.ref('AuthorizationPolicy', policy),
        path,
        message: `${what} do not receive mutual TLS, so the peer identity this field matches is unknown and the rule never matches`,
        hint: `Enable mTLS for ${what}: a PeerAuthentication in mode STRICT or PERMISSIVE${
          context.autoMtls
            ? ''
            : ' and a DestinationRule with tls mode ISTIO_MUTUAL'
        }, or remove DISABLE.`,
      }));
    }),
};
