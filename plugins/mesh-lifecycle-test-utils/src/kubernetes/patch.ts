import { Operation, applyPatch } from 'fast-json-patch';
import { JsonObject, JsonValue, cloneJson, isJsonObject } from './json';
import {
  badRequest,
  invalid,
  jsonPatchNotApplicable,
  unsupportedMediaType,
} from './status';

/** RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(
  target: JsonValue | undefined,
  patch: JsonValue,
): JsonValue {
  if (!isJsonObject(patch)) {
    return cloneJson(patch);
  }
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = mergePatch(result[key], value);
    }
  }
  return result;
}

/** Merge keys of the lists a strategic merge patch merges item by item. */
const MERGE_KEYS: Record<string, (item: JsonObject) => string> = {
  containers: () => 'name',
  initContainers: () => 'name',
  ephemeralContainers: () => 'name',
  env: () => 'name',
  volumes: () => 'name',
  imagePullSecrets: () => 'name',
  volumeMounts: () => 'mountPath',
  // Container ports merge on containerPort, Service ports on port.
  ports: item => ('containerPort' in item ? 'containerPort' : 'port'),
};

function mergeList(
  key: string,
  target: JsonValue | undefined,
  patch: JsonValue[],
): JsonValue {
  const mergeKeyOf = MERGE_KEYS[key];
  const first = patch.find(isJsonObject);
  if (!mergeKeyOf || !Array.isArray(target) || !first) {
    return cloneJson(
      patch.filter(item => !(isJsonObject(item) && item.$patch === 'delete')),
    );
  }
  if (patch.some(item => isJsonObject(item) && item.$patch === 'replace')) {
    return cloneJson(
      patch.filter(item => !(isJsonObject(item) && item.$patch === 'replace')),
    );
  }
  const mergeKey = mergeKeyOf(first);
  const result: JsonValue[] = [...target];
  for (const item of patch) {
    if (!isJsonObject(item)) {
      continue;
    }
    const index = result.findIndex(
      existing =>
        isJsonObject(existing) && existing[mergeKey] === item[mergeKey],
    );
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMergePatch(result[index], item);
    } else {
      result.push(strategicMergePatch(undefined, item));
    }
  }
  return result;
}

/**
 * Strategic merge patch, as far as the emulator knows the schema: like a merge
 * patch, but lists of containers, env, ports, volumes… are merged by their
 * merge key, and `$patch: delete` / `$patch: replace` directives are honoured.
 */
export function strategicMergePatch(
  target: JsonValue | undefined,
  patch: JsonValue,
): JsonValue {
  if (!isJsonObject(patch)) {
    return cloneJson(patch);
  }
  if (patch.$patch === 'replace') {
    const { $patch: _directive, ...rest } = patch;
    return cloneJson(rest);
  }
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') {
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeList(key, result[key], value);
    } else {
      result[key] = strategicMergePatch(result[key], value);
    }
  }
  return result;
}

/** The name Go's encoding/json gives a JSON value's type in its errors. */
function goJsonType(value: JsonValue): string {
  if (Array.isArray(value)) return 'array';
  if (isJsonObject(value)) return 'object';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

function isOperation(value: JsonValue): value is JsonObject & Operation {
  return (
    isJsonObject(value) &&
    typeof value.op === 'string' &&
    typeof value.path === 'string'
  );
}

/**
 * RFC 6902 JSON patch, with the API server's answers: a body that does not
 * decode as a list of operations is a 400 BadRequest (with Go's decoding
 * message); a patch that does not apply — a failed `test`, a missing path, an
 * unknown or incomplete operation — is a 422 Invalid with a generic message.
 */
function jsonPatch(target: JsonObject, patch: JsonValue): JsonObject {
  // Go decodes `null` into an empty patch.
  const operations = patch ?? [];
  if (!Array.isArray(operations)) {
    throw badRequest(
      `json: cannot unmarshal ${goJsonType(
        operations,
      )} into Go value of type jsonpatch.Patch`,
    );
  }
  const undecodable = operations.find(
    operation => operation !== null && !isJsonObject(operation),
  );
  if (undecodable !== undefined) {
    throw badRequest(
      `json: cannot unmarshal ${goJsonType(
        undecodable,
      )} into Go value of type jsonpatch.Operation`,
    );
  }
  if (!operations.every(isOperation)) {
    throw jsonPatchNotApplicable();
  }
  let result: unknown;
  try {
    result = applyPatch(
      cloneJson(target),
      operations,
      true,
      true,
      true,
    ).newDocument;
  } catch {
    throw jsonPatchNotApplicable();
  }
  if (!isJsonObject(result)) {
    throw invalid('', '', '', [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(
          JSON.stringify(result),
        )}: the patched document is not an object`,
        field: 'patch',
      },
    ]);
  }
  return result;
}

/** Applies a patch of a given content type to an object. */
export function applyPatchOfType(
  contentType: string,
  target: JsonObject,
  patch: JsonValue,
): JsonObject {
  let result: JsonValue;
  switch (contentType) {
    case 'application/merge-patch+json':
      result = mergePatch(target, patch);
      break;
    case 'application/strategic-merge-patch+json':
      result = strategicMergePatch(target, patch);
      break;
    case 'application/json-patch+json':
      return jsonPatch(target, patch);
    default:
      throw unsupportedMediaType(contentType);
  }
  if (!isJsonObject(result)) {
    throw badRequest('the patch did not produce an object');
  }
  return result;
}
