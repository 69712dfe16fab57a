import { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { Authorizer } from './auth';
import { CallRecorder } from './calls';
import { FaultInjector, FaultSpec } from './faults';
import {
  JsonObject,
  JsonValue,
  cloneJson,
  isJsonObject,
  metadataOf,
  objectField,
} from './json';
import {
  DeletePreconditions,
  ListPaging,
  ObjectQuery,
  ObjectStore,
  WatchEvent,
} from './ObjectStore';
import { applyPatchOfType } from './patch';
import { ResourceRegistry, ResourceType, apiVersionOf } from './resources';
import { ResourceRoute, Route, VersionInfo, resolveRoute } from './route';
import {
  labelSelectorToString,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';
import {
  StatusCause,
  StatusError,
  badRequest,
  deleted,
  internalError,
  invalid,
  methodNotAllowed,
} from './status';

const APPLY_PATCH = 'application/apply-patch+yaml';

/** Everything the request handler works with. */
export interface ApiServerContext {
  registry: ResourceRegistry;
  store: ObjectStore;
  authorizer: Authorizer;
  faults: FaultInjector;
  calls: CallRecorder;
  version: VersionInfo;
  /** `host:port` reported in `/api`. */
  serverAddress: () => string;
}

/** A parsed request to a resource URL. */
interface ResourceRequest {
  route: ResourceRoute;
  query: URLSearchParams;
  req: IncomingMessage;
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * Cuts the request's connection. Over HTTP/2 (the compatibility API's
 * request has the stream), its session: the socket itself may not be touched
 * there.
 */
function resetConnection(req: IncomingMessage): void {
  const { stream } = req as { stream?: { session?: { destroy(): void } } };
  if (stream?.session) {
    stream.session.destroy();
  } else {
    req.socket.destroy();
  }
}

function sendJson(
  res: ServerResponse,
  code: number,
  body: JsonValue | object,
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string): JsonValue {
  try {
    const value: unknown =
      contentType === APPLY_PATCH ? parseYaml(text) : JSON.parse(text);
    return JSON.parse(JSON.stringify(value ?? null));
  } catch (error) {
    throw badRequest(
      `the request body could not be decoded: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

function objectBody(value: JsonValue): JsonObject {
  if (!isJsonObject(value)) {
    throw badRequest('the request body must be a JSON object');
  }
  return value;
}

/**
 * The parts of a DELETE's `DeleteOptions` body the emulator honours: the
 * preconditions and `dryRun: ["All"]` (clients send either in the body).
 */
function deleteOptionsOf(text: string): {
  preconditions?: DeletePreconditions;
  dryRun: boolean;
} {
  if (text.trim() === '') return { dryRun: false };
  const body = objectBody(parseBody(text, 'application/json'));
  const preconditions = body.preconditions ?? null;
  if (preconditions !== null && !isJsonObject(preconditions)) {
    throw badRequest('preconditions must be an object');
  }
  const read = (field: 'uid' | 'resourceVersion') => {
    const value = preconditions?.[field] ?? null;
    if (value !== null && typeof value !== 'string') {
      throw badRequest(`preconditions.${field} must be a string`);
    }
    return value === null ? {} : { [field]: value };
  };
  const dryRun = body.dryRun ?? null;
  if (
    dryRun !== null &&
    (!Array.isArray(dryRun) || dryRun.some(value => value !== 'All'))
  ) {
    throw badRequest(
      `unsupported dry run value ${JSON.stringify(
        dryRun,
      )}, only "All" is supported`,
    );
  }
  return {
    ...(preconditions
      ? { preconditions: { ...read('uid'), ...read('resourceVersion') } }
      : {}),
    dryRun: Array.isArray(dryRun) && dryRun.length > 0,
  };
}

/**
 * Which revision a list reads, from its `resourceVersion`,
 * `resourceVersionMatch`, `limit` and `continue`, validated as the API server
 * does: an exact match (or, the legacy way, a resourceVersion with a limit)
 * reads that revision; otherwise the answer must not be older than it.
 */
function listRevisionOf(
  query: URLSearchParams,
  limit: number,
): Pick<ListPaging, 'exactRevision' | 'minimumRevision'> {
  const resourceVersion = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const continueToken = query.get('continue') ?? '';
  const causes: StatusCause[] = [];
  const forbid = (message: string) =>
    causes.push({
      reason: 'FieldValueForbidden',
      message: `Forbidden: ${message}`,
      field: 'resourceVersionMatch',
    });
  if (match) {
    if (!resourceVersion) {
      forbid(
        'resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    }
    if (continueToken) {
      forbid('resourceVersionMatch is forbidden when continue is provided');
    }
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(
          match,
        )}: supported values: "Exact", "NotOlderThan", ""`,
        field: 'resourceVersionMatch',
      });
    }
    if (match === 'Exact' && resourceVersion === '0') {
      forbid(
        'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      );
    }
  }
  if (causes.length > 0) {
    throw invalid('ListOptions', 'meta.k8s.io', '', causes);
  }
  if (continueToken) {
    if (resourceVersion !== '' && resourceVersion !== '0') {
      throw badRequest(
        'specifying resource version is not allowed when using continue',
      );
    }
    return {};
  }
  if (resourceVersion === '' || resourceVersion === '0') {
    return {};
  }
  if (!/^\d+$/.test(resourceVersion)) {
    throw badRequest(
      `invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(
        resourceVersion,
      )}: strconv.ParseUint: parsing ${JSON.stringify(
        resourceVersion,
      )}: invalid syntax`,
    );
  }
  const revision = Number(resourceVersion);
  return match === 'Exact' || (match === '' && limit > 0)
    ? { exactRevision: revision }
    : { minimumRevision: revision };
}

/** Handles the HTTP requests of one emulator: faults, auth, discovery, resources and watches. */
export class ApiServer {
  private readonly openWatches = new Set<() => void>();

  constructor(private readonly context: ApiServerContext) {}

  /** Ends every open watch stream (clients see the server close them). */
  closeWatches(): void {
    for (const close of [...this.openWatches]) close();
  }

  /** The node `http` request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((error: unknown) => {
      const status =
        error instanceof StatusError ? error : internalError(String(error));
      if (res.headersSent) {
        res.end();
      } else {
        sendJson(res, status.code, status.status);
      }
    });
  };

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const query = url.searchParams;
    const watch = query.get('watch') === 'true' || query.get('watch') === '1';
    const route = this.resolve(method, url.pathname, watch);
    this.record(method, url, route instanceof StatusError ? undefined : route);
    const fault = this.context.faults.take(
      method,
      url.pathname,
      !(route instanceof StatusError) &&
        route.type === 'resource' &&
        route.verb === 'watch',
    );
    if (fault && (await this.injectFault(fault, req, res))) {
      return;
    }
    if (
      !(route instanceof StatusError) &&
      route.type === 'document' &&
      route.public
    ) {
      sendJson(res, 200, route.body);
      return;
    }
    const identity = this.context.authorizer.authenticate(
      req.headers.authorization,
    );
    if (route instanceof StatusError) {
      throw route;
    }
    if (route.type === 'document') {
      sendJson(res, 200, route.body);
      return;
    }
    this.context.authorizer.authorize(identity, {
      verb: route.verb,
      resource: route.resource.plural,
      subresource: route.subresource,
      group: route.resource.group,
      namespace: route.namespace,
      name: route.name,
    });
    await this.handleResource({ route, query, req }, res);
  }

  /** Resolves the route, or returns the 404/405 Status error to answer after auth and faults. */
  private resolve(
    method: string,
    path: string,
    watch: boolean,
  ): Route | StatusError {
    const { registry, version, serverAddress } = this.context;
    try {
      return resolveRoute(registry, method, path, watch, {
        serverAddress: serverAddress(),
        version,
      });
    } catch (error) {
      if (error instanceof StatusError) return error;
      throw error;
    }
  }

  private record(method: string, url: URL, route: Route | undefined): void {
    const resourceRoute = route?.type === 'resource' ? route : undefined;
    this.context.calls.record({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      verb: resourceRoute?.verb ?? method.toLowerCase(),
      ...(resourceRoute
        ? {
            resource: resourceRoute.resource.plural,
            group: resourceRoute.resource.group,
            version: resourceRoute.resource.version,
            ...(resourceRoute.subresource
              ? { subresource: resourceRoute.subresource }
              : {}),
            ...(resourceRoute.namespace !== undefined
              ? { namespace: resourceRoute.namespace }
              : {}),
            ...(resourceRoute.name !== undefined
              ? { name: resourceRoute.name }
              : {}),
          }
        : {}),
    });
  }

  /** Applies a fault; returns true when the request has been answered (or dropped). */
  private async injectFault(
    fault: FaultSpec,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> {
    if (fault.latencyMs) {
      await sleep(fault.latencyMs);
    }
    if (fault.reset) {
      resetConnection(req);
      return true;
    }
    if (fault.stallWatch) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      this.keepOpen(res, () => undefined);
      return true;
    }
    if (fault.status) {
      const body = fault.statusBody ?? {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `injected fault (${fault.status})`,
        reason: fault.status >= 500 ? 'InternalError' : 'BadRequest',
        code: fault.status,
      };
      sendJson(res, fault.status, body);
      return true;
    }
    return false;
  }

  /** Registers an open streaming response so `closeWatches()` and client disconnects end it. */
  private keepOpen(
    res: ServerResponse,
    cancel: () => void,
    timeoutSeconds?: number,
  ): void {
    let timer: NodeJS.Timeout | undefined;
    const close = () => {
      if (timer) clearTimeout(timer);
      cancel();
      this.openWatches.delete(close);
      res.end();
    };
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      timer = setTimeout(close, timeoutSeconds * 1000);
    }
    this.openWatches.add(close);
    res.on('close', close);
  }

  private objectQuery(
    route: ResourceRoute,
    query: URLSearchParams,
  ): ObjectQuery {
    const labelSelector = query.get('labelSelector');
    const fieldSelector = query.get('fieldSelector');
    return {
      namespace: route.namespace,
      ...(labelSelector
        ? { labelSelector: parseLabelSelector(labelSelector) }
        : {}),
      ...(fieldSelector
        ? { fieldSelector: parseFieldSelector(fieldSelector) }
        : {}),
    };
  }

  private async handleResource(
    request: ResourceRequest,
    res: ServerResponse,
  ): Promise<void> {
    const { route, query, req } = request;
    const { store } = this.context;
    const { resource, namespace, name = '', subresource } = route;
    const dryRunParam = query.get('dryRun');
    if (dryRunParam !== null && dryRunParam !== 'All') {
      throw badRequest(
        `unsupported dry run value "${dryRunParam}", only "All" is supported`,
      );
    }
    const dryRun = dryRunParam === 'All';
    const fieldManager =
      query.get('fieldManager') ??
      (req.headers['user-agent'] ?? 'unknown').split('/')[0];
    const write = { dryRun, fieldManager };
    if (subresource && !['get', 'update', 'patch'].includes(route.verb)) {
      throw methodNotAllowed(req.method ?? '');
    }
    switch (route.verb) {
      case 'get': {
        const obj = store.get(resource, namespace, name);
        sendJson(
          res,
          200,
          subresource === 'scale' ? scaleOf(resource, obj) : obj,
        );
        return;
      }
      case 'list': {
        const limitParam = Number(query.get('limit') ?? 0);
        const limit = Number.isInteger(limitParam) ? limitParam : 0;
        const result = store.list(resource, this.objectQuery(route, query), {
          limit,
          continueToken: query.get('continue') ?? undefined,
          ...listRevisionOf(query, limit),
        });
        sendJson(res, 200, {
          kind: `${resource.kind}List`,
          apiVersion: apiVersionOf(resource),
          metadata: {
            resourceVersion: result.resourceVersion,
            ...(result.continueToken ? { continue: result.continueToken } : {}),
            ...(result.remainingItemCount !== undefined
              ? { remainingItemCount: result.remainingItemCount }
              : {}),
          },
          items: result.items,
        });
        return;
      }
      case 'watch':
        this.watch(request, res);
        return;
      case 'create': {
        const body = objectBody(
          parseBody(await readBody(req), 'application/json'),
        );
        sendJson(res, 201, store.create(resource, namespace, body, write));
        return;
      }
      case 'update': {
        const body = objectBody(
          parseBody(await readBody(req), 'application/json'),
        );
        if (subresource === 'scale') {
          sendJson(res, 200, this.writeScale(route, body, write));
        } else {
          const status =
            subresource === 'status' ? { subresource: 'status' as const } : {};
          sendJson(
            res,
            200,
            store.update(resource, namespace, name, body, {
              ...write,
              ...status,
            }),
          );
        }
        return;
      }
      case 'patch':
        sendJson(res, 200, await this.patch(request, write));
        return;
      case 'delete': {
        const options = deleteOptionsOf(await readBody(req));
        const { object, pending } = store.delete(resource, namespace, name, {
          ...write,
          dryRun: write.dryRun || options.dryRun,
          preconditions: options.preconditions,
        });
        const uid = String(metadataOf(object).uid ?? '');
        sendJson(
          res,
          200,
          pending
            ? object
            : deleted(
                { resource: resource.plural, group: resource.group, name },
                uid,
              ),
        );
        return;
      }
      default: {
        const items = store
          .list(resource, this.objectQuery(route, query))
          .items.map(item => {
            const itemName = String(metadataOf(item).name);
            const itemNamespace = objectField(item, 'metadata')?.namespace;
            return store.delete(
              resource,
              typeof itemNamespace === 'string' ? itemNamespace : undefined,
              itemName,
              write,
            ).object;
          });
        sendJson(res, 200, {
          kind: `${resource.kind}List`,
          apiVersion: apiVersionOf(resource),
          metadata: { resourceVersion: store.resourceVersion },
          items,
        });
      }
    }
  }

  private async patch(
    request: ResourceRequest,
    write: { dryRun: boolean; fieldManager: string },
  ): Promise<JsonObject> {
    const { route, query, req } = request;
    const { store } = this.context;
    const { resource, namespace, name = '', subresource } = route;
    const contentType = (req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const body = parseBody(await readBody(req), contentType);
    if (contentType === APPLY_PATCH) {
      const manager = query.get('fieldManager');
      if (!manager) {
        throw invalid('PatchOptions', 'meta.k8s.io', '', [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: is required for apply patch',
            field: 'fieldManager',
          },
        ]);
      }
      if (subresource) {
        throw methodNotAllowed('apply to a subresource');
      }
      const force = query.get('force') === 'true';
      return store.apply(resource, namespace, name, objectBody(body), {
        dryRun: write.dryRun,
        fieldManager: manager,
        force,
      });
    }
    const current = store.get(resource, namespace, name);
    if (subresource === 'scale') {
      return this.writeScale(
        route,
        applyPatchOfType(contentType, scaleOf(resource, current), body),
        write,
      );
    }
    const patched = applyPatchOfType(contentType, current, body);
    const status =
      subresource === 'status' ? { subresource: 'status' as const } : {};
    return store.update(resource, namespace, name, patched, {
      ...write,
      ...status,
    });
  }

  private writeScale(
    route: ResourceRoute,
    scale: JsonObject,
    write: { dryRun: boolean; fieldManager: string },
  ): JsonObject {
    const { store } = this.context;
    const { resource, namespace, name = '' } = route;
    const replicas = objectField(scale, 'spec')?.replicas;
    if (
      typeof replicas !== 'number' ||
      !Number.isInteger(replicas) ||
      replicas < 0
    ) {
      throw invalid('Scale', 'autoscaling', name, [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(
            replicas ?? null,
          )}: must be greater than or equal to 0`,
          field: 'spec.replicas',
        },
      ]);
    }
    const current = store.get(resource, namespace, name);
    const requestedVersion = objectField(scale, 'metadata')?.resourceVersion;
    const next = cloneJson(current);
    next.spec = { ...(objectField(current, 'spec') ?? {}), replicas };
    if (typeof requestedVersion === 'string' && requestedVersion !== '') {
      metadataOf(next).resourceVersion = requestedVersion;
    }
    return scaleOf(
      resource,
      store.update(resource, namespace, name, next, write),
    );
  }

  private watch(request: ResourceRequest, res: ServerResponse): void {
    const { route, query } = request;
    const { store } = this.context;
    const objectQuery = this.objectQuery(route, query);
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const send = (event: WatchEvent) => res.write(`${JSON.stringify(event)}\n`);
    try {
      const cancel = store.watch(
        route.resource,
        objectQuery,
        query.get('resourceVersion') ?? undefined,
        send,
      );
      this.keepOpen(res, cancel, timeout);
    } catch (error) {
      if (!(error instanceof StatusError)) throw error;
      send({ type: 'ERROR', object: error.status });
      res.end();
      return;
    }
    if (query.get('allowWatchBookmarks') === 'true') {
      send({
        type: 'BOOKMARK',
        object: {
          kind: route.resource.kind,
          apiVersion: apiVersionOf(route.resource),
          metadata: { resourceVersion: store.resourceVersion },
        },
      });
    }
  }
}

/** The autoscaling/v1 Scale view of an object with a scale subresource. */
function scaleOf(resource: ResourceType, obj: JsonObject): JsonObject {
  const metadata = metadataOf(obj);
  const spec = objectField(obj, 'spec');
  const status = objectField(obj, 'status');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: metadata.name ?? '',
      ...(resource.namespaced ? { namespace: metadata.namespace ?? '' } : {}),
      uid: metadata.uid ?? '',
      resourceVersion: metadata.resourceVersion ?? '',
      creationTimestamp: metadata.creationTimestamp ?? null,
    },
    spec: { replicas: typeof spec?.replicas === 'number' ? spec.replicas : 1 },
    status: {
      replicas: typeof status?.replicas === 'number' ? status.replicas : 0,
      selector: labelSelectorToString(objectField(spec, 'selector')),
    },
  };
}
