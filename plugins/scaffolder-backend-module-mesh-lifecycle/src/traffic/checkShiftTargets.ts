import {
  WeightedDestination,
  describeDestination,
  matchesLabelSelector,
  qualifyHost,
  serviceFqdn,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/** What the checks read of the cluster, as plain objects. */
export interface ShiftTargetsSnapshot {
  /** The namespace of the VirtualService: short hosts resolve from it. */
  namespace: string;
  services: Array<{
    metadata: { name: string; namespace?: string };
    spec?: { selector?: Record<string, string> };
  }>;
  destinationRules: Array<{
    metadata: { name: string; namespace?: string };
    spec?: {
      host?: string;
      subsets?: Array<{ name?: string; labels?: Record<string, string> }>;
    };
  }>;
  pods: Array<{
    metadata: {
      name: string;
      namespace?: string;
      labels?: Record<string, string>;
    };
    status?: { conditions?: Array<{ type: string; status: string }> };
  }>;
}

const ready = (pod: ShiftTargetsSnapshot['pods'][number]) =>
  pod.status?.conditions?.some(
    c => c.type === 'Ready' && c.status === 'True',
  ) ?? false;

/** The subset of that name a DestinationRule for the host defines. */
export function findSubset(
  snapshot: ShiftTargetsSnapshot,
  fqdn: string,
  name: string,
): { name?: string; labels?: Record<string, string> } | undefined {
  return snapshot.destinationRules
    .filter(
      rule =>
        rule.spec?.host !== undefined &&
        qualifyHost(
          rule.spec.host,
          rule.metadata.namespace ?? snapshot.namespace,
        ) === fqdn,
    )
    .flatMap(rule => rule.spec?.subsets ?? [])
    .find(s => s.name === name);
}

/**
 * What stands in the way of sending traffic to each destination that gets
 * some: its host must be a Kubernetes Service (Istio would answer 503
 * otherwise); its subset must be defined by a DestinationRule for that host;
 * and the pods the subset selects among the Service's must include a ready
 * one. One line per problem, naming the destination; none when all hold.
 * Destinations drained to 0 % are not checked.
 */
export function checkShiftTargets(
  weights: WeightedDestination[],
  snapshot: ShiftTargetsSnapshot,
): string[] {
  const problems: string[] = [];
  for (const destination of weights.filter(w => w.weight > 0)) {
    const name = describeDestination(destination);
    const fqdn = qualifyHost(destination.host, snapshot.namespace);
    const service = snapshot.services.find(
      s =>
        serviceFqdn({
          name: s.metadata.name,
          namespace: s.metadata.namespace ?? snapshot.namespace,
        }) === fqdn,
    );
    if (!service) {
      problems.push(
        `${name}: no Kubernetes Service is ${fqdn}; Istio would answer its requests with 503`,
      );
      continue;
    }
    const serviceNamespace = service.metadata.namespace ?? snapshot.namespace;
    const servicePods = snapshot.pods.filter(
      p =>
        (p.metadata.namespace ?? snapshot.namespace) === serviceNamespace &&
        service.spec?.selector !== undefined &&
        matchesLabelSelector(
          { matchLabels: service.spec.selector },
          p.metadata.labels,
        ),
    );
    let selected = servicePods;
    if (destination.subset !== undefined) {
      const subset = findSubset(snapshot, fqdn, destination.subset);
      if (!subset) {
        problems.push(
          `${name}: no DestinationRule for ${fqdn} defines subset ${destination.subset}`,
        );
        continue;
      }
      selected = servicePods.filter(p =>
        matchesLabelSelector(
          { matchLabels: subset.labels ?? {} },
          p.metadata.labels,
        ),
      );
    }
    if (!selected.some(ready)) {
      problems.push(
        `${name}: none of the ${selected.length} pods it selects is ready`,
      );
    }
  }
  return problems;
}
