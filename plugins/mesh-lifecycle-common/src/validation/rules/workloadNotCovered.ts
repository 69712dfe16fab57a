import { ValidationRule } from '../rule';
import { hasLabels } from '../ValidationContext';

/**
 * A workload that no AuthorizationPolicy of its namespace or of the root
 * namespace applies to (through its selector, or having none): every peer
 * may call it. Follows Kiali's
 * `workload.authorizationpolicy.needstobecovered` (KIA1301).
 *
 * @internal
 */
export const workloadNotCovered: ValidationRule = {
  code: 'KIA1301',
  severity: 'warning',
  title: 'This workload is not covered by any authorization policy',
  hint: 'Add an ALLOW AuthorizationPolicy selecting the workload that admits its known callers.',
  kialiCheck: 'workload.authorizationpolicy.needstobecovered',
  check: context =>
    context.scope.workloads.flatMap(workload => {
      const { namespace } = context.ref('Deployment', workload);
      const labels = workload.spec?.template?.metadata?.labels ?? {};
      const covered = context.snapshot.authorizationPolicies.some(
        ap =>
          (ap.metadata?.namespace === namespace ||
            ap.metadata?.namespace === context.rootNamespace) &&
          hasLabels(ap.spec?.selector?.matchLabels, labels),
      );
      if (covered) return [];
      const name = workload.metadata?.name ?? '';
      const service = context.scope.services.find(s =>
        context.workloadsOf(s).includes(workload),
      );
      const selector = Object.entries(
        service?.spec?.selector ?? (labels.app ? { app: labels.app } : {}),
      )
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      return [
        {
          object: context.ref(workload.kind ?? 'Deployment', workload),
          path: 'spec.template.metadata.labels',
          message: `no AuthorizationPolicy selects ${name} or applies to namespace ${namespace}, so any peer may call it`,
          hint: `Add an AuthorizationPolicy in ${namespace} selecting ${
            selector || name
          } (action ALLOW) that admits the principals of its callers.`,
        },
      ];
    }),
};
