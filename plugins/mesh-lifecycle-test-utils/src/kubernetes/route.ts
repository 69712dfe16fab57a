import { JsonObject } from './json';
import { ResourceRegistry, ResourceType } from './resources';
import { methodNotAllowed, pathNotFound } from './status';

/** A request for one resource (collection, object or subresource). */
export interface ResourceRoute {
  type: 'resource';
  resource: ResourceType;
  /** Kubernetes verb of the request. */
  verb: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** A discovery document or another non-resource URL. */
export interface DocumentRoute {
  type: 'document';
  /** Whether the document is served without authentication. */
  public: boolean;
  body: JsonObject;
}

/** What a request URL addresses. */
export type Route = ResourceRoute | DocumentRoute;

/** Information the emulator reports at `/version`. */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
}

function resourceVerb(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
      if (named) return 'get';
      return watch ? 'watch' : 'list';
    case 'POST':
      if (!named) return 'create';
      break;
    case 'PUT':
      if (named) return 'update';
      break;
    case 'PATCH':
      if (named) return 'patch';
      break;
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      break;
  }
  throw methodNotAllowed(method);
}

/** Resolves a request path to a discovery document or a resource route; throws 404/405 Status errors. */
export function resolveRoute(
  registry: ResourceRegistry,
  method: string,
  path: string,
  watch: boolean,
  context: { serverAddress: string; version: VersionInfo },
): Route {
  const segments = path
    .split('/')
    .filter(s => s !== '')
    .map(decodeURIComponent);
  const document = (body: JsonObject | undefined, isPublic = false): Route => {
    if (!body) throw pathNotFound(path);
    if (method !== 'GET') throw methodNotAllowed(method);
    return { type: 'document', public: isPublic, body };
  };
  const [root, ...rest] = segments;
  if (root === 'version' && rest.length === 0) {
    return document({ ...context.version, platform: 'linux/amd64' }, true);
  }
  if (['healthz', 'livez', 'readyz'].includes(root) && rest.length === 0) {
    return document({ status: 'ok' }, true);
  }
  let group: string;
  let version: string | undefined;
  let tail: string[];
  if (root === 'api') {
    if (rest.length === 0)
      return document(registry.coreVersions(context.serverAddress));
    [version, ...tail] = rest;
    group = '';
  } else if (root === 'apis') {
    if (rest.length === 0) return document(registry.groupList());
    if (rest.length === 1) return document(registry.group(rest[0]));
    [group, version, ...tail] = rest;
  } else {
    throw pathNotFound(path);
  }
  if (!registry.servesVersion(group, version)) {
    throw pathNotFound(path);
  }
  if (tail.length === 0) {
    return document(registry.resourceList(group, version));
  }
  let namespace: string | undefined;
  if (tail[0] === 'namespaces' && tail.length >= 3) {
    const namespaced = registry.byPlural(group, version, tail[2]);
    if (namespaced?.namespaced) {
      namespace = tail[1];
      tail = tail.slice(2);
    }
  }
  const [plural, name, subresource, ...extra] = tail;
  const resource = registry.byPlural(group, version, plural);
  if (
    !resource ||
    extra.length > 0 ||
    (resource.namespaced && namespace === undefined && name !== undefined)
  ) {
    throw pathNotFound(path);
  }
  if (
    subresource !== undefined &&
    !(subresource === 'status' && resource.status) &&
    !(subresource === 'scale' && resource.scale)
  ) {
    throw pathNotFound(path);
  }
  return {
    type: 'resource',
    resource,
    verb: resourceVerb(method, name !== undefined, watch),
    namespace,
    name,
    subresource,
  };
}
