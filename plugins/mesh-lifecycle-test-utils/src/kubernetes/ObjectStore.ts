import { randomInt, randomUUID } from 'node:crypto';
import {
  JsonObject,
  cloneJson,
  isJsonObject,
  jsonEqual,
  metadataOf,
  objectField,
  stringField,
} from './json';
import { ResourceType, apiVersionOf } from './resources';
import {
  FieldRequirement,
  LabelRequirement,
  matchesFields,
  matchesLabels,
} from './selectors';
import { recordUpdate, serverSideApply } from './serverSideApply';
import {
  KubernetesStatus,
  StatusTarget,
  alreadyExists,
  badRequest,
  conflict,
  continueExpired,
  expired,
  namespaceTerminating,
  notFound,
  tooLargeResourceVersion,
} from './status';
import { validateObject } from './validation';

/** The type of a watch event. */
export type WatchEventType =
  | 'ADDED'
  | 'MODIFIED'
  | 'DELETED'
  | 'BOOKMARK'
  | 'ERROR';

/** A watch event as streamed to clients (ERROR events carry a Status). */
export interface WatchEvent {
  type: WatchEventType;
  object: JsonObject | KubernetesStatus;
}

/** Which objects a list, watch or deletecollection is about. */
export interface ObjectQuery {
  /** Namespace, or undefined for all namespaces (and cluster-scoped resources). */
  namespace?: string;
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
}

/** Paging of a list, and which state it reads. */
export interface ListPaging {
  limit?: number;
  continueToken?: string;
  /**
   * Read the objects as they were at exactly this resourceVersion
   * (`resourceVersionMatch=Exact`): 410 Expired once it is compacted.
   */
  exactRevision?: number;
  /** The resourceVersion the answer must not be older than: 504 when the store has not reached it. */
  minimumRevision?: number;
}

/** The result of a list. */
export interface ListResult {
  items: JsonObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

/** Options shared by every write. */
export interface WriteOptions {
  /** Validate and answer, persist nothing, emit no event. */
  dryRun?: boolean;
  /** Manager recorded in `metadata.managedFields`. */
  fieldManager?: string;
  /** Keep the `status` of the body (in-process seeding) instead of the API server rules. */
  writeStatus?: boolean;
  /** Which subresource is written: `status` updates only the status. */
  subresource?: 'status';
  /**
   * Write namespaced objects whether or not their Namespace exists (in-process
   * seeding). Otherwise, like a real API server, a write into a namespace that
   * does not exist answers 404 NotFound, and a create into a namespace being
   * deleted 403 Forbidden.
   */
  allowMissingNamespace?: boolean;
}

/** `DeleteOptions.preconditions`: what the object must still be for the delete to happen. */
export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

/** Options of a delete. */
export interface DeleteOptions extends WriteOptions {
  /** A mismatch answers 409 Conflict and deletes nothing. */
  preconditions?: DeletePreconditions;
}

interface HistoryEntry {
  revision: number;
  storageKey: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: JsonObject;
  previous?: JsonObject;
}

/** The retained events of one resource type. */
interface ResourceHistory {
  events: HistoryEntry[];
  /** The newest revision whose events may be gone: reads and watches from before it are expired. */
  compactedRevision: number;
}

interface Watcher {
  resource: ResourceType;
  query: ObjectQuery;
  /** Only events after this revision are sent. */
  after: number;
  send: (event: WatchEvent) => void;
}

const NAME_SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** The storage key of core/v1 namespaces (see ResourceRegistry). */
const NAMESPACES = '/namespaces';

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function keyOfObject(obj: JsonObject): string {
  const metadata = metadataOf(obj);
  return keyOf(
    stringField(metadata, 'namespace'),
    stringField(metadata, 'name') ?? '',
  );
}

/** The continue token of a list page: the snapshot it reads (-1: the latest state) and the last key sent. */
function encodeContinue(revision: number, start: string): string {
  return Buffer.from(
    JSON.stringify({ v: 'emulator', rv: revision, start }),
  ).toString('base64url');
}

/** Everything but metadata and status: what bumps `metadata.generation` when it changes. */
function specPart(obj: JsonObject): JsonObject {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** The object without the times of `metadata.managedFields`, which alone do not make a write. */
function withoutManagedFieldsTimes(obj: JsonObject): JsonObject {
  const copy = cloneJson(obj);
  const metadata = metadataOf(copy);
  if (Array.isArray(metadata.managedFields)) {
    metadata.managedFields = metadata.managedFields.map(entry => {
      if (!isJsonObject(entry)) return entry;
      const { time: _time, ...rest } = entry;
      return rest;
    });
  }
  return copy;
}

/** The object without the fields the server rewrites on every write. */
function comparable(obj: JsonObject): JsonObject {
  const copy = cloneJson(obj);
  const metadata = metadataOf(copy);
  delete metadata.resourceVersion;
  delete metadata.managedFields;
  delete copy.apiVersion;
  return copy;
}

function matches(query: ObjectQuery, obj: JsonObject): boolean {
  const metadata = objectField(obj, 'metadata');
  if (
    query.namespace !== undefined &&
    stringField(metadata, 'namespace') !== query.namespace
  ) {
    return false;
  }
  if (
    query.labelSelector &&
    !matchesLabels(query.labelSelector, objectField(metadata, 'labels') ?? {})
  ) {
    return false;
  }
  return !query.fieldSelector || matchesFields(query.fieldSelector, obj);
}

/**
 * In-memory storage of every object of one emulator, with a global
 * resourceVersion counter, an event history per resource type for watches and
 * exact reads, and the API server's write semantics (generation, finalizers,
 * status subresource, managedFields).
 */
export class ObjectStore {
  private revision = 0;
  /** Set by compact(): every history is gone up to here. */
  private compactedRevision = 0;
  private readonly buckets = new Map<string, Map<string, JsonObject>>();
  private readonly histories = new Map<string, ResourceHistory>();
  private readonly watchers = new Set<Watcher>();

  /**
   * @param historySize how many events are kept per resource type, as
   * kube-apiserver's watch cache keeps a window of events per resource, for
   * watches resuming from a resourceVersion and exact lists
   */
  constructor(private readonly historySize: number) {}

  /** The current (latest) resourceVersion. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  private historyOf(resource: ResourceType): ResourceHistory {
    let history = this.histories.get(resource.storageKey);
    if (!history) {
      history = { events: [], compactedRevision: 0 };
      this.histories.set(resource.storageKey, history);
    }
    return history;
  }

  /** Reads and watches from before this revision of a resource are expired. */
  private compactedRevisionOf(resource: ResourceType): number {
    return Math.max(
      this.compactedRevision,
      this.historyOf(resource).compactedRevision,
    );
  }

  private bucket(resource: ResourceType): Map<string, JsonObject> {
    let bucket = this.buckets.get(resource.storageKey);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(resource.storageKey, bucket);
    }
    return bucket;
  }

  private present(resource: ResourceType, obj: JsonObject): JsonObject {
    return {
      ...cloneJson(obj),
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
    };
  }

  private target(resource: ResourceType, name: string): StatusTarget {
    return { resource: resource.plural, group: resource.group, name };
  }

  private namespaceFor(
    resource: ResourceType,
    namespace: string | undefined,
  ): string | undefined {
    return resource.namespaced ? namespace ?? 'default' : undefined;
  }

  private stored(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
  ): JsonObject {
    const obj = this.bucket(resource).get(
      keyOf(this.namespaceFor(resource, namespace), name),
    );
    if (!obj) {
      throw notFound(this.target(resource, name));
    }
    return obj;
  }

  /**
   * The NamespaceLifecycle admission of a real API server: no write into a
   * namespace that does not exist (404), no create into one being deleted (403).
   */
  private admitNamespace(
    resource: ResourceType,
    obj: JsonObject,
    operation: 'create' | 'update',
    options: WriteOptions,
  ): void {
    if (!resource.namespaced || options.allowMissingNamespace) return;
    const metadata = metadataOf(obj);
    const namespace = stringField(metadata, 'namespace') ?? 'default';
    const stored = this.buckets
      .get(NAMESPACES)
      ?.get(keyOf(undefined, namespace));
    if (!stored) {
      throw notFound({ resource: 'namespaces', group: '', name: namespace });
    }
    const terminating =
      metadataOf(stored).deletionTimestamp !== undefined ||
      objectField(stored, 'status')?.phase === 'Terminating';
    if (operation === 'create' && terminating) {
      const name =
        stringField(metadata, 'name') ||
        stringField(metadata, 'generateName') ||
        'Unknown';
      throw namespaceTerminating(this.target(resource, name), namespace);
    }
  }

  private commit(
    resource: ResourceType,
    type: HistoryEntry['type'],
    obj: JsonObject,
    previous?: JsonObject,
  ): void {
    const key = keyOfObject(obj);
    if (type === 'DELETED') {
      this.bucket(resource).delete(key);
    } else {
      this.bucket(resource).set(key, obj);
    }
    const entry: HistoryEntry = {
      revision: this.revision,
      storageKey: resource.storageKey,
      type,
      object: obj,
      previous,
    };
    const history = this.historyOf(resource);
    history.events.push(entry);
    if (history.events.length > this.historySize) {
      history.events.splice(0, history.events.length - this.historySize);
      // Like the watch cache: what is older than the oldest kept event is gone.
      history.compactedRevision =
        (history.events[0]?.revision ?? this.revision + 1) - 1;
    }
    for (const watcher of this.watchers) {
      this.notify(watcher, entry);
    }
  }

  private notify(watcher: Watcher, entry: HistoryEntry): void {
    if (
      watcher.resource.storageKey !== entry.storageKey ||
      entry.revision <= watcher.after
    ) {
      return;
    }
    const now = matches(watcher.query, entry.object);
    const before =
      entry.previous !== undefined && matches(watcher.query, entry.previous);
    let type: WatchEventType = entry.type;
    if (entry.type === 'MODIFIED' && now !== before) {
      type = now ? 'ADDED' : 'DELETED';
    } else if (!now) {
      return;
    }
    watcher.send({
      type,
      object: this.present(watcher.resource, entry.object),
    });
  }

  /** Reads one object; throws a 404 Status when missing. */
  get(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
  ): JsonObject {
    return this.present(resource, this.stored(resource, namespace, name));
  }

  /**
   * The objects of a resource as they were at a revision: the current ones
   * with the kept events after it undone.
   */
  private snapshot(
    resource: ResourceType,
    revision: number,
  ): Map<string, JsonObject> {
    const objects = new Map(this.bucket(resource));
    const { events } = this.historyOf(resource);
    for (let i = events.length - 1; i >= 0; i--) {
      const { revision: at, type, object, previous } = events[i];
      if (at <= revision) break;
      if (type === 'ADDED' || previous === undefined) {
        objects.delete(keyOfObject(object));
      } else {
        objects.set(keyOfObject(object), previous);
      }
    }
    return objects;
  }

  /**
   * The revision a list reads, checked like the API server does: one not
   * reached yet is a 504, a compacted one a 410 Expired.
   */
  private listRevision(
    resource: ResourceType,
    paging: ListPaging,
    start: { key: string; revision: number } | undefined,
  ): number {
    if (start) {
      // -1: a token that continues at the latest state.
      const revision = start.revision > 0 ? start.revision : this.revision;
      if (revision < this.compactedRevisionOf(resource)) {
        throw continueExpired(encodeContinue(-1, start.key));
      }
      return revision;
    }
    const wanted = paging.exactRevision ?? paging.minimumRevision;
    if (wanted !== undefined && wanted > this.revision) {
      throw tooLargeResourceVersion(wanted, this.revision);
    }
    if (paging.exactRevision === undefined) {
      return this.revision;
    }
    if (paging.exactRevision < this.compactedRevisionOf(resource)) {
      throw expired('The resourceVersion for the provided list is too old.');
    }
    return paging.exactRevision;
  }

  /**
   * Lists objects, sorted by namespace and name, a page at a time. Like the
   * API server, every page reads the revision the first page read (its
   * continue token says which), and an exact list reads an older revision.
   */
  list(
    resource: ResourceType,
    query: ObjectQuery,
    paging: ListPaging = {},
  ): ListResult {
    const start = paging.continueToken
      ? this.decodeContinue(paging.continueToken)
      : undefined;
    const revision = this.listRevision(resource, paging, start);
    const objects =
      revision === this.revision
        ? this.bucket(resource)
        : this.snapshot(resource, revision);
    let entries = [...objects.entries()]
      .filter(([, obj]) => matches(query, obj))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    if (start) {
      entries = entries.filter(([key]) => key > start.key);
    }
    const resourceVersion = String(revision);
    if (paging.limit && paging.limit > 0 && entries.length > paging.limit) {
      const page = entries.slice(0, paging.limit);
      const last = page[page.length - 1][0];
      return {
        items: page.map(([, obj]) => this.present(resource, obj)),
        resourceVersion,
        continueToken: encodeContinue(revision, last),
        remainingItemCount: entries.length - page.length,
      };
    }
    return {
      items: entries.map(([, obj]) => this.present(resource, obj)),
      resourceVersion,
    };
  }

  private decodeContinue(token: string): { key: string; revision: number } {
    try {
      const decoded: unknown = JSON.parse(
        Buffer.from(token, 'base64url').toString('utf8'),
      );
      if (
        isJsonObject(decoded) &&
        typeof decoded.start === 'string' &&
        typeof decoded.rv === 'number'
      ) {
        return { key: decoded.start, revision: decoded.rv };
      }
    } catch {
      // fall through to the error below
    }
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }

  private checkBody(
    resource: ResourceType,
    body: JsonObject,
    namespace: string | undefined,
  ): JsonObject {
    const obj = cloneJson(body);
    const apiVersion = apiVersionOf(resource);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
      throw badRequest(
        `the API version in the data (${String(
          obj.apiVersion,
        )}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (obj.kind !== undefined && obj.kind !== resource.kind) {
      throw badRequest(
        `the kind in the data (${String(
          obj.kind,
        )}) does not match the expected kind (${resource.kind})`,
      );
    }
    obj.apiVersion = apiVersion;
    obj.kind = resource.kind;
    const metadata = metadataOf(obj);
    const ns = this.namespaceFor(resource, namespace);
    if (ns === undefined) {
      delete metadata.namespace;
    } else if (metadata.namespace !== undefined && metadata.namespace !== ns) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    } else {
      metadata.namespace = ns;
    }
    return obj;
  }

  /** Creates an object (honouring `generateName`); 409 AlreadyExists, 422 Invalid. */
  create(
    resource: ResourceType,
    namespace: string | undefined,
    body: JsonObject,
    options: WriteOptions = {},
  ): JsonObject {
    const obj = this.checkBody(resource, body, namespace);
    this.admitNamespace(resource, obj, 'create', options);
    const metadata = metadataOf(obj);
    const generateName = stringField(metadata, 'generateName');
    if (!metadata.name && generateName) {
      const suffix = Array.from(
        { length: 5 },
        () => NAME_SUFFIX_CHARS[randomInt(NAME_SUFFIX_CHARS.length)],
      ).join('');
      metadata.name = `${generateName}${suffix}`;
    }
    if (resource.status && !options.writeStatus) {
      delete obj.status;
    }
    for (const field of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'deletionTimestamp',
      'generation',
      'managedFields',
    ]) {
      delete metadata[field];
    }
    validateObject(resource, obj);
    const name = String(metadata.name);
    if (
      this.bucket(resource).has(keyOf(stringField(metadata, 'namespace'), name))
    ) {
      throw alreadyExists(this.target(resource, name));
    }
    metadata.uid = randomUUID();
    metadata.creationTimestamp = timestamp();
    metadata.generation = 1;
    recordUpdate(
      undefined,
      obj,
      options.fieldManager ?? 'unknown',
      apiVersionOf(resource),
    );
    return this.persist(resource, 'ADDED', obj, undefined, options);
  }

  private persist(
    resource: ResourceType,
    type: HistoryEntry['type'],
    obj: JsonObject,
    previous: JsonObject | undefined,
    options: WriteOptions,
  ): JsonObject {
    if (options.dryRun) {
      return this.present(resource, obj);
    }
    this.revision += 1;
    metadataOf(obj).resourceVersion = String(this.revision);
    this.commit(resource, type, obj, previous);
    return this.present(resource, obj);
  }

  /**
   * Replaces an object (PUT). A stale `metadata.resourceVersion` answers 409
   * Conflict; status is only written through the status subresource; removing
   * the last finalizer of a deleted object removes it.
   */
  update(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    body: JsonObject,
    options: WriteOptions = {},
  ): JsonObject {
    const existing = this.stored(resource, namespace, name);
    let obj = this.checkBody(resource, body, namespace);
    this.admitNamespace(resource, obj, 'update', options);
    const metadata = metadataOf(obj);
    if (metadata.name !== undefined && metadata.name !== name) {
      throw badRequest(
        `the name of the object (${String(
          metadata.name,
        )}) does not match the name on the URL (${name})`,
      );
    }
    const oldMetadata = metadataOf(existing);
    if (
      metadata.resourceVersion !== undefined &&
      metadata.resourceVersion !== oldMetadata.resourceVersion
    ) {
      throw conflict(
        this.target(resource, name),
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    if (options.subresource === 'status') {
      obj = { ...cloneJson(existing), status: obj.status ?? {} };
    } else if (resource.status && !options.writeStatus) {
      if (existing.status === undefined) delete obj.status;
      else obj.status = cloneJson(existing.status);
    }
    const next = metadataOf(obj);
    next.name = name;
    for (const field of [
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
    ]) {
      if (oldMetadata[field] === undefined) delete next[field];
      else next[field] = oldMetadata[field];
    }
    if (!jsonEqual(specPart(obj), specPart(existing))) {
      next.generation = Number(oldMetadata.generation ?? 0) + 1;
    }
    validateObject(resource, obj);
    if (jsonEqual(comparable(obj), comparable(existing))) {
      return this.present(resource, existing);
    }
    recordUpdate(
      existing,
      obj,
      options.fieldManager ?? 'unknown',
      apiVersionOf(resource),
    );
    const finalizers = next.finalizers;
    const finalized = !Array.isArray(finalizers) || finalizers.length === 0;
    if (next.deletionTimestamp !== undefined && finalized) {
      return this.persist(resource, 'DELETED', obj, existing, options);
    }
    return this.persist(resource, 'MODIFIED', obj, existing, options);
  }

  /** Server-side apply: creates or merges, tracking field managers (see serverSideApply). */
  apply(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    applied: JsonObject,
    options: WriteOptions & { fieldManager: string; force: boolean },
  ): JsonObject {
    const body = this.checkBody(resource, applied, namespace);
    const existing = this.bucket(resource).get(
      keyOf(this.namespaceFor(resource, namespace), name),
    );
    const merged = serverSideApply({
      existing,
      applied: body,
      manager: options.fieldManager,
      force: options.force,
      apiVersion: apiVersionOf(resource),
      target: this.target(resource, name),
    });
    metadataOf(merged).name = name;
    this.admitNamespace(
      resource,
      body,
      existing ? 'update' : 'create',
      options,
    );
    if (!existing) {
      const managedFields = metadataOf(merged).managedFields;
      const created = this.create(resource, namespace, merged, {
        ...options,
        dryRun: true,
      });
      metadataOf(created).managedFields = managedFields ?? [];
      return this.persist(resource, 'ADDED', created, undefined, options);
    }
    const obj = cloneJson(merged);
    const metadata = metadataOf(obj);
    if (resource.status) {
      if (existing.status === undefined) delete obj.status;
      else obj.status = cloneJson(existing.status);
    }
    if (!jsonEqual(specPart(obj), specPart(existing))) {
      metadata.generation = Number(metadataOf(existing).generation ?? 0) + 1;
    }
    validateObject(resource, obj);
    if (
      jsonEqual(
        withoutManagedFieldsTimes(obj),
        withoutManagedFieldsTimes(existing),
      )
    ) {
      return this.present(resource, existing);
    }
    return this.persist(resource, 'MODIFIED', obj, existing, options);
  }

  /**
   * Deletes an object. With finalizers it only gets a deletionTimestamp (and
   * `pending` is true) until an update removes them. Preconditions that do not
   * match answer 409 Conflict.
   */
  delete(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): { object: JsonObject; pending: boolean } {
    const existing = this.stored(resource, namespace, name);
    this.checkPreconditions(resource, existing, options.preconditions);
    const finalizers = metadataOf(existing).finalizers;
    if (Array.isArray(finalizers) && finalizers.length > 0) {
      if (metadataOf(existing).deletionTimestamp !== undefined) {
        return { object: this.present(resource, existing), pending: true };
      }
      const obj = cloneJson(existing);
      metadataOf(obj).deletionTimestamp = timestamp();
      metadataOf(obj).deletionGracePeriodSeconds = 0;
      return {
        object: this.persist(resource, 'MODIFIED', obj, existing, options),
        pending: true,
      };
    }
    const obj = cloneJson(existing);
    return {
      object: this.persist(resource, 'DELETED', obj, existing, options),
      pending: false,
    };
  }

  /**
   * Delete preconditions, with the messages of a real API server: the
   * namespace registry's own, or the generic registry's (which names the kind).
   */
  private checkPreconditions(
    resource: ResourceType,
    existing: JsonObject,
    preconditions: DeletePreconditions | undefined,
  ): void {
    const metadata = metadataOf(existing);
    const name = String(metadata.name ?? '');
    const namespaces = resource.storageKey === NAMESPACES;
    const target = namespaces
      ? this.target(resource, name)
      : { resource: resource.kind, group: resource.group, name };
    const checks: Array<['uid' | 'resourceVersion', string, string]> = [
      ['uid', 'UID', 'The object might have been deleted and then recreated'],
      [
        'resourceVersion',
        'ResourceVersion',
        'The object might have been modified',
      ],
    ];
    for (const [field, label, hint] of checks) {
      const expected = preconditions?.[field];
      const actual = String(metadata[field] ?? '');
      if (expected === undefined || expected === actual) continue;
      throw conflict(
        target,
        namespaces
          ? `Precondition failed: ${label} in precondition: ${expected}, ${label} in object meta: ${actual}`
          : `the ${label} in the precondition (${expected}) does not match the ${label} in record (${actual}). ${hint}`,
      );
    }
  }

  /**
   * Compacts every event history: watches and exact lists from any earlier
   * resourceVersion get 410 Expired.
   */
  compact(): void {
    for (const history of this.histories.values()) {
      history.events = [];
    }
    this.compactedRevision = this.revision;
  }

  /**
   * Starts a watch. Without a resourceVersion (or with `0`) the current objects
   * are sent as ADDED first; otherwise the kept events after it are replayed,
   * and only later events are sent. Throws a 410 Expired Status, with the
   * watch cache's message, when events after it are gone. Returns the cancel
   * function.
   */
  watch(
    resource: ResourceType,
    query: ObjectQuery,
    resourceVersion: string | undefined,
    send: (event: WatchEvent) => void,
  ): () => void {
    const watcher: Watcher = { resource, query, after: this.revision, send };
    if (!resourceVersion || resourceVersion === '0') {
      for (const item of this.list(resource, query).items) {
        send({ type: 'ADDED', object: item });
      }
    } else {
      if (!/^\d+$/.test(resourceVersion)) {
        throw badRequest(`invalid resource version "${resourceVersion}"`);
      }
      const from = Number(resourceVersion);
      const compacted = this.compactedRevisionOf(resource);
      if (from < compacted) {
        throw expired(`too old resource version: ${from} (${compacted})`);
      }
      watcher.after = from;
      for (const entry of this.historyOf(resource).events) {
        this.notify(watcher, entry);
      }
    }
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }
}
