import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { KubernetesObject } from '@kubernetes/client-node';
import {
  ANNOTATION_EXPIRES_AT,
  ANNOTATION_OWNER,
  LABEL_ENVIRONMENT,
  LABEL_MANAGED_BY,
  LABEL_OWNER,
  LABEL_TEST_ENVIRONMENT,
  MANAGED_BY_MESH_LIFECYCLE,
  isLabelValue,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Namespace, ResourceQuota } from 'kubernetes-models/v1';
import { dnsLabel, fail, integer, quantityAmount } from '../inputChecks';

/** The label Kubernetes puts on every namespace, holding its name. */
export const LABEL_NAMESPACE_NAME = 'kubernetes.io/metadata.name';

/** Name of the NetworkPolicy that isolates a test environment. */
export const ISOLATION_POLICY_NAME = 'test-environment-isolation';

/** Name of the ResourceQuota of a test environment. */
export const QUOTA_NAME = 'test-environment-quota';

/** The namespace of the Istio control plane and gateways, always let in. */
export const ISTIO_SYSTEM_NAMESPACE = 'istio-system';

/**
 * Defaults of `mesh:environment:create`: 72 hours to live (30 days at most),
 * the seed's quota doubled (its 2/4Gi requests and 4/8Gi limits leave no room
 * for the sidecars of a handful of services) and 50 pods.
 */
export const TEST_ENVIRONMENT_DEFAULTS = {
  ttl: '72h',
  maxTtl: '30d',
  monitoringNamespace: 'monitoring',
  quota: {
    requests: { cpu: '4', memory: '8Gi' },
    limits: { cpu: '8', memory: '16Gi' },
    pods: 50,
  },
} as const;

/**
 * The most pods a test environment's quota may allow: a handful of services
 * with a few replicas each need tens; `3e9` is a typo, and a quota that
 * large limits nothing.
 */
export const TEST_ENVIRONMENT_MAX_PODS = 1000;

/** CPU and memory quantities of a quota, e.g. `4` and `8Gi`. */
export interface EnvironmentQuantities {
  cpu?: string;
  memory?: string;
}

/** The ResourceQuota of a test environment. */
export interface EnvironmentQuotaInput {
  requests?: EnvironmentQuantities;
  limits?: EnvironmentQuantities;
  pods?: number;
}

/** What {@link buildEnvironmentObjects} builds a test environment from. */
export interface EnvironmentObjectsInput {
  /** Name of the namespace (RFC 1123 label). */
  name: string;
  /** Entity ref of the owning group or user, e.g. `group:default/team-a`. */
  owner: string;
  /** When the clean-up task deletes the namespace. */
  expiresAt: Date;
  quota?: EnvironmentQuotaInput;
  /** Namespaces whose pods may call in, besides the always allowed ones. */
  allowFromNamespaces?: string[];
  /** Namespace of the monitoring stack, always let in; default `monitoring`. */
  monitoringNamespace?: string;
}

/** The validated objects of a test environment, Namespace first. */
export interface EnvironmentObjects {
  namespace: string;
  /** The owner's full entity ref. */
  owner: string;
  /** `expiresAt` as written in the annotation (RFC 3339, UTC, seconds). */
  expiresAt: string;
  /** Namespaces allowed to call in, sorted, the environment's own first. */
  allowedNamespaces: string[];
  objects: KubernetesObject[];
}

const TTL = /^(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?$/;
const MINUTE_MS = 60_000;

function ttlMinutes(value: string): number | undefined {
  const match = TTL.exec(value);
  if (!match || value === '') return undefined;
  const [, days = '0', hours = '0', minutes = '0'] = match;
  return (Number(days) * 24 + Number(hours)) * 60 + Number(minutes);
}

/**
 * The time to live of a test environment in milliseconds, from a duration
 * such as `30m`, `48h`, `7d` or `1d12h`: more than zero and at most
 * {@link TEST_ENVIRONMENT_DEFAULTS}.maxTtl. Throws an `InputError` naming
 * `ttl` otherwise.
 */
export function parseTtl(value: unknown): number {
  const expected = `a duration of days, hours and minutes such as 30m, 48h, 7d or 1d12h, more than zero and at most ${TEST_ENVIRONMENT_DEFAULTS.maxTtl}`;
  if (typeof value !== 'string') fail('ttl', expected, value);
  const minutes = ttlMinutes(value);
  const max = ttlMinutes(TEST_ENVIRONMENT_DEFAULTS.maxTtl) ?? 0;
  if (minutes === undefined || minutes <= 0 || minutes > max) {
    fail('ttl', expected, value);
  }
  return minutes * MINUTE_MS;
}

/**
 * A time as the expires-at annotation holds it: RFC 3339 in UTC, whole
 * seconds.
 */
export function formatExpiresAt(time: Date): string {
  return time.toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
}

function ownerRef(value: unknown): { ref: string; name: string } {
  const expected =
    'the entity ref of a group or user, such as group:default/team-a';
  if (typeof value !== 'string' || value.trim() === '') {
    fail('owner', expected, value);
  }
  let ref;
  try {
    ref = parseEntityRef(value, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch {
    return fail('owner', expected, value);
  }
  const kind = ref.kind.toLocaleLowerCase('en-US');
  if (kind !== 'group' && kind !== 'user') fail('owner', expected, value);
  if (ref.name === '' || !isLabelValue(ref.name)) {
    fail(
      'owner',
      `${expected}, whose name fits in a label value (at most 63 alphanumerics, "-", "_" or ".")`,
      value,
    );
  }
  return {
    ref: stringifyEntityRef({ kind, namespace: ref.namespace, name: ref.name }),
    name: ref.name,
  };
}

function resolveQuota(input: EnvironmentQuotaInput | undefined) {
  const d = TEST_ENVIRONMENT_DEFAULTS.quota;
  const hard: Record<string, string> = {};
  for (const resource of ['cpu', 'memory'] as const) {
    const request = input?.requests?.[resource] ?? d.requests[resource];
    const limit = input?.limits?.[resource] ?? d.limits[resource];
    const requested = quantityAmount(`quota.requests.${resource}`, request);
    if (quantityAmount(`quota.limits.${resource}`, limit) < requested) {
      fail(
        `quota.limits.${resource}`,
        `at least quota.requests.${resource} (${request})`,
        limit,
      );
    }
    hard[`requests.${resource}`] = request;
    hard[`limits.${resource}`] = limit;
  }
  const pods = integer(
    'quota.pods',
    input?.pods ?? d.pods,
    1,
    TEST_ENVIRONMENT_MAX_PODS,
  );
  hard.pods = String(pods);
  return hard;
}

function allowedNamespaces(
  namespace: string,
  input: EnvironmentObjectsInput,
): string[] {
  const monitoring = dnsLabel(
    'monitoringNamespace',
    input.monitoringNamespace ?? TEST_ENVIRONMENT_DEFAULTS.monitoringNamespace,
  );
  const extra = input.allowFromNamespaces ?? [];
  if (!Array.isArray(extra)) {
    fail('allowFromNamespaces', 'a list of namespaces', extra);
  }
  const others = new Set([ISTIO_SYSTEM_NAMESPACE, monitoring]);
  extra.forEach((ns, i) =>
    others.add(dnsLabel(`allowFromNamespaces[${i}]`, ns)),
  );
  others.delete(namespace);
  return [namespace, ...[...others].sort()];
}

function validated(
  model: Namespace | NetworkPolicy | ResourceQuota,
): KubernetesObject {
  const object: KubernetesObject = model.toJSON();
  try {
    model.validate();
  } catch (e) {
    throw new InputError(
      `The generated ${object.kind} ${object.metadata?.name} is invalid: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
  return object;
}

/**
 * Builds the objects of an isolated test environment: its Namespace
 * (sidecar injection on, labelled as a Mesh Lifecycle test environment with
 * its owner and expiry), a NetworkPolicy that lets in only the namespace
 * itself, `istio-system`, the monitoring namespace and `allowFromNamespaces`,
 * and a ResourceQuota. Egress is left open, unlike the seed's example: a
 * deny-all egress would cut the pods off from DNS and from istiod.
 *
 * Every input is validated (an `InputError` names the field) and every
 * object against its upstream schema.
 */
export function buildEnvironmentObjects(
  input: EnvironmentObjectsInput,
): EnvironmentObjects {
  const namespace = dnsLabel('name', input.name);
  const owner = ownerRef(input.owner);
  if (
    !(input.expiresAt instanceof Date) ||
    Number.isNaN(input.expiresAt.getTime())
  ) {
    fail('expiresAt', 'a valid time', input.expiresAt);
  }
  const expiresAt = formatExpiresAt(input.expiresAt);
  const hard = resolveQuota(input.quota);
  const allowed = allowedNamespaces(namespace, input);
  const managed = {
    [LABEL_MANAGED_BY]: MANAGED_BY_MESH_LIFECYCLE,
    [LABEL_TEST_ENVIRONMENT]: 'true',
  };

  const objects = [
    new Namespace({
      metadata: {
        name: namespace,
        labels: {
          'istio-injection': 'enabled',
          [LABEL_ENVIRONMENT]: 'test',
          ...managed,
          [LABEL_OWNER]: owner.name,
        },
        annotations: {
          [ANNOTATION_OWNER]: owner.ref,
          [ANNOTATION_EXPIRES_AT]: expiresAt,
        },
      },
    }),
    new NetworkPolicy({
      metadata: { name: ISOLATION_POLICY_NAME, namespace, labels: managed },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchExpressions: [
                    {
                      key: LABEL_NAMESPACE_NAME,
                      operator: 'In',
                      values: allowed,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    }),
    new ResourceQuota({
      metadata: { name: QUOTA_NAME, namespace, labels: managed },
      spec: { hard },
    }),
  ].map(validated);

  return {
    namespace,
    owner: owner.ref,
    expiresAt,
    allowedNamespaces: allowed,
    objects,
  };
}
