import { JsonObject, JsonValue } from '@backstage/types';
import {
  ServiceTarget,
  belongsToService,
  hostNamesService,
  matchesLabelSelector,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/** A cluster object as listed: only what the plan reads is typed. */
export interface ClusterObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; uid: string }>;
  } & JsonObject;
}

/** An object the plan names. */
export interface PlannedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** Why it is in this part of the plan. */
  reason: string;
}

/** What a decommission does to the objects of a namespace. */
export interface DecommissionPlan {
  /** Workloads scaled to zero first (replicas not already 0). */
  scale: PlannedObject[];
  /** Deleted, in this order: routing first, workloads, then what they used. */
  delete: PlannedObject[];
  /** Removed by Kubernetes with an object deleted (owner references). */
  withOwner: PlannedObject[];
  /** The service's objects left in place, and why. */
  kept: PlannedObject[];
}

/** The kinds a decommission deletes, in deletion order. */
export const DECOMMISSION_KINDS: readonly string[] = [
  'VirtualService',
  'DestinationRule',
  'AuthorizationPolicy',
  'PeerAuthentication',
  'ServiceMonitor',
  'PrometheusRule',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Service',
  'Deployment',
  'StatefulSet',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'PersistentVolumeClaim',
];

/** Kinds that hold data: kept unless listed in `include`. */
const DATA_KINDS = new Set(['PersistentVolumeClaim']);
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: JsonValue | undefined): JsonValue[] =>
  Array.isArray(value) ? value : [];
const text = (value: JsonValue | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

const refOf = (o: ClusterObject, reason: string): PlannedObject => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  ...(o.metadata.namespace !== undefined
    ? { namespace: o.metadata.namespace }
    : {}),
  name: o.metadata.name,
  reason,
});

const label = (o: { kind: string; metadata: { name: string } }) =>
  `${o.kind} ${o.metadata.name}`;

/** The pod spec of a workload or pod. */
function podSpecOf(o: ClusterObject): JsonObject | undefined {
  const spec = isObject(o.spec) ? o.spec : undefined;
  if (o.kind === 'Pod') return spec;
  const template = spec && isObject(spec.template) ? spec.template : undefined;
  return template && isObject(template.spec) ? template.spec : undefined;
}

/** The pod labels of a workload or pod. */
function podLabelsOf(o: ClusterObject): Record<string, string> {
  if (o.kind === 'Pod') return o.metadata.labels ?? {};
  const spec = isObject(o.spec) ? o.spec : {};
  const template = isObject(spec.template) ? spec.template : {};
  const metadata = isObject(template.metadata) ? template.metadata : {};
  return (isObject(metadata.labels) ? metadata.labels : {}) as Record<
    string,
    string
  >;
}

/** `ConfigMap/name`, `Secret/name`, … that a pod spec uses. */
function usedBy(podSpec: JsonObject): Set<string> {
  const used = new Set<string>();
  const add = (kind: string, name: JsonValue | undefined) => {
    const n = text(name);
    if (n) used.add(`${kind}/${n}`);
  };
  add('ServiceAccount', podSpec.serviceAccountName);
  for (const s of list(podSpec.imagePullSecrets).filter(isObject)) {
    add('Secret', s.name);
  }
  for (const v of list(podSpec.volumes).filter(isObject)) {
    if (isObject(v.configMap)) add('ConfigMap', v.configMap.name);
    if (isObject(v.secret)) add('Secret', v.secret.secretName);
    if (isObject(v.persistentVolumeClaim)) {
      add('PersistentVolumeClaim', v.persistentVolumeClaim.claimName);
    }
    if (isObject(v.projected)) {
      for (const source of list(v.projected.sources).filter(isObject)) {
        if (isObject(source.configMap)) add('ConfigMap', source.configMap.name);
        if (isObject(source.secret)) add('Secret', source.secret.name);
      }
    }
  }
  const containers = [
    ...list(podSpec.containers),
    ...list(podSpec.initContainers),
  ].filter(isObject);
  for (const c of containers) {
    for (const from of list(c.envFrom).filter(isObject)) {
      if (isObject(from.configMapRef)) add('ConfigMap', from.configMapRef.name);
      if (isObject(from.secretRef)) add('Secret', from.secretRef.name);
    }
    for (const env of list(c.env).filter(isObject)) {
      const valueFrom = isObject(env.valueFrom) ? env.valueFrom : {};
      if (isObject(valueFrom.configMapKeyRef)) {
        add('ConfigMap', valueFrom.configMapKeyRef.name);
      }
      if (isObject(valueFrom.secretKeyRef)) {
        add('Secret', valueFrom.secretKeyRef.name);
      }
    }
  }
  return used;
}

/** Which workloads of other services an object also serves, if any. */
function sharedWith(
  o: ClusterObject,
  others: ClusterObject[],
  otherServices: ClusterObject[],
): string | undefined {
  const key = `${o.kind}/${o.metadata.name}`;
  const users = others.filter(w => {
    const podSpec = podSpecOf(w);
    return podSpec !== undefined && usedBy(podSpec).has(key);
  });
  if (users.length) return `used by ${users.map(label).join(', ')}`;

  const spec = isObject(o.spec) ? o.spec : {};
  if (o.kind === 'Service') {
    const selector = isObject(spec.selector)
      ? (spec.selector as Record<string, string>)
      : undefined;
    const selected = selector
      ? others.filter(w =>
          matchesLabelSelector({ matchLabels: selector }, podLabelsOf(w)),
        )
      : [];
    if (selected.length) {
      return `selects the pods of ${selected.map(label).join(', ')}`;
    }
  }
  if (o.kind === 'AuthorizationPolicy' || o.kind === 'PeerAuthentication') {
    const selector = isObject(spec.selector) ? spec.selector : undefined;
    const matchLabels =
      selector && isObject(selector.matchLabels)
        ? (selector.matchLabels as Record<string, string>)
        : undefined;
    if (!matchLabels) {
      return 'applies to every workload of its namespace';
    }
    const selected = others.filter(w =>
      matchesLabelSelector({ matchLabels }, podLabelsOf(w)),
    );
    if (selected.length) {
      return `applies to ${selected.map(label).join(', ')} too`;
    }
  }
  if (o.kind === 'VirtualService' || o.kind === 'DestinationRule') {
    const namespace = o.metadata.namespace ?? '';
    const hosts =
      o.kind === 'VirtualService'
        ? list(spec.hosts).flatMap(h => (typeof h === 'string' ? [h] : []))
        : [text(spec.host)].flatMap(h => (h ? [h] : []));
    const named = otherServices.filter(s =>
      hosts.some(h =>
        hostNamesService(h, namespace, {
          name: s.metadata.name,
          namespace: s.metadata.namespace ?? namespace,
        }),
      ),
    );
    if (named.length) {
      return `also routes ${named.map(label).join(', ')}`;
    }
  }
  return undefined;
}

/**
 * What decommissioning a service does to the objects read from its
 * namespace: its workloads scaled to zero; deleted, only what provably
 * belongs to it — objects carrying its labels (the catalog's label selector,
 * else `backstage.io/kubernetes-id`) of the kinds a service owns — and
 * nothing another service uses (a ConfigMap, Secret, ServiceAccount or
 * volume claim another workload mounts, a Service selecting others' pods,
 * a policy applying to other workloads or namespace-wide, a route or rule
 * for other hosts); PersistentVolumeClaims only when listed in `include`,
 * which also overrides "shared". What the deleted objects own goes with
 * them. Objects of other services are never named.
 */
export function planDecommission(options: {
  target: ServiceTarget;
  objects: ClusterObject[];
  /** `Kind/name` of objects to delete even if kept otherwise. */
  include?: string[];
}): DecommissionPlan {
  const { target, objects } = options;
  const include = new Set(options.include ?? []);
  const own = objects.filter(o => belongsToService(target, o));
  const others = objects.filter(
    o =>
      !belongsToService(target, o) &&
      (WORKLOAD_KINDS.has(o.kind) || o.kind === 'Pod'),
  );
  const otherServices = objects.filter(
    o => o.kind === 'Service' && !belongsToService(target, o),
  );

  const plan: DecommissionPlan = {
    scale: [],
    delete: [],
    withOwner: [],
    kept: [],
  };
  const deleted: ClusterObject[] = [];
  for (const o of own) {
    const key = `${o.kind}/${o.metadata.name}`;
    const listed = include.has(key);
    if (!DECOMMISSION_KINDS.includes(o.kind)) {
      // Pods and ReplicaSets go with their workload; others stay.
      if (!(o.metadata.ownerReferences ?? []).length) {
        plan.kept.push(
          refOf(o, `a ${o.kind} is not a kind a decommission deletes`),
        );
      }
      continue;
    }
    if (DATA_KINDS.has(o.kind) && !listed) {
      plan.kept.push(
        refOf(o, 'holds data: deleted only when listed in include'),
      );
      continue;
    }
    const shared = sharedWith(o, others, otherServices);
    if (shared && !listed) {
      plan.kept.push(refOf(o, `shared: ${shared}`));
      continue;
    }
    deleted.push(o);
  }

  for (const o of deleted) {
    const spec = isObject(o.spec) ? o.spec : {};
    if (WORKLOAD_KINDS.has(o.kind) && spec.replicas !== 0) {
      plan.scale.push(
        refOf(
          o,
          `${
            typeof spec.replicas === 'number' ? spec.replicas : 1
          } replicas to 0`,
        ),
      );
    }
  }
  const rank = (o: { kind: string }) => {
    const i = DECOMMISSION_KINDS.indexOf(o.kind);
    return i < 0 ? DECOMMISSION_KINDS.length : i;
  };
  plan.kept.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  plan.delete = [...deleted]
    .sort(
      (a, b) =>
        rank(a) - rank(b) || a.metadata.name.localeCompare(b.metadata.name),
    )
    .map(o =>
      refOf(
        o,
        include.has(`${o.kind}/${o.metadata.name}`)
          ? 'listed in include'
          : 'carries the service\u2019s labels',
      ),
    );

  // What Kubernetes removes with them, transitively (ReplicaSets, Pods, …).
  const gone = new Set(
    deleted.flatMap(o => (o.metadata.uid ? [o.metadata.uid] : [])),
  );
  const inDelete = new Set(deleted);
  let grew = true;
  while (grew) {
    grew = false;
    for (const o of objects) {
      if (inDelete.has(o) || !o.metadata.uid || gone.has(o.metadata.uid))
        continue;
      const owner = (o.metadata.ownerReferences ?? []).find(r =>
        gone.has(r.uid),
      );
      if (owner) {
        gone.add(o.metadata.uid);
        plan.withOwner.push(refOf(o, `owned by ${owner.kind} ${owner.name}`));
        grew = true;
      }
    }
  }
  return plan;
}
