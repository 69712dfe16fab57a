import { ValidationRule } from '../rule';

/**
 * A DestinationRule subset whose labels select none of the workloads of its
 * host: traffic routed to it finds no endpoint. Follows Kiali's
 * `destinationrules.nodest.subsetlabels` (KIA0203). Subsets of wildcard
 * hosts and subsets without labels (Kiali's KIA0209) are not judged here.
 *
 * @internal
 */
export const subsetLabelsMatchNoWorkload: ValidationRule = {
  code: 'KIA0203',
  severity: 'error',
  title: "This subset's labels are not found in any matching host",
  hint: "Make the subset's labels match the pod labels of a workload of the host (e.g. its version label), or remove the subset.",
  kialiCheck: 'destinationrules.nodest.subsetlabels',
  check: context => {
    const service = context.kubernetesService;
    if (!service) return [];
    const selector = service.spec?.selector ?? {};
    return context.attached.destinationRules.flatMap(dr => {
      const host = dr.spec?.host;
      if (host === undefined) return [];
      if (context.qualify(host, dr.metadata?.namespace) !== context.fqdn) {
        return [];
      }
      return (dr.spec?.subsets ?? []).flatMap((subset, index) => {
        const labels = subset.labels ?? {};
        if (Object.keys(labels).length === 0) return [];
        const wanted = { ...selector, ...labels };
        const found = context.workloads.some(w => {
          const pod = w.spec?.template?.metadata?.labels ?? {};
          return Object.entries(wanted).every(([k, v]) => pod[k] === v);
        });
        if (found) return [];
        const shown = Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        return [
          {
            object: context.ref('DestinationRule', dr),
            path: `spec.subsets[${index}].labels`,
            message: `no workload of ${
              context.fqdn
            } has the labels ${shown} of subset ${subset.name ?? ''}`,
            hint: `Deploy a workload of ${
              context.service.name
            } with pod labels ${shown}, correct the labels of subset ${
              subset.name ?? ''
            }, or remove the subset.`,
          },
        ];
      });
    });
  },
};
