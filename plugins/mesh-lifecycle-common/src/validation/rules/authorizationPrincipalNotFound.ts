import { ValidationRule } from '../rule';
import { authorizationSourceValues } from './authorizationSources';

const PRINCIPAL = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/**
 * An AuthorizationPolicy applying to the service that admits a principal
 * (or, since Istio 1.24, a `serviceAccounts` entry) whose service account
 * does not exist: the caller it was meant for is denied. Follows Kiali's
 * `authorizationpolicy.source.principalnotfound` (KIA0106). Patterns with
 * `*` and principals of another trust domain are not judged.
 *
 * @internal
 */
export const authorizationPrincipalNotFound: ValidationRule = {
  code: 'KIA0106',
  severity: 'error',
  title: 'Service Account not found for this principal',
  hint: 'Correct the principal (<trust domain>/ns/<namespace>/sa/<service account>) or create the service account.',
  kialiCheck: 'authorizationpolicy.source.principalnotfound',
  check: context => {
    const accounts = new Set(
      context.snapshot.serviceAccounts.map(
        sa => `${sa.metadata?.namespace}/${sa.metadata?.name}`,
      ),
    );
    const identities = [
      ...authorizationSourceValues(context, 'principals').flatMap(entry => {
        const parsed = PRINCIPAL.exec(entry.value);
        if (!parsed || parsed[1] !== context.trustDomain) return [];
        return [{ ...entry, account: `${parsed[2]}/${parsed[3]}` }];
      }),
      ...authorizationSourceValues(context, 'serviceAccounts').map(entry => ({
        ...entry,
        account: entry.value.includes('/')
          ? entry.value
          : `${entry.policy.metadata?.namespace}/${entry.value}`,
      })),
    ];
    return identities.flatMap(({ policy, value, path, account }) =>
      value.includes('*') || accounts.has(account)
        ? []
        : [
            {
              object: context.ref('AuthorizationPolicy', policy),
              path,
              message: `service account ${account} of ${value} does not exist`,
              hint: `Correct ${value} in AuthorizationPolicy ${policy.metadata?.name} or create service account ${account}; until then that caller is denied.`,
            },
          ],
    );
  },
};
