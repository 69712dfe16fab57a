/**
 * Any JSON value.
 *
 * @public
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | JsonObject;

/**
 * A JSON object, the shape of every Kubernetes object the emulator stores.
 *
 * @public
 */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Tells whether a value is a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-copies a JSON value. */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/** Structural equality of two JSON values (key order does not matter). */
export function jsonEqual(
  a: JsonValue | undefined,
  b: JsonValue | undefined,
): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every(key => key in b && jsonEqual(a[key], b[key]))
    );
  }
  return false;
}

/** Returns `obj[key]` when it is an object, otherwise undefined. */
export function objectField(
  obj: JsonObject | undefined,
  key: string,
): JsonObject | undefined {
  const value = obj?.[key];
  return isJsonObject(value) ? value : undefined;
}

/** Returns `obj[key]` when it is a string, otherwise undefined. */
export function stringField(
  obj: JsonObject | undefined,
  key: string,
): string | undefined {
  const value = obj?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Returns `obj.metadata`, creating it when missing. */
export function metadataOf(obj: JsonObject): JsonObject {
  const existing = objectField(obj, 'metadata');
  if (existing) {
    return existing;
  }
  const created: JsonObject = {};
  obj.metadata = created;
  return created;
}

/** Reads the value at a path of object keys, or undefined. */
export function getPath(
  obj: JsonObject,
  path: readonly string[],
): JsonValue | undefined {
  let current: JsonValue | undefined = obj;
  for (const key of path) {
    if (!isJsonObject(current)) {
      return undefined;
    }
    current = current[key];
  }
  return current;
}

/** Removes the value at a path of object keys, if present. */
export function deletePath(obj: JsonObject, path: readonly string[]): void {
  const parent = getPath(obj, path.slice(0, -1));
  if (isJsonObject(parent)) {
    delete parent[path[path.length - 1]];
  }
}
