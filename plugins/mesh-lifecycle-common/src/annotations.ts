/**
 * Annotation of the Backstage Kubernetes plugin: the value of the
 * `backstage.io/kubernetes-id` label on the service's cluster objects.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/**
 * Annotation of the Backstage Kubernetes plugin: the namespace the service's
 * objects live in.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_NAMESPACE =
  'backstage.io/kubernetes-namespace';

/**
 * Annotation of the Backstage Kubernetes plugin: a label selector that finds
 * the service's objects, used instead of the kubernetes-id label.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_LABEL_SELECTOR =
  'backstage.io/kubernetes-label-selector';

/**
 * Annotation of the Backstage Kubernetes plugin: restricts the service to one
 * configured cluster.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_CLUSTER = 'backstage.io/kubernetes-cluster';

/**
 * Explicit lifecycle phase of the service; overrides what the catalog's
 * `spec.lifecycle` implies.
 *
 * @public
 */
export const ANNOTATION_PHASE = 'mesh-lifecycle.io/phase';

/**
 * Entity reference of the service that replaces this one when it is retired.
 * The value `none` states that there is no replacement.
 *
 * @public
 */
export const ANNOTATION_REPLACED_BY = 'mesh-lifecycle.io/replaced-by';

/**
 * Entity reference of the service this one replaces.
 *
 * @public
 */
export const ANNOTATION_REPLACES = 'mesh-lifecycle.io/replaces';

/**
 * Per-service override of the p95 latency threshold, in milliseconds.
 *
 * @public
 */
export const ANNOTATION_P95_LATENCY_MS = 'mesh-lifecycle.io/p95-latency-ms';

/**
 * Per-service override of the 5xx error ratio threshold, in percent.
 *
 * @public
 */
export const ANNOTATION_ERROR_RATIO_PERCENT =
  'mesh-lifecycle.io/error-ratio-percent';

/**
 * Marker written on cluster objects (from the seed's retirement practice):
 * `service.lifecycle/status: decommissioning`.
 *
 * @public
 */
export const MARKER_LIFECYCLE_STATUS = 'service.lifecycle/status';

/**
 * Marker written on cluster objects naming the lifecycle phase they belong to.
 *
 * @public
 */
export const MARKER_LIFECYCLE_PHASE = 'service.lifecycle/phase';

/**
 * When the owners of a retiring service's dependents were notified of its
 * retirement (an ISO 8601 date or date-time); the retire gate asks for it.
 *
 * @public
 */
export const ANNOTATION_RETIREMENT_NOTIFIED =
  'mesh-lifecycle.io/retirement-notified';

/**
 * Label on a Namespace naming its environment (`development`, `testing`,
 * `production`, …) where it differs from its cluster's; the labels
 * `environment` and `env` are read too.
 *
 * @public
 */
export const LABEL_ENVIRONMENT = 'mesh-lifecycle.io/environment';

/**
 * Label `app.kubernetes.io/managed-by` with the value
 * {@link MANAGED_BY_MESH_LIFECYCLE} marks cluster objects that Mesh Lifecycle
 * created and may therefore delete.
 *
 * @public
 */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';

/**
 * Value of {@link LABEL_MANAGED_BY} on objects Mesh Lifecycle created.
 *
 * @public
 */
export const MANAGED_BY_MESH_LIFECYCLE = 'mesh-lifecycle';

/**
 * Label `mesh-lifecycle.io/test-environment: "true"` on a namespace created by
 * `mesh:environment:create`. Only namespaces with this label and
 * {@link LABEL_MANAGED_BY} are ever deleted when their time is up.
 *
 * @public
 */
export const LABEL_TEST_ENVIRONMENT = 'mesh-lifecycle.io/test-environment';

/**
 * Annotation `mesh-lifecycle.io/expires-at` (RFC 3339 time) on a test
 * environment's namespace: when the backend's clean-up task deletes it.
 *
 * @public
 */
export const ANNOTATION_EXPIRES_AT = 'mesh-lifecycle.io/expires-at';

/**
 * Annotation `mesh-lifecycle.io/owner` on a test environment's namespace: the
 * owner's entity ref (label values cannot hold refs; the sanitised name goes
 * in the label {@link LABEL_OWNER}).
 *
 * @public
 */
export const ANNOTATION_OWNER = 'mesh-lifecycle.io/owner';

/**
 * Label `mesh-lifecycle.io/owner`: the owner's name, usable in selectors.
 *
 * @public
 */
export const LABEL_OWNER = 'mesh-lifecycle.io/owner';
