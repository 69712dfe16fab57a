import { ValidationRule } from '../rule';
import { hasLabels } from '../ValidationContext';
import { destinationHostKnown } from './destinationHostNotFound';

/**
 * A DestinationRule subset whose labels select none of the workloads of its
 * host (for a host without a Kubernetes Service: no ServiceEntry endpoint).
 * Follows Kiali's `destinationrules.nodest.subsetlabels` (KIA0203): an
 * error when a VirtualService routes to the subset, which then fails, and
 * `info` when none does (a subset kept ready, as in Istio's bookinfo
 * samples). Wildcard hosts, hosts missing from the registry (KIA0202) and
 * subsets without labels are not judged here.
 *
 * @internal
 */
export const subsetLabelsMatchNoWorkload: ValidationRule = {
  code: 'KIA0203',
  severity: 'error',
  otherSeverities: ['info'],
  title: "This subset's labels are not found in any matching host",
  hint: "Make the subset's labels match the pod labels of a workload of the host (e.g. its version label), or remove the subset.",
  kialiCheck: 'destinationrules.nodest.subsetlabels',
  check: context =>
    context.scope.destinationRules.flatMap(dr => {
      const written = dr.spec?.host;
      if (written === undefined) return [];
      const { namespace } = context.ref('DestinationRule', dr);
      const host = context.qualify(written, namespace);
      if (host.startsWith('*') || !destinationHostKnown(context, dr)) {
        return [];
      }
      const service = context.findService(host);
      const selector = service?.spec?.selector ?? {};
      const hasSelector = Object.keys(selector).length > 0;
      return (dr.spec?.subsets ?? []).flatMap((subset, index) => {
        const labels = subset.labels ?? {};
        if (Object.keys(labels).length === 0) return [];
        const found = hasSelector
          ? context
              .podLabelsIn(service?.metadata?.namespace)
              .some(pod => hasLabels(selector, pod) && hasLabels(labels, pod))
          : context.snapshot.serviceEntries.some(se =>
              (se.spec?.endpoints ?? []).some(e => hasLabels(labels, e.labels)),
            );
        if (found) return [];
        const routed = context.snapshot.virtualServices.some(vs =>
          context
            .destinationsOf(vs)
            .some(
              d =>
                d.host === host && d.entry.destination?.subset === subset.name,
            ),
        );
        const shown = Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        const name = subset.name ?? '';
        return [
          {
            object: context.ref('DestinationRule', dr),
            path: `spec.subsets[${index}].labels`,
            message: `no workload of ${host} has the labels ${shown} of subset ${name}${
              routed
                ? ''
                : '; no VirtualService routes to it, so no request fails yet'
            }`,
            hint: routed
              ? `Deploy a workload of ${host} with pod labels ${shown}, correct the labels of subset ${name}, or stop routing to it.`
              : `Deploy a workload with pod labels ${shown} before routing to subset ${name}, or remove the subset.`,
            ...(routed ? {} : { severity: 'info' as const }),
          },
        ];
      });
    }),
};
