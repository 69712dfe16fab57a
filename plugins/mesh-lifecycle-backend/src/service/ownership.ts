import {
  ServiceDeclaration,
  matchesLabelSelector,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/**
 * Whether a cluster object belongs to the declared service, as in the
 * Kubernetes plugin: by the label selector annotation when set, else by the
 * `backstage.io/kubernetes-id` label.
 */
export function ownedBy(declaration: ServiceDeclaration) {
  const { kubernetesId, labelSelector } = declaration.target;
  return (object: { metadata: { labels?: Record<string, string> } }) =>
    labelSelector
      ? matchesLabelSelector(labelSelector, object.metadata.labels)
      : kubernetesId !== undefined &&
        object.metadata.labels?.[KUBERNETES_ID_LABEL] === kubernetesId;
}
