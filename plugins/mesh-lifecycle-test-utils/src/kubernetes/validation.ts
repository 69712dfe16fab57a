import {
  AuthorizationPolicy,
  PeerAuthentication,
  RequestAuthentication,
} from '@kubernetes-models/istio/security.istio.io/v1beta1';
import {
  DestinationRule,
  Gateway,
  ServiceEntry,
  Sidecar,
  VirtualService,
} from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import {
  DaemonSet,
  Deployment,
  ReplicaSet,
  StatefulSet,
} from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  Endpoints,
  Event,
  LimitRange,
  Namespace,
  Pod,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import {
  JsonObject,
  JsonValue,
  getPath,
  isJsonObject,
  objectField,
  stringField,
} from './json';
import { ResourceType } from './resources';
import { StatusCause, invalid } from './status';

/** A kubernetes-models class: an instance's `validate()` throws on schema errors. */
interface ModelClass {
  apiVersion: string;
  new (data: never): { validate(): void };
}

const MODELS: Record<string, Record<string, ModelClass>> = {
  '': {
    ConfigMap,
    Endpoints,
    Event,
    LimitRange,
    Namespace,
    Pod,
    ResourceQuota,
    Secret,
    Service,
    ServiceAccount,
  },
  apps: { DaemonSet, Deployment, ReplicaSet, StatefulSet },
  autoscaling: { HorizontalPodAutoscaler },
  batch: { CronJob, Job },
  'networking.k8s.io': { Ingress, NetworkPolicy },
  policy: { PodDisruptionBudget },
  // Istio's v1 and v1beta1 share one schema; the models only know v1beta1.
  'networking.istio.io': {
    DestinationRule,
    Gateway,
    ServiceEntry,
    Sidecar,
    VirtualService,
  },
  'security.istio.io': {
    AuthorizationPolicy,
    PeerAuthentication,
    RequestAuthentication,
  },
  'monitoring.coreos.com': { PrometheusRule, ServiceMonitor },
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Resources whose names must be DNS labels rather than DNS subdomains. */
const LABEL_NAMED = new Set(['/namespaces', '/services']);

const DNS_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** `/spec/containers/0/name` → `spec.containers[0].name`. */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map(segment => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => {
      if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
      return path ? `${path}.${segment}` : segment;
    }, '');
}

function pointerValue(obj: JsonObject, pointer: string): JsonValue | undefined {
  const segments = pointer.split('/').slice(1);
  let current: JsonValue | undefined = obj;
  for (const segment of segments) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isJsonObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** The parts of an ajv error object the emulator reads. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: { missingProperty?: unknown };
}

function isSchemaError(value: unknown): value is SchemaError {
  return (
    typeof value === 'object' &&
    value !== null &&
    'instancePath' in value &&
    typeof value.instancePath === 'string' &&
    'keyword' in value &&
    typeof value.keyword === 'string' &&
    'params' in value &&
    typeof value.params === 'object'
  );
}

function schemaErrorsOf(error: unknown): SchemaError[] {
  if (
    typeof error === 'object' &&
    error !== null &&
    'errors' in error &&
    Array.isArray(error.errors)
  ) {
    return error.errors.filter(isSchemaError);
  }
  return [];
}

function causesFromSchemaErrors(
  obj: JsonObject,
  errors: SchemaError[],
): StatusCause[] {
  const byField = new Map<string, StatusCause>();
  for (const error of errors) {
    if (error.keyword === 'required') {
      const field = fieldPath(
        `${error.instancePath}/${String(error.params.missingProperty)}`,
      );
      byField.set(field, {
        reason: 'FieldValueRequired',
        message: 'Required value',
        field,
      });
      continue;
    }
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') {
      continue;
    }
    const field = fieldPath(error.instancePath);
    const detail = error.message ?? 'invalid';
    const existing = byField.get(field);
    if (existing) {
      existing.message = `${existing.message}, ${detail}`;
    } else {
      const value = JSON.stringify(
        pointerValue(obj, error.instancePath) ?? null,
      );
      byField.set(field, {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${value}: ${detail}`,
        field,
      });
    }
  }
  return [...byField.values()];
}

function metadataCauses(
  resource: ResourceType,
  obj: JsonObject,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const metadata = objectField(obj, 'metadata');
  const name = stringField(metadata, 'name');
  if (!name) {
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    });
  } else {
    const labelOnly = LABEL_NAMED.has(`${resource.group}/${resource.plural}`);
    const ok = labelOnly
      ? DNS_LABEL.test(name) && name.length <= 63
      : DNS_SUBDOMAIN.test(name) && name.length <= 253;
    if (!ok) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(name)}: ${
          labelOnly ? DNS_LABEL_MESSAGE : DNS_SUBDOMAIN_MESSAGE
        }`,
        field: 'metadata.name',
      });
    }
  }
  const namespace = stringField(metadata, 'namespace');
  if (
    namespace !== undefined &&
    (!DNS_LABEL.test(namespace) || namespace.length > 63)
  ) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(
        namespace,
      )}: ${DNS_LABEL_MESSAGE}`,
      field: 'metadata.namespace',
    });
  }
  for (const value of Object.values(objectField(metadata, 'labels') ?? {})) {
    if (
      typeof value !== 'string' ||
      value.length > 63 ||
      !LABEL_VALUE.test(value)
    ) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(
          value,
        )}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        field: `metadata.labels`,
      });
      break;
    }
  }
  return causes;
}

/**
 * Validates an object the way the API server would before persisting it:
 * metadata (name, namespace, labels) and the kubernetes-models schema of its
 * kind. Throws a 422 Invalid Status naming the offending fields.
 */
export function validateObject(resource: ResourceType, obj: JsonObject): void {
  const causes = metadataCauses(resource, obj);
  const Model = MODELS[resource.group]?.[resource.kind];
  if (Model) {
    try {
      // Constructed reflectively: each model class types its constructor data precisely.
      const model: { validate(): void } = Reflect.construct(Model, [
        { ...obj, apiVersion: Model.apiVersion },
      ]);
      model.validate();
    } catch (error) {
      const schemaErrors = schemaErrorsOf(error);
      if (schemaErrors.length === 0) throw error;
      causes.push(...causesFromSchemaErrors(obj, schemaErrors));
    }
  }
  if (causes.length > 0) {
    const name = String(getPath(obj, ['metadata', 'name']) ?? '');
    throw invalid(resource.kind, resource.group, name, causes);
  }
}
