import {
  ServiceDeclaration,
  belongsToService,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * Whether a cluster object belongs to the declared service, as in the
 * Kubernetes plugin: by the label selector annotation when set, else by the
 * `backstage.io/kubernetes-id` label.
 */
export function ownedBy(declaration: ServiceDeclaration) {
  return (object: { metadata: { labels?: Record<string, string> } }) =>
    belongsToService(declaration.target, object);
}
