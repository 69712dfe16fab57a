import { JsonObject } from './json';

/**
 * A cause inside a Status' details, as the API server reports it.
 *
 * @public
 */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/**
 * The Kubernetes `meta/v1` Status object, the body of every error answer.
 *
 * @public
 */
export interface KubernetesStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: JsonObject;
  status: 'Success' | 'Failure';
  message: string;
  reason?: string;
  code: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
}

/** An error carrying the Status the emulator answers with. */
export class StatusError extends Error {
  /** The Status body sent to the client. */
  readonly status: KubernetesStatus;

  constructor(status: KubernetesStatus) {
    super(status.message);
    this.name = 'StatusError';
    this.status = status;
  }

  /** The HTTP status code of the answer. */
  get code(): number {
    return this.status.code;
  }
}

/** Identifies the object an error is about. */
export interface StatusTarget {
  /** Resource plural, e.g. `deployments`. */
  resource: string;
  /** API group, `''` for core. */
  group: string;
  /** Object name, when there is one. */
  name?: string;
}

function failure(
  code: number,
  reason: string,
  message: string,
  details?: KubernetesStatus['details'],
  metadata: JsonObject = {},
): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata,
    status: 'Failure',
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  });
}

/** `deployments.apps` or `pods`: how the API server names a resource in messages. */
function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** The details naming an object; like the API server, an empty (core) group, name or kind is left out. */
function detailsOf(target: StatusTarget): KubernetesStatus['details'] {
  return {
    ...(target.name ? { name: target.name } : {}),
    ...(target.group ? { group: target.group } : {}),
    ...(target.resource ? { kind: target.resource } : {}),
  };
}

/** 404 NotFound for an object. */
export function notFound(target: StatusTarget): StatusError {
  const what = qualifiedResource(target.resource, target.group);
  return failure(
    404,
    'NotFound',
    `${what} "${target.name ?? ''}" not found`,
    detailsOf(target),
  );
}

/** 404 NotFound for a URL that serves nothing. */
export function pathNotFound(path: string): StatusError {
  return failure(
    404,
    'NotFound',
    `the server could not find the requested resource (${path})`,
    {},
  );
}

/** 409 AlreadyExists. */
export function alreadyExists(target: StatusTarget): StatusError {
  const what = qualifiedResource(target.resource, target.group);
  return failure(
    409,
    'AlreadyExists',
    `${what} "${target.name ?? ''}" already exists`,
    detailsOf(target),
  );
}

/** 409 Conflict, e.g. a stale resourceVersion or a server-side apply conflict. */
export function conflict(
  target: StatusTarget,
  detail: string,
  causes?: StatusCause[],
): StatusError {
  const what = qualifiedResource(target.resource, target.group);
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${what} "${
      target.name ?? ''
    }": ${detail}`,
    { ...detailsOf(target), ...(causes ? { causes } : {}) },
  );
}

/** 409 Conflict of a server-side apply, with the message the API server uses. */
export function applyConflict(
  target: StatusTarget,
  causes: StatusCause[],
): StatusError {
  const count =
    causes.length === 1 ? '1 conflict' : `${causes.length} conflicts`;
  const list = causes.map(c => `${c.message}: ${c.field}`).join('\n');
  return failure(409, 'Conflict', `Apply failed with ${count}: ${list}`, {
    ...detailsOf(target),
    causes,
  });
}

/** 422 Invalid. `kind` is the object's kind, `causes` name the offending fields. */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: StatusCause[],
): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const parts = causes.map(c =>
    c.field ? `${c.field}: ${c.message}` : c.message,
  );
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return failure(
    422,
    'Invalid',
    `${qualifiedKind} "${name}" is invalid: ${joined}`,
    { ...detailsOf({ resource: kind, group, name }), causes },
  );
}

/** 400 BadRequest. */
export function badRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

/** 401 Unauthorized. */
export function unauthorized(): StatusError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

/** What an authorization check was about, for a 403 message. */
export interface ForbiddenRequest {
  user: string;
  verb: string;
  resource: string;
  subresource?: string;
  group: string;
  namespace?: string;
  name?: string;
}

/** 403 Forbidden with the API server's message format. */
export function forbidden(request: ForbiddenRequest): StatusError {
  const what = qualifiedResource(request.resource, request.group);
  const subject = request.name ? `${what} "${request.name}"` : what;
  const resource = request.subresource
    ? `${request.resource}/${request.subresource}`
    : request.resource;
  const scope = request.namespace
    ? `in the namespace "${request.namespace}"`
    : 'at the cluster scope';
  return failure(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${request.user}" cannot ${request.verb} resource "${resource}" in API group "${request.group}" ${scope}`,
    detailsOf({
      resource: request.resource,
      group: request.group,
      name: request.name,
    }),
  );
}

/**
 * 403 Forbidden of the NamespaceLifecycle admission: nothing new may be
 * created in a namespace that is being deleted.
 */
export function namespaceTerminating(
  target: StatusTarget,
  namespace: string,
): StatusError {
  const what = qualifiedResource(target.resource, target.group);
  return failure(
    403,
    'Forbidden',
    `${what} "${
      target.name ?? ''
    }" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
    {
      ...detailsOf(target),
      causes: [
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${namespace} is being terminated`,
          field: 'metadata.namespace',
        },
      ],
    },
  );
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(method: string): StatusError {
  return failure(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
    {},
  );
}

/** 410 Expired, for a watch or an exact list older than the retained history. */
export function expired(message: string): StatusError {
  return failure(410, 'Expired', message);
}

/**
 * 410 Expired for a continue token whose snapshot is compacted. Like the API
 * server, the Status carries a token that continues at the latest state.
 */
export function continueExpired(latestContinue: string): StatusError {
  return failure(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    undefined,
    { continue: latestContinue },
  );
}

/**
 * 504 Timeout for a read at a resourceVersion the server has not reached
 * (the API server answers it after waiting 3 s for its watch cache).
 */
export function tooLargeResourceVersion(
  requested: number,
  current: number,
): StatusError {
  return failure(
    504,
    'Timeout',
    `Timeout: Too large resource version: ${requested}, current: ${current}`,
    {
      causes: [
        {
          reason: 'ResourceVersionTooLarge',
          message: 'Too large resource version',
        },
      ],
      retryAfterSeconds: 1,
    },
  );
}

/**
 * 422 Invalid for a JSON patch that does not apply (a failed `test`, a missing
 * path, an unknown op). The API server keeps the reason to itself: its Status
 * has this generic message and empty details.
 */
export function jsonPatchNotApplicable(): StatusError {
  return failure(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    {},
  );
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaType(contentType: string): StatusError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`,
  );
}

/** 500 InternalError. */
export function internalError(message: string): StatusError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

/** The Status the API server answers a successful delete of an object with. */
export function deleted(target: StatusTarget, uid: string): KubernetesStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    message: '',
    code: 200,
    details: { ...detailsOf(target), uid },
  };
}
