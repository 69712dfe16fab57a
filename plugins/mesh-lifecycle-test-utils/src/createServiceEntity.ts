import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_KUBERNETES_CLUSTER,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_PHASE,
  LifecyclePhase,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * Options of {@link createServiceEntity}.
 *
 * @public
 */
export interface ServiceEntityOptions {
  /** Entity name; also the default `backstage.io/kubernetes-id`. */
  name: string;
  /** Catalog namespace (default `default`). */
  namespace?: string;
  owner?: string;
  system?: string;
  /** `spec.lifecycle` (default `production`). */
  lifecycle?: string;
  /** Written as the `mesh-lifecycle.io/phase` annotation. */
  phase?: LifecyclePhase;
  /** Written as `backstage.io/kubernetes-namespace`. */
  kubernetesNamespace?: string;
  /** Written as `backstage.io/kubernetes-cluster`. */
  cluster?: string;
  /** Further annotations; these win over the ones derived above. */
  annotations?: Record<string, string>;
  providesApis?: string[];
  consumesApis?: string[];
  dependsOn?: string[];
}

/**
 * A catalog Component of type `service` annotated the way the mesh lifecycle
 * plugins read it, for tests of the plugins and of adopters' setups.
 *
 * @public
 */
export function createServiceEntity(options: ServiceEntityOptions): Entity {
  const annotations: Record<string, string> = {
    [ANNOTATION_KUBERNETES_ID]: options.name,
  };
  if (options.kubernetesNamespace) {
    annotations[ANNOTATION_KUBERNETES_NAMESPACE] = options.kubernetesNamespace;
  }
  if (options.cluster) {
    annotations[ANNOTATION_KUBERNETES_CLUSTER] = options.cluster;
  }
  if (options.phase) {
    annotations[ANNOTATION_PHASE] = options.phase;
  }
  const spec: Record<string, string | string[]> = {
    type: 'service',
    lifecycle: options.lifecycle ?? 'production',
    owner: options.owner ?? 'group:default/team-platform',
  };
  if (options.system) spec.system = options.system;
  if (options.providesApis) spec.providesApis = options.providesApis;
  if (options.consumesApis) spec.consumesApis = options.consumesApis;
  if (options.dependsOn) spec.dependsOn = options.dependsOn;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: options.name,
      namespace: options.namespace ?? 'default',
      annotations: { ...annotations, ...options.annotations },
    },
    spec,
  };
}
