import { ANNOTATION_KUBERNETES_ID } from '../annotations';
import { matchesLabelSelector } from '../query/matchesLabelSelector';
import { ServiceTarget } from '../readServiceDeclaration';

/**
 * Whether a cluster object belongs to the declared service, as the
 * Kubernetes plugin finds a service's objects: by the label selector
 * annotation when set, else by the `backstage.io/kubernetes-id` label.
 *
 * @public
 */
export function belongsToService(
  target: Pick<ServiceTarget, 'kubernetesId' | 'labelSelector'>,
  object: { metadata: { labels?: Record<string, string> } },
): boolean {
  if (target.labelSelector) {
    return matchesLabelSelector(target.labelSelector, object.metadata.labels);
  }
  return (
    target.kubernetesId !== undefined &&
    object.metadata.labels?.[ANNOTATION_KUBERNETES_ID] === target.kubernetesId
  );
}
