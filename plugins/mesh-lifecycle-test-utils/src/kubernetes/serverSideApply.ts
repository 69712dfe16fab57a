import {
  JsonObject,
  JsonValue,
  cloneJson,
  deletePath,
  getPath,
  isJsonObject,
  jsonEqual,
  metadataOf,
  objectField,
  stringField,
} from './json';
import { StatusCause, StatusTarget, applyConflict } from './status';

/** One entry of `metadata.managedFields`. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
}

type FieldPath = string[];

/** Metadata fields that are managed (everything else in metadata belongs to the server). */
const MANAGED_METADATA = new Set([
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences',
]);

function collectLeaves(
  value: JsonValue,
  prefix: FieldPath,
  out: FieldPath[],
): void {
  if (isJsonObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) {
      collectLeaves(child, [...prefix, key], out);
    }
  } else {
    out.push(prefix);
  }
}

/** The field paths an object sets: maps are walked, lists and scalars are leaves. */
function managedPaths(obj: JsonObject): FieldPath[] {
  const out: FieldPath[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
    if (key === 'metadata' && isJsonObject(value)) {
      for (const [metaKey, metaValue] of Object.entries(value)) {
        if (MANAGED_METADATA.has(metaKey))
          collectLeaves(metaValue, ['metadata', metaKey], out);
      }
      continue;
    }
    collectLeaves(value, [key], out);
  }
  return out;
}

/** Renders field paths in the API server's `fieldsV1` format (`{"f:spec":{"f:replicas":{}}}`). */
function toFieldsV1(paths: FieldPath[]): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let node = root;
    for (const key of path) {
      const child = objectField(node, `f:${key}`) ?? {};
      node[`f:${key}`] = child;
      node = child;
    }
  }
  return root;
}

function fromFieldsV1(fields: JsonObject, prefix: FieldPath = []): FieldPath[] {
  const entries = Object.entries(fields).filter(([key]) =>
    key.startsWith('f:'),
  );
  if (entries.length === 0) {
    return prefix.length > 0 ? [prefix] : [];
  }
  return entries.flatMap(([key, child]) =>
    fromFieldsV1(isJsonObject(child) ? child : {}, [...prefix, key.slice(2)]),
  );
}

interface Ownership {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  paths: FieldPath[];
}

function readOwnership(obj: JsonObject | undefined): Ownership[] {
  const entries = objectField(obj, 'metadata')?.managedFields;
  if (!Array.isArray(entries)) return [];
  return entries.filter(isJsonObject).map(entry => ({
    manager: stringField(entry, 'manager') ?? '',
    operation: entry.operation === 'Apply' ? 'Apply' : 'Update',
    apiVersion: stringField(entry, 'apiVersion') ?? '',
    time: stringField(entry, 'time') ?? '',
    paths: fromFieldsV1(objectField(entry, 'fieldsV1') ?? {}),
  }));
}

function writeOwnership(obj: JsonObject, owners: Ownership[]): void {
  const entries: ManagedFieldsEntry[] = owners
    .filter(o => o.paths.length > 0)
    .map(o => ({
      manager: o.manager,
      operation: o.operation,
      apiVersion: o.apiVersion,
      time: o.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(o.paths),
    }));
  metadataOf(obj).managedFields = entries.map(e => ({ ...e }));
}

function overlaps(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n).every((key, i) => key === b[i]);
}

function samePath(a: FieldPath, b: FieldPath): boolean {
  return a.length === b.length && overlaps(a, b);
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Merges an applied configuration into an object: maps recursively, lists and scalars replaced. */
function mergeApplied(
  target: JsonValue | undefined,
  applied: JsonValue,
): JsonValue {
  if (!isJsonObject(applied) || !isJsonObject(target)) {
    return cloneJson(applied);
  }
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(applied)) {
    result[key] = mergeApplied(result[key], value);
  }
  return result;
}

/**
 * Records a non-apply write (create, update, patch) in `next.metadata.managedFields`:
 * the manager takes ownership of every field it changed, other managers lose them.
 */
export function recordUpdate(
  previous: JsonObject | undefined,
  next: JsonObject,
  manager: string,
  apiVersion: string,
): void {
  const owners = readOwnership(previous);
  const changed = managedPaths(next).filter(
    path =>
      !previous || !jsonEqual(getPath(previous, path), getPath(next, path)),
  );
  const nextPaths = managedPaths(next);
  for (const owner of owners) {
    owner.paths = owner.paths.filter(
      path =>
        !changed.some(c => overlaps(c, path)) &&
        nextPaths.some(p => overlaps(p, path)),
    );
  }
  if (changed.length > 0) {
    let mine = owners.find(
      o => o.manager === manager && o.operation === 'Update',
    );
    if (!mine) {
      mine = { manager, operation: 'Update', apiVersion, time: '', paths: [] };
      owners.push(mine);
    }
    mine.time = now();
    mine.apiVersion = apiVersion;
    mine.paths.push(
      ...changed.filter(c => !mine?.paths.some(p => samePath(p, c))),
    );
  }
  writeOwnership(next, owners);
}

/** What a server-side apply request asks for. */
export interface ApplyRequest {
  /** The stored object, or undefined when the apply creates it. */
  existing: JsonObject | undefined;
  /** The applied configuration (the request body). */
  applied: JsonObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  target: StatusTarget;
}

/**
 * Server-side apply: merges the applied configuration into the stored object,
 * records the manager's fields, drops fields the manager stopped applying, and
 * throws a 409 Conflict when another manager owns a field being changed (unless forced).
 */
export function serverSideApply(request: ApplyRequest): JsonObject {
  const { existing, applied, manager, force, apiVersion } = request;
  const appliedPaths = managedPaths(applied);
  const owners = readOwnership(existing);

  if (existing) {
    const causes: StatusCause[] = [];
    for (const owner of owners) {
      if (owner.manager === manager) continue;
      for (const path of appliedPaths) {
        const owned = owner.paths.some(p => overlaps(p, path));
        if (
          owned &&
          !jsonEqual(getPath(existing, path), getPath(applied, path))
        ) {
          const using =
            owner.operation === 'Update' ? ` using ${owner.apiVersion}` : '';
          causes.push({
            reason: 'FieldManagerConflict',
            message: `conflict with "${owner.manager}"${using}`,
            field: `.${path.join('.')}`,
          });
        }
      }
    }
    if (causes.length > 0 && !force) {
      throw applyConflict(request.target, causes);
    }
    if (force) {
      for (const owner of owners) {
        if (owner.manager !== manager) {
          owner.paths = owner.paths.filter(
            p => !appliedPaths.some(a => overlaps(a, p)),
          );
        }
      }
    }
  }

  const base = existing ? cloneJson(existing) : {};
  const previous = owners.find(
    o => o.manager === manager && o.operation === 'Apply',
  );
  for (const path of previous?.paths ?? []) {
    const stillApplied = appliedPaths.some(a => overlaps(a, path));
    const ownedByOthers = owners.some(
      o => o !== previous && o.paths.some(p => overlaps(p, path)),
    );
    if (!stillApplied && !ownedByOthers) deletePath(base, path);
  }
  const merged = mergeApplied(base, applied);
  const result = isJsonObject(merged) ? merged : {};
  const mine = previous ?? {
    manager,
    operation: 'Apply',
    apiVersion,
    time: '',
    paths: [],
  };
  mine.paths = appliedPaths;
  mine.time = now();
  mine.apiVersion = apiVersion;
  writeOwnership(result, previous ? owners : [...owners, mine]);
  return result;
}
