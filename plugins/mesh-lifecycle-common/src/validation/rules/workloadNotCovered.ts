import { attachIstioObjects } from '../../mesh/attachIstioObjects';
import { ValidationRule } from '../rule';

/**
 * A workload of the service that no AuthorizationPolicy applies to (by
 * selector, namespace or mesh-wide): every peer may call it. Follows
 * Kiali's `workload.authorizationpolicy.needstobecovered` (KIA1301).
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
    context.workloads.flatMap(workload => {
      const { authorizationPolicies } = attachIstioObjects({
        service: context.service,
        podLabels: [workload.spec?.template?.metadata?.labels ?? {}],
        virtualServices: [],
        destinationRules: [],
        peerAuthentications: [],
        authorizationPolicies: context.snapshot.authorizationPolicies,
        rootNamespace: context.rootNamespace,
        clusterDomain: context.clusterDomain,
      });
      if (authorizationPolicies.length > 0) return [];
      const name = workload.metadata?.name ?? '';
      const selector = Object.entries(
        context.kubernetesService?.spec?.selector ?? {},
      )
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      return [
        {
          object: context.ref(workload.kind ?? 'Deployment', workload),
          path: 'spec.template.metadata.labels',
          message: `no AuthorizationPolicy selects ${name} or applies to namespace ${context.service.namespace}, so any peer may call it`,
          hint: `Add an AuthorizationPolicy in ${
            context.service.namespace
          } selecting ${
            selector || name
          } (action ALLOW) that admits the principals of its callers.`,
        },
      ];
    }),
};
