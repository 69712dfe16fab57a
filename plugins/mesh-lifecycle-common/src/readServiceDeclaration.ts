import {
  CompoundEntityRef,
  Entity,
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_ERROR_RATIO_PERCENT,
  ANNOTATION_KUBERNETES_CLUSTER,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_P95_LATENCY_MS,
  ANNOTATION_PHASE,
  ANNOTATION_REPLACED_BY,
  ANNOTATION_REPLACES,
  ANNOTATION_RETIREMENT_NOTIFIED,
} from './annotations';
import { LIFECYCLE_PHASES, LifecyclePhase, isLifecyclePhase } from './phases';
import { LabelSelector, parseLabelSelector } from './query';

/**
 * Where the service's objects are to be found, as the catalog declares it.
 *
 * @public
 */
export interface ServiceTarget {
  /** Value of the `backstage.io/kubernetes-id` label on its objects. */
  kubernetesId?: string;
  /**
   * The `backstage.io/kubernetes-label-selector` annotation, parsed. When
   * set, it finds the service's objects instead of the `kubernetesId` label,
   * as in the Kubernetes plugin.
   */
  labelSelector?: LabelSelector;
  /** Namespace its objects live in. */
  namespace?: string;
  /** The one cluster it is restricted to. */
  cluster?: string;
}

/**
 * The phase the catalog declares for a service, and where that came from.
 *
 * @public
 */
export interface DeclaredPhase {
  phase: LifecyclePhase;
  source: 'annotation' | 'spec.lifecycle';
}

/**
 * Everything the catalog says about a service that the mesh lifecycle plugins
 * read, validated.
 *
 * @public
 */
export interface ServiceDeclaration {
  entityRef: string;
  target: ServiceTarget;
  declaredPhase?: DeclaredPhase;
  /** Entity reference of the replacement, or `none` when there is none. */
  replacedBy?: string;
  replaces?: string;
  /** When the owners of its dependents were told it retires (ISO 8601). */
  retirementNotified?: string;
  thresholds: {
    p95LatencyMs?: number;
    errorRatioPercent?: number;
  };
}

// Kubernetes label value: at most 63 characters, alphanumerics at both ends.
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?)$/;
// RFC 1123 label, as required of namespace names.
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
// Cluster names as they appear in app-config.
const CLUSTER_NAME = /^[A-Za-z0-9](?:[-_.A-Za-z0-9]{0,251}[A-Za-z0-9])?$/;

const entityNames = makeValidator();

const LIFECYCLE_TO_PHASE: Record<string, LifecyclePhase> = {
  experimental: 'develop',
  production: 'operate',
  deprecated: 'retire',
};

type Annotations = Record<string, string | undefined>;

interface Source {
  annotations: Annotations;
  /** Names the thing being read in error messages. */
  subject: string;
  namespace: string;
}

function annotation(source: Source, key: string): string | undefined {
  const value = source.annotations[key];
  return value === undefined ? undefined : value.trim();
}

function invalid(source: Source, key: string, what: string, value: string) {
  return new InputError(
    `Annotation ${key} of ${
      source.subject
    } must be ${what}, got ${JSON.stringify(value)}`,
  );
}

function matching(
  source: Source,
  key: string,
  pattern: RegExp,
  what: string,
): string | undefined {
  const value = annotation(source, key);
  if (value !== undefined && !pattern.test(value)) {
    throw invalid(source, key, what, value);
  }
  return value;
}

function labelSelector(source: Source): LabelSelector | undefined {
  const value = annotation(source, ANNOTATION_KUBERNETES_LABEL_SELECTOR);
  if (value === undefined) {
    return undefined;
  }
  return parseLabelSelector(value, {
    context: `annotation ${ANNOTATION_KUBERNETES_LABEL_SELECTOR} of ${source.subject}`,
  });
}

const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

function isoDate(source: Source, key: string): string | undefined {
  const value = annotation(source, key);
  if (
    value !== undefined &&
    (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
  ) {
    throw invalid(source, key, 'an ISO 8601 date, e.g. 2026-11-26', value);
  }
  return value;
}

function positiveNumber(source: Source, key: string): number | undefined {
  const value = annotation(source, key);
  if (value === undefined) {
    return undefined;
  }
  const parsed = Number(value);
  if (value === '' || !Number.isFinite(parsed) || parsed <= 0) {
    throw invalid(source, key, 'a positive number', value);
  }
  return parsed;
}

function entityRefAnnotation(
  source: Source,
  key: string,
  allowNone: boolean,
): string | undefined {
  const value = annotation(source, key);
  if (value === undefined || (allowNone && value === 'none')) {
    return value;
  }
  const what = `an entity reference${allowNone ? ' or "none"' : ''}`;
  let ref: CompoundEntityRef;
  try {
    ref = parseEntityRef(value, {
      defaultKind: 'component',
      defaultNamespace: source.namespace,
    });
  } catch {
    throw invalid(source, key, what, value);
  }
  if (
    !entityNames.isValidKind(ref.kind) ||
    !entityNames.isValidNamespace(ref.namespace) ||
    !entityNames.isValidEntityName(ref.name)
  ) {
    throw invalid(source, key, what, value);
  }
  return stringifyEntityRef(ref);
}

function explicitPhase(source: Source): LifecyclePhase | undefined {
  const value = annotation(source, ANNOTATION_PHASE);
  if (value !== undefined && !isLifecyclePhase(value)) {
    throw invalid(
      source,
      ANNOTATION_PHASE,
      `one of ${LIFECYCLE_PHASES.join(', ')}`,
      value,
    );
  }
  return value;
}

/**
 * The validated values of the mesh lifecycle annotations in a set of
 * annotations, as written on an entity or about to be written into a new
 * `catalog-info.yaml`.
 *
 * @public
 */
export type MeshAnnotationValues = Pick<
  ServiceDeclaration,
  'target' | 'replacedBy' | 'replaces' | 'retirementNotified' | 'thresholds'
> & { phase?: LifecyclePhase };

/**
 * Validates the mesh lifecycle annotations in a set of annotations. Throws an
 * `InputError` naming the annotation and the subject when a value is not
 * valid.
 *
 * @public
 */
export function parseMeshAnnotations(
  annotations: Record<string, string | undefined>,
  options: { subject: string; namespace?: string },
): MeshAnnotationValues {
  const source: Source = {
    annotations,
    subject: options.subject,
    namespace: options.namespace ?? 'default',
  };
  return {
    target: {
      kubernetesId: matching(
        source,
        ANNOTATION_KUBERNETES_ID,
        LABEL_VALUE,
        'a Kubernetes label value',
      ),
      labelSelector: labelSelector(source),
      namespace: matching(
        source,
        ANNOTATION_KUBERNETES_NAMESPACE,
        DNS_LABEL,
        'a Kubernetes namespace name',
      ),
      cluster: matching(
        source,
        ANNOTATION_KUBERNETES_CLUSTER,
        CLUSTER_NAME,
        'a cluster name',
      ),
    },
    phase: explicitPhase(source),
    replacedBy: entityRefAnnotation(source, ANNOTATION_REPLACED_BY, true),
    replaces: entityRefAnnotation(source, ANNOTATION_REPLACES, false),
    retirementNotified: isoDate(source, ANNOTATION_RETIREMENT_NOTIFIED),
    thresholds: {
      p95LatencyMs: positiveNumber(source, ANNOTATION_P95_LATENCY_MS),
      errorRatioPercent: positiveNumber(source, ANNOTATION_ERROR_RATIO_PERCENT),
    },
  };
}

function declaredPhase(
  entity: Entity,
  explicit: LifecyclePhase | undefined,
): DeclaredPhase | undefined {
  if (explicit !== undefined) {
    return { phase: explicit, source: 'annotation' };
  }
  const lifecycle = entity.spec?.lifecycle;
  if (typeof lifecycle === 'string' && lifecycle in LIFECYCLE_TO_PHASE) {
    return { phase: LIFECYCLE_TO_PHASE[lifecycle], source: 'spec.lifecycle' };
  }
  return undefined;
}

/**
 * Reads and validates the annotations and lifecycle of a catalog entity.
 * Throws an `InputError` naming the annotation when a value is not valid, so
 * that nothing malformed reaches a cluster or a query.
 *
 * @public
 */
export function readServiceDeclaration(entity: Entity): ServiceDeclaration {
  const entityRef = stringifyEntityRef(entity);
  const { phase, ...values } = parseMeshAnnotations(
    entity.metadata.annotations ?? {},
    { subject: entityRef, namespace: entity.metadata.namespace },
  );
  return { entityRef, ...values, declaredPhase: declaredPhase(entity, phase) };
}
