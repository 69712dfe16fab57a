import * as kubernetesClient from '@kubernetes/client-node';
import { JsonObject, JsonValue } from '@backstage/types';

/**
 * `@kubernetes/client-node` serializes built-in kinds through its generated
 * models, which name some fields differently in TypeScript than in JSON
 * (`_from` for NetworkPolicy's `from`, `_default` for LimitRange's
 * `default`, `$ref`…): a plain JSON object handed to `KubernetesObjectApi`
 * loses those fields, and objects it returns carry the TypeScript names.
 * These converters walk the generated models' attribute maps to translate
 * between the two shapes; kinds the client has no model for (Istio,
 * prometheus-operator) pass through unchanged.
 */

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
}

interface GeneratedModel {
  getAttributeTypeMap(): AttributeType[];
}

const models: Record<string, unknown> = kubernetesClient;

function attributesOf(type: string): AttributeType[] | undefined {
  const model = models[type];
  if (typeof model !== 'function' || !('getAttributeTypeMap' in model)) {
    return undefined;
  }
  return (model as unknown as GeneratedModel).getAttributeTypeMap();
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

function convert(
  value: JsonValue,
  type: string,
  direction: 'toModel' | 'toJson',
): JsonValue {
  const array = ARRAY.exec(type);
  if (array) {
    return Array.isArray(value)
      ? value.map(item => convert(item, array[1], direction))
      : value;
  }
  const map = MAP.exec(type);
  if (map) {
    return isObject(value)
      ? Object.fromEntries(
          Object.entries(value).flatMap(([key, item]) =>
            item === undefined ? [] : [[key, convert(item, map[1], direction)]],
          ),
        )
      : value;
  }
  const attributes = attributesOf(type);
  if (!attributes || !isObject(value)) return value;
  const result: JsonObject = {};
  const known = new Set<string>();
  for (const attribute of attributes) {
    const from = direction === 'toModel' ? attribute.baseName : attribute.name;
    const to = direction === 'toModel' ? attribute.name : attribute.baseName;
    known.add(from);
    const item = value[from];
    if (item !== undefined)
      result[to] = convert(item, attribute.type, direction);
  }
  // Fields the model does not know stay as they are (the server judges them).
  for (const [key, item] of Object.entries(value)) {
    if (!known.has(key) && result[key] === undefined) result[key] = item;
  }
  return result;
}

/** The client's model type of a kind, as `KubernetesObjectApi` picks it. */
function modelTypeOf(object: JsonObject): string | undefined {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return undefined;
  }
  const version = apiVersion.split('/').pop() ?? apiVersion;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

/** A plain Kubernetes JSON object in the shape the client serializes from. */
export function toClientModel(object: JsonObject): JsonObject {
  const type = modelTypeOf(object);
  if (!type) return object;
  const converted = convert(object, type, 'toModel');
  return isObject(converted) ? converted : object;
}

/** An object returned by the client back in its Kubernetes JSON shape. */
export function fromClientModel(object: JsonObject): JsonObject {
  const type = modelTypeOf(object);
  if (!type) return object;
  const converted = convert(object, type, 'toJson');
  return isObject(converted) ? converted : object;
}
