import { LoggerService } from '@backstage/backend-plugin-api';
import { JsonObject, JsonValue } from '@backstage/types';
import {
  ApiException,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { kubernetesFailure } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { z } from 'zod';
import { fromClientModel, toClientModel } from './clientModels';

/**
 * The field manager of every Mesh Lifecycle server-side apply.
 *
 * @public
 */
export const MESH_LIFECYCLE_FIELD_MANAGER = 'mesh-lifecycle';

/**
 * What a server-side apply did, or would do, to one object.
 *
 * - `created`, `configured`, `unchanged`: the object is (or would be) written,
 *   or is already as applied.
 * - `owned-elsewhere`: a GitOps or progressive delivery controller manages it.
 * - `conflict`: the server refused the apply because another manager owns
 *   fields it changes.
 * - `failed`: any other refusal (validation, permissions, unknown kind).
 *
 * @public
 */
export const APPLY_OUTCOMES = [
  'created',
  'configured',
  'unchanged',
  'owned-elsewhere',
  'conflict',
  'failed',
] as const;

/** What happened (or, in a dry run, would happen) to one object. */
export type ApplyOutcome = (typeof APPLY_OUTCOMES)[number];

/**
 * One field an apply changes (`before` absent: added; `after` absent: removed).
 * Values of Secrets are redacted.
 *
 * @public
 */
export interface ObjectChange {
  /** e.g. `spec.template.spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  before?: JsonValue;
  after?: JsonValue;
}

/**
 * The report of one object of {@link applyObjects}.
 *
 * @public
 */
export interface AppliedObjectReport {
  apiVersion: string;
  kind: string;
  name: string;
  /** The namespace written to, for namespaced kinds. */
  namespace?: string;
  outcome: ApplyOutcome;
  /** What the apply changes or would change; server-owned fields are ignored. */
  changes: ObjectChange[];
  /** The other managers or owners found, for `owned-elsewhere` and `conflict` (and forced take-overs). */
  managers?: string[];
  /** Why, for `failed`, `conflict`, `owned-elsewhere` and objects not dry-run. Never holds secrets. */
  message?: string;
}

/**
 * Options of {@link applyObjects}.
 *
 * @public
 */
export interface ApplyObjectsOptions {
  /** Where to apply; holds credentials, never logged. */
  kubeConfig: KubeConfig;
  objects: KubernetesObject[];
  /** Only the server-side dry-run: nothing is written. */
  dryRun?: boolean;
  /** Take over fields and objects owned by other managers. */
  force?: boolean;
  /** Namespace of namespaced objects without `metadata.namespace` (default: the kubeconfig context's, else `default`). */
  defaultNamespace?: string;
  logger?: LoggerService;
}

/**
 * The result of {@link applyObjects}.
 *
 * @public
 */
export interface ApplyObjectsResult {
  dryRun: boolean;
  /** Whether anything was written. */
  applied: boolean;
  /** One report per object, in apply order. */
  objects: AppliedObjectReport[];
}

/**
 * Field managers of controllers that own what they deploy: applying over them
 * starts a tug of war, so it needs `force`.
 *
 * @public
 */
export const EXTERNAL_CONTROLLER_MANAGERS: Readonly<Record<string, string>> = {
  'argocd-controller': 'Argo CD',
  'argocd-application-controller': 'Argo CD',
  'kustomize-controller': 'Flux',
  'helm-controller': 'Flux',
  flagger: 'Flagger',
  'rollouts-controller': 'Argo Rollouts',
};

/**
 * Labels and annotations with which those controllers mark what they deploy.
 *
 * @public
 */
export const EXTERNAL_CONTROLLER_MARKERS: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/instance': 'Argo CD',
  'argocd.argoproj.io/tracking-id': 'Argo CD',
  'kustomize.toolkit.fluxcd.io/name': 'Flux',
  'helm.toolkit.fluxcd.io/name': 'Flux',
};

const CONTROLLING_OWNER_KINDS: Readonly<Record<string, string>> = {
  Rollout: 'Argo Rollouts',
  Canary: 'Flagger',
};

const KIND_RANK: Readonly<Record<string, number>> = {
  CustomResourceDefinition: 0,
  Namespace: 0,
  ServiceAccount: 1,
  ConfigMap: 1,
  Secret: 1,
  Service: 2,
  Deployment: 3,
  StatefulSet: 3,
  DaemonSet: 3,
  ReplicaSet: 3,
  Job: 3,
  CronJob: 3,
  Pod: 3,
};
const LAST_RANK = 4;

/** Metadata the server writes: never a change of ours. */
const SERVER_METADATA = [
  'resourceVersion',
  'generation',
  'managedFields',
  'uid',
  'creationTimestamp',
  'selfLink',
];

const REDACTED = '<redacted>';

const managedFieldsSchema = z.array(
  z.object({ manager: z.string().optional() }).passthrough(),
);

const ownerReferencesSchema = z.array(
  z.object({ kind: z.string(), name: z.string().optional() }).passthrough(),
);

/** The API client, with the discovery it already does made usable. */
class DiscoveringObjectApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): DiscoveringObjectApi {
    const api = kc.makeApiClient(DiscoveringObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  /** Whether the kind is namespaced, or undefined when the server does not serve it. */
  async namespaced(apiVersion: string, kind: string) {
    return (await this.resource(apiVersion, kind))?.namespaced;
  }

  get contextNamespace(): string {
    return this.defaultNamespace;
  }
}

interface PreparedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  body: JsonObject;
}

interface Plan {
  object: PreparedObject;
  report: AppliedObjectReport;
  /** Written in the second pass. */
  write: boolean;
  /** Reported from the manifest: its namespace did not exist for a dry-run. */
  notDryRun: boolean;
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The client answers typed models (Dates, undefined members): back to JSON. */
function toJson(value: unknown): JsonObject {
  const json: JsonValue = JSON.parse(JSON.stringify(value ?? {}));
  return isJsonObject(json) ? json : {};
}

function metadataOf(obj: JsonObject): JsonObject {
  const metadata = obj.metadata;
  return isJsonObject(metadata) ? metadata : {};
}

function stringAt(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The object without what the server owns, for comparison. */
function comparable(obj: JsonObject | undefined): JsonObject | undefined {
  if (!obj) return undefined;
  const { status: _status, ...rest } = obj;
  const metadata = { ...metadataOf(rest) };
  for (const field of SERVER_METADATA) delete metadata[field];
  return { ...rest, metadata };
}

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined) {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: JsonValue | undefined): JsonValue | undefined {
  if (Array.isArray(value)) return value.map(v => sortKeys(v) ?? null);
  if (!isJsonObject(value)) return value;
  const sorted: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    const child = sortKeys(value[key]);
    if (child !== undefined) sorted[key] = child;
  }
  return sorted;
}

/**
 * Leaf differences: maps are walked, lists by index when their lengths agree
 * (or, for a new object, always), other lists are one change.
 */
function diff(
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  path: string,
  out: ObjectChange[],
  isNew: boolean,
): void {
  if (jsonEqual(before, after)) return;
  const mapBefore = before === undefined || isJsonObject(before);
  const mapAfter = after === undefined || isJsonObject(after);
  if (mapBefore && mapAfter && (before ?? after) !== undefined) {
    const b = isJsonObject(before) ? before : {};
    const a = isJsonObject(after) ? after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    if (keys.length > 0) {
      for (const key of keys) {
        diff(b[key], a[key], pathOf(path, key), out, isNew);
      }
      return;
    }
  }
  if (
    Array.isArray(before) &&
    Array.isArray(after) &&
    before.length === after.length
  ) {
    before.forEach((item, i) =>
      diff(item, after[i], pathOf(path, i), out, isNew),
    );
    return;
  }
  if (isNew && Array.isArray(after) && after.length > 0) {
    after.forEach((item, i) =>
      diff(undefined, item, pathOf(path, i), out, isNew),
    );
    return;
  }
  out.push({
    path,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
  });
}

/** Server-owned nested fields, e.g. a pod template's `metadata.creationTimestamp: null`. */
function isServerOwnedPath(path: string): boolean {
  return /(^|\.)metadata\.creationTimestamp$/.test(path);
}

function changesOf(
  kind: string,
  before: JsonObject | undefined,
  after: JsonObject | undefined,
): ObjectChange[] {
  const out: ObjectChange[] = [];
  diff(comparable(before), comparable(after), '', out, before === undefined);
  const changes = out.filter(c => !isServerOwnedPath(c.path));
  if (kind !== 'Secret') return changes;
  return changes.map(c =>
    /^(data|stringData)\b/.test(c.path)
      ? {
          path: c.path,
          ...(c.before !== undefined ? { before: REDACTED } : {}),
          ...(c.after !== undefined ? { after: REDACTED } : {}),
        }
      : c,
  );
}

/** Other managers that own the object, by managedFields, markers or owner. */
export function externalOwners(current: JsonObject): string[] {
  const metadata = metadataOf(current);
  const found = new Set<string>();
  const managed = managedFieldsSchema.safeParse(metadata.managedFields ?? []);
  for (const entry of managed.success ? managed.data : []) {
    const product = entry.manager
      ? EXTERNAL_CONTROLLER_MANAGERS[entry.manager]
      : undefined;
    if (entry.manager && product) found.add(`${entry.manager} (${product})`);
  }
  for (const field of ['labels', 'annotations']) {
    const markers = metadata[field];
    if (!isJsonObject(markers)) continue;
    for (const key of Object.keys(markers)) {
      const product = EXTERNAL_CONTROLLER_MARKERS[key];
      if (product) found.add(`${product} (${key})`);
    }
  }
  const owners = ownerReferencesSchema.safeParse(
    metadata.ownerReferences ?? [],
  );
  for (const owner of owners.success ? owners.data : []) {
    const product = CONTROLLING_OWNER_KINDS[owner.kind];
    if (product) {
      found.add(`${product} (${owner.kind} ${owner.name ?? ''})`.trim());
    }
  }
  return [...found];
}

interface ApplyFailure {
  code?: number;
  message: string;
  /** The managers an apply conflicts with, from the Status causes. */
  managers: string[];
}

/** The Kubernetes Status of a failed request; only its message, never the request. */
function failureOf(error: unknown): ApplyFailure {
  const { code, message, causes } = kubernetesFailure(error);
  const managers = new Set<string>();
  for (const cause of causes) {
    const match = /conflict with "([^"]+)"/.exec(cause.message ?? '');
    if (match) managers.add(match[1]);
  }
  return { code, message, managers: [...managers] };
}

function rankOf(kind: string): number {
  return KIND_RANK[kind] ?? LAST_RANK;
}

async function prepare(
  api: DiscoveringObjectApi,
  input: KubernetesObject,
  defaultNamespace: string,
): Promise<PreparedObject | AppliedObjectReport> {
  const body = toJson(input);
  const apiVersion = stringAt(body, 'apiVersion') ?? '';
  const kind = stringAt(body, 'kind') ?? '';
  const metadata = { ...metadataOf(body) };
  const name = stringAt(metadata, 'name') ?? '';
  const failed = (message: string, namespace?: string) => ({
    apiVersion,
    kind,
    name,
    ...(namespace ? { namespace } : {}),
    outcome: 'failed' as const,
    changes: [],
    message,
  });
  if (!apiVersion || !kind || !name) {
    return failed('apiVersion, kind and metadata.name are required');
  }
  let namespaced: boolean | undefined;
  try {
    namespaced = await api.namespaced(apiVersion, kind);
  } catch (error) {
    return failed(failureOf(error).message);
  }
  if (namespaced === undefined) {
    return failed(`the cluster serves no ${kind} in ${apiVersion}`);
  }
  let namespace: string | undefined;
  if (namespaced) {
    namespace = stringAt(metadata, 'namespace') ?? defaultNamespace;
    metadata.namespace = namespace;
  } else {
    delete metadata.namespace;
  }
  return {
    apiVersion,
    kind,
    name,
    ...(namespace ? { namespace } : {}),
    body: { ...body, apiVersion, kind, metadata },
  };
}

function isReport(
  value: PreparedObject | AppliedObjectReport,
): value is AppliedObjectReport {
  return 'outcome' in value;
}

function header(object: PreparedObject) {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.name,
    ...(object.namespace ? { namespace: object.namespace } : {}),
  };
}

class ObjectApplier {
  constructor(
    private readonly api: DiscoveringObjectApi,
    private readonly force: boolean,
  ) {}

  private async read(object: PreparedObject): Promise<JsonObject | undefined> {
    try {
      return fromClientModel(
        toJson(
          await this.api.read({
            apiVersion: object.apiVersion,
            kind: object.kind,
            metadata: {
              name: object.name,
              ...(object.namespace ? { namespace: object.namespace } : {}),
            },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) {
        return undefined;
      }
      throw error;
    }
  }

  async apply(
    object: PreparedObject,
    options: { dryRun: boolean; force: boolean },
  ): Promise<JsonObject> {
    const answer = await this.api.patch(
      // The client serializes the body through its models (see clientModels).
      toClientModel(object.body) as KubernetesObject,
      undefined,
      options.dryRun ? 'All' : undefined,
      MESH_LIFECYCLE_FIELD_MANAGER,
      options.force,
      PatchStrategy.ServerSideApply,
    );
    return fromClientModel(toJson(answer));
  }

  /** The first pass: a GET and server-side dry-runs, nothing written. */
  async plan(object: PreparedObject): Promise<AppliedObjectReport> {
    const base = header(object);
    let current: JsonObject | undefined;
    try {
      current = await this.read(object);
    } catch (error) {
      return {
        ...base,
        outcome: 'failed',
        changes: [],
        message: failureOf(error).message,
      };
    }
    const owners = current ? externalOwners(current) : [];
    let conflict: ApplyFailure | undefined;
    let answer: JsonObject | undefined;
    if (owners.length === 0 || this.force) {
      try {
        answer = await this.apply(object, { dryRun: true, force: false });
      } catch (error) {
        const failure = failureOf(error);
        if (failure.code !== 409) {
          return {
            ...base,
            outcome: 'failed',
            changes: [],
            message: failure.message,
          };
        }
        conflict = failure;
      }
    }
    if (!answer) {
      // What taking over changes; without force the refusal stands anyway.
      try {
        answer = await this.apply(object, { dryRun: true, force: true });
      } catch (error) {
        if (this.force) {
          return {
            ...base,
            outcome: 'failed',
            changes: [],
            message: failureOf(error).message,
          };
        }
      }
    }
    const changes = answer ? changesOf(object.kind, current, answer) : [];
    const managers = [
      ...owners,
      ...(conflict?.managers ?? []).filter(
        m => !owners.some(o => o.startsWith(`${m} (`)),
      ),
    ];
    const taken = managers.length > 0 ? { managers } : {};
    if (!this.force && owners.length > 0) {
      return {
        ...base,
        outcome: 'owned-elsewhere',
        changes,
        managers,
        message: `managed by ${managers.join(', ')}`,
      };
    }
    if (!this.force && conflict) {
      return {
        ...base,
        outcome: 'conflict',
        changes,
        managers,
        message: conflict.message,
      };
    }
    let outcome: ApplyOutcome = 'created';
    if (current) outcome = changes.length > 0 ? 'configured' : 'unchanged';
    // Same content, but created by someone else: applying makes the fields
    // ours, so that removing one from the manifest later removes it.
    const adopt =
      outcome === 'unchanged' &&
      current !== undefined &&
      ownsSomething(object.body) &&
      !appliedByUs(current);
    if (adopt) outcome = 'configured';
    let message: string | undefined;
    if (managers.length > 0 && outcome !== 'unchanged') {
      message = `takes over from ${managers.join(', ')}`;
    } else if (adopt) {
      message = `adopts it: no change, but its fields become ${MESH_LIFECYCLE_FIELD_MANAGER}'s`;
    }
    return {
      ...base,
      outcome,
      changes,
      ...taken,
      ...(message ? { message } : {}),
    };
  }
}

/** Whether our field manager has applied the object (it owns fields). */
function appliedByUs(current: JsonObject): boolean {
  const entries = metadataOf(current).managedFields;
  return (
    Array.isArray(entries) &&
    entries.some(
      entry =>
        isJsonObject(entry) &&
        entry.manager === MESH_LIFECYCLE_FIELD_MANAGER &&
        entry.operation === 'Apply',
    )
  );
}

/**
 * Whether applying the manifest gives its manager fields: anything besides
 * the object's identity (a bare Namespace, say, owns none).
 */
function ownsSomething(body: JsonObject): boolean {
  const { labels, annotations } = metadataOf(body);
  const hasEntries = (value: JsonValue | undefined) =>
    isJsonObject(value) && Object.keys(value).length > 0;
  return (
    Object.keys(body).some(
      key => !['apiVersion', 'kind', 'metadata', 'status'].includes(key),
    ) ||
    hasEntries(labels) ||
    hasEntries(annotations)
  );
}

/** An outcome that stops the whole apply (unless forced, for ownership). */
function isRefusal(report: AppliedObjectReport): boolean {
  return (
    report.outcome === 'failed' ||
    report.outcome === 'conflict' ||
    report.outcome === 'owned-elsewhere'
  );
}

function isWrite(report: AppliedObjectReport): boolean {
  return report.outcome === 'created' || report.outcome === 'configured';
}

/** An object as log lines and errors name it: `Deployment cart in namespace shop`. */
export function objectLabel(report: AppliedObjectReport): string {
  const where = report.namespace ? ` in namespace ${report.namespace}` : '';
  return `${report.kind} ${report.name}${where}`;
}

/**
 * Server-side applies Kubernetes objects with the
 * {@link MESH_LIFECYCLE_FIELD_MANAGER} field manager, in dependency order
 * (Namespaces; ServiceAccounts, ConfigMaps, Secrets; Services; workloads; the
 * rest). A first pass dry-runs every object on the server and compares the
 * answer with the stored object; only when no object is owned by a GitOps or
 * progressive delivery controller, in conflict or refused (unless `force`,
 * which takes over ownership but never writes over a refusal) does a second
 * pass write, and then only the objects that change.
 *
 * @public
 */
export async function applyObjects(
  options: ApplyObjectsOptions,
): Promise<ApplyObjectsResult> {
  const { kubeConfig, logger } = options;
  const dryRun = options.dryRun ?? false;
  const force = options.force ?? false;
  const api = DiscoveringObjectApi.forConfig(kubeConfig);
  const applier = new ObjectApplier(api, force);
  const defaultNamespace = options.defaultNamespace ?? api.contextNamespace;

  const prepared: Array<PreparedObject | AppliedObjectReport> = [];
  for (const input of options.objects) {
    prepared.push(await prepare(api, input, defaultNamespace));
  }
  const ordered = prepared
    .map((item, index) => ({ item, index }))
    .sort(
      (a, b) => rankOf(a.item.kind) - rankOf(b.item.kind) || a.index - b.index,
    )
    .map(({ item }) => item);

  const plans: Array<Plan | AppliedObjectReport> = [];
  const createdNamespaces = new Set<string>();
  for (const item of ordered) {
    if (isReport(item)) {
      plans.push(item);
      continue;
    }
    let report: AppliedObjectReport;
    const notDryRun =
      item.namespace !== undefined && createdNamespaces.has(item.namespace);
    if (notDryRun) {
      // A real API server refuses a dry-run in a namespace that does not exist yet.
      report = {
        ...header(item),
        outcome: 'created',
        changes: changesOf(item.kind, undefined, item.body),
        message: `not dry-run: namespace ${item.namespace} is created by this apply`,
      };
    } else {
      report = await applier.plan(item);
    }
    if (item.kind === 'Namespace' && report.outcome === 'created') {
      createdNamespaces.add(item.name);
    }
    logger?.debug(`Planned ${objectLabel(report)}: ${report.outcome}`);
    plans.push({
      object: item,
      report,
      write: isWrite(report),
      notDryRun,
    });
  }

  const reports = () => plans.map(p => ('report' in p ? p.report : p));
  if (dryRun || reports().some(isRefusal)) {
    return { dryRun, applied: false, objects: reports() };
  }

  let applied = false;
  const write = async (plan: Plan) => {
    try {
      await applier.apply(plan.object, { dryRun: false, force });
      applied = true;
      logger?.debug(`Applied ${objectLabel(plan.report)}`);
    } catch (error) {
      const failure = failureOf(error);
      plan.report = {
        ...plan.report,
        outcome: failure.code === 409 ? 'conflict' : 'failed',
        ...(failure.managers.length > 0 ? { managers: failure.managers } : {}),
        message: failure.message,
      };
    }
  };
  const planned = plans.filter((p): p is Plan => 'report' in p);
  const heldBack = planned.filter(p => p.notDryRun);
  // The Namespaces this apply creates first, then a dry-run of what goes into
  // them, so that a refusal there stops the rest before it is written.
  if (heldBack.length > 0) {
    for (const plan of planned) {
      if (plan.write && plan.object.kind === 'Namespace') await write(plan);
    }
    for (const plan of heldBack) {
      plan.report = await applier.plan(plan.object);
      plan.write = isWrite(plan.report);
    }
    if (reports().some(isRefusal)) {
      return { dryRun, applied, objects: reports() };
    }
  }
  for (const plan of planned) {
    if (!plan.write) continue;
    if (heldBack.length > 0 && plan.object.kind === 'Namespace') continue;
    await write(plan);
  }
  return { dryRun, applied, objects: reports() };
}
