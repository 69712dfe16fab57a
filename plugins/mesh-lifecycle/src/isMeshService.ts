import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * Tells whether an entity is a service that the mesh lifecycle cards apply
 * to: a Component of type `service`.
 *
 * @public
 */
export function isMeshService(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    entity.spec?.type === 'service'
  );
}

/**
 * Tells whether the plugin can find a service's objects and telemetry: a
 * mesh service ({@link isMeshService}) with the Kubernetes plugin's
 * `backstage.io/kubernetes-id` or `backstage.io/kubernetes-label-selector`
 * annotation. The alerts card and the mesh tab need it; the lifecycle card
 * does not (it says what a service without it needs next).
 *
 * @public
 */
export function isMeshLifecycleAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return (
    isMeshService(entity) &&
    (Boolean(annotations[ANNOTATION_KUBERNETES_ID]) ||
      Boolean(annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR]))
  );
}
