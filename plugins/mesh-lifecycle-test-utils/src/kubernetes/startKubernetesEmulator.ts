import { randomBytes } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import {
  Http2ServerRequest,
  Http2ServerResponse,
  createSecureServer,
} from 'node:http2';
import { createServer as createTlsServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authorizer, TokenIdentity } from './auth';
import { CallRecorder } from './calls';
import { FaultInjector } from './faults';
import { JsonObject, isJsonObject, metadataOf, stringField } from './json';
import { renderKubeconfig } from './kubeconfig';
import { loadKubernetesManifests } from './manifests';
import { ObjectStore } from './ObjectStore';
import {
  CustomResourceDefinition,
  ResourceRegistry,
  ResourceType,
} from './resources';
import { ApiServer } from './server';
import { parseLabelSelector } from './selectors';
import { StatusError, badRequest } from './status';
import { EMULATOR_TLS_CERTIFICATE } from './tlsCertificate';

/**
 * Options of {@link startKubernetesEmulator}.
 *
 * @public
 */
export interface KubernetesEmulatorOptions {
  /** Cluster name, used for the kubeconfig cluster/context. Default `emulated`. */
  name?: string;
  /** Port to listen on (127.0.0.1). Default: a free port. */
  port?: number;
  /**
   * Serve HTTPS with a built-in self-signed certificate instead of plain HTTP.
   * Needed for kubectl, which does not send bearer tokens over plain HTTP.
   */
  tls?: boolean;
  /**
   * With `tls`, also serve HTTP/2 to clients that offer it (ALPN `h2`), as
   * kube-apiserver does: client-go then sends all of a cluster's requests,
   * watches included, as streams of one connection. Default `true`; `false`
   * serves HTTP/1.1 only.
   */
  http2?: boolean;
  /** Bearer tokens and what they may do. Default: one generated admin token. */
  tokens?: Record<string, TokenIdentity>;
  /** Versions of networking.istio.io served, preferred first. Default `['v1', 'v1beta1']`; `['v1beta1']` emulates Istio before 1.22. */
  istioNetworkingVersions?: string[];
  /** Versions of security.istio.io served, preferred first. Default `['v1', 'v1beta1']`; `['v1beta1']` emulates Istio before 1.22. */
  istioSecurityVersions?: string[];
  /** Serve prometheus-operator's monitoring.coreos.com (ServiceMonitor, PrometheusRule). Default `true`; `false` emulates a cluster without its CRDs. */
  prometheusOperator?: boolean;
  /** Custom resources to serve besides the built-in ones. */
  customResources?: CustomResourceDefinition[];
  /** Files or folders of (multi-document) YAML manifests applied at start, in order. */
  manifests?: string | string[];
  /** Objects applied at start, after the manifests. */
  objects?: object[];
  /**
   * Watch events kept per resource type, like kube-apiserver's watch cache
   * (which keeps at least the last 100 events of a resource, and up to 102400
   * to cover the last 75 s). A watch from a resourceVersion older than the
   * oldest kept event, and an exact list of one, get 410 Expired, so clients
   * relist. Default 1000; see also {@link KubernetesEmulator.compactHistory}.
   */
  watchHistorySize?: number;
  /** Kubernetes version reported at `/version`. Default `v1.31.0`. */
  kubernetesVersion?: string;
}

/**
 * A running Kubernetes API emulator.
 *
 * @public
 */
export interface KubernetesEmulator {
  /** Cluster name. */
  readonly name: string;
  /** Base URL of the API server, e.g. `http://127.0.0.1:40123` (`https://` with `tls`). */
  readonly url: string;
  /** The token {@link KubernetesEmulator.kubeconfig} uses by default: the generated admin token, or the first of `tokens`. */
  readonly token: string;
  /** Per-route fault injection. */
  readonly faults: FaultInjector;
  /** Every request received. */
  readonly calls: CallRecorder;
  /**
   * The connections clients made: `opened` since the start (with `tls`, each
   * a TLS handshake), `open` now. What a client's connection budget is
   * checked against.
   */
  readonly connections: { readonly opened: number; readonly open: number };
  /** Kubeconfig YAML pointing at the emulator with the given (default: {@link KubernetesEmulator.token}) token. */
  kubeconfig(options?: { token?: string; namespace?: string }): string;
  /** Writes the kubeconfig to `path` (default: a new temp file) and returns the path. */
  writeKubeconfig(
    path?: string,
    options?: { token?: string; namespace?: string },
  ): Promise<string>;
  /** Creates or replaces an object (status included), validated, emitting watch events. */
  apply(obj: object): JsonObject;
  /** Reads an object, or undefined. */
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): JsonObject | undefined;
  /** Lists objects of a kind, optionally in one namespace and matching a label selector. */
  list(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): JsonObject[];
  /** Deletes an object (finalizers are honoured); returns whether it existed. */
  remove(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): boolean;
  /**
   * Drops every kept event, as a compaction would: watches and exact lists
   * (or list pages) from an older resourceVersion get 410 Expired, without a
   * test writing thousands of objects.
   */
  compactHistory(): void;
  /** Ends every open watch, as an API server restart would. */
  closeWatches(): void;
  /** Stops the server, ending every open watch and connection. */
  stop(): Promise<void>;
}

function toJsonObject(obj: object): JsonObject {
  const value: unknown = JSON.parse(JSON.stringify(obj));
  if (!isJsonObject(value)) {
    throw badRequest('an object is required');
  }
  return value;
}

/**
 * Starts a Kubernetes API emulator on a free loopback port.
 *
 * @public
 */
export async function startKubernetesEmulator(
  options: KubernetesEmulatorOptions = {},
): Promise<KubernetesEmulator> {
  const name = options.name ?? 'emulated';
  const tokens = options.tokens ?? {
    [randomBytes(24).toString('hex')]: { user: 'admin' },
  };
  const token = Object.keys(tokens)[0];
  if (token === undefined) {
    throw new Error('tokens must contain at least one token');
  }
  const registry = new ResourceRegistry(options);
  const store = new ObjectStore(options.watchHistorySize ?? 1000);
  const faults = new FaultInjector();
  const calls = new CallRecorder();
  const gitVersion = options.kubernetesVersion ?? 'v1.31.0';
  const [, major = '1', minor = '31'] = /^v(\d+)\.(\d+)/.exec(gitVersion) ?? [];
  let address = '';
  const api = new ApiServer({
    registry,
    store,
    authorizer: new Authorizer(tokens),
    faults,
    calls,
    version: { major, minor, gitVersion },
    serverAddress: () => address,
  });

  const resourceFor = (apiVersion: string, kind: string): ResourceType => {
    const resource = registry.byKind(apiVersion, kind);
    if (!resource) {
      throw badRequest(`no resource is served for ${apiVersion} ${kind}`);
    }
    return resource;
  };

  const find = (
    resource: ResourceType,
    namespace: string | undefined,
    objectName: string,
  ) => {
    try {
      return store.get(resource, namespace, objectName);
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) return undefined;
      throw error;
    }
  };

  const applyObject = (input: object): JsonObject => {
    const obj = toJsonObject(input);
    const resource = resourceFor(String(obj.apiVersion), String(obj.kind));
    const metadata = metadataOf(obj);
    const namespace = stringField(metadata, 'namespace');
    const objectName = stringField(metadata, 'name');
    // Lenient where a real server is not: fixtures may seed objects before
    // (or without) their Namespace.
    const write = {
      fieldManager: 'emulator',
      writeStatus: true,
      allowMissingNamespace: true,
    };
    if (objectName && find(resource, namespace, objectName)) {
      delete metadata.resourceVersion;
      return store.update(resource, namespace, objectName, obj, write);
    }
    return store.create(resource, namespace, obj, write);
  };

  for (const obj of [
    ...(options.manifests
      ? await loadKubernetesManifests(options.manifests)
      : []),
    ...(options.objects ?? []),
  ]) {
    applyObject(obj);
  }

  const serve = () => {
    if (!options.tls) return createServer(api.listener);
    if (options.http2 === false) {
      return createTlsServer(EMULATOR_TLS_CERTIFICATE, api.listener);
    }
    return createSecureServer(
      { ...EMULATOR_TLS_CERTIFICATE, allowHTTP1: true },
      // HTTP/2's compatibility API: requests and responses with the
      // methods of node:http's that the API server uses.
      api.listener as unknown as (
        req: Http2ServerRequest,
        res: Http2ServerResponse,
      ) => void,
    );
  };
  const server = serve();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const connections = { opened: 0, open: 0 };
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.opened += 1;
    connections.open += 1;
    sockets.add(socket);
    socket.once('close', () => {
      connections.open -= 1;
      sockets.delete(socket);
    });
  });
  const { port } = server.address() as AddressInfo;
  address = `127.0.0.1:${port}`;
  const url = `${options.tls ? 'https' : 'http'}://${address}`;

  const kubeconfig = (
    kubeconfigOptions: { token?: string; namespace?: string } = {},
  ) =>
    renderKubeconfig({
      name,
      server: url,
      token: kubeconfigOptions.token ?? token,
      namespace: kubeconfigOptions.namespace,
    });

  return {
    name,
    url,
    token,
    faults,
    calls,
    get connections() {
      return { ...connections };
    },
    kubeconfig,
    async writeKubeconfig(path, kubeconfigOptions) {
      const target =
        path ??
        join(await mkdtemp(join(tmpdir(), 'kube-emulator-')), 'kubeconfig');
      await writeFile(target, kubeconfig(kubeconfigOptions), { mode: 0o600 });
      return target;
    },
    apply: applyObject,
    get: (apiVersion, kind, namespace, objectName) =>
      find(resourceFor(apiVersion, kind), namespace, objectName),
    list(apiVersion, kind, namespace, labelSelector) {
      return store.list(resourceFor(apiVersion, kind), {
        namespace,
        ...(labelSelector
          ? { labelSelector: parseLabelSelector(labelSelector) }
          : {}),
      }).items;
    },
    remove(apiVersion, kind, namespace, objectName) {
      try {
        store.delete(resourceFor(apiVersion, kind), namespace, objectName);
        return true;
      } catch (error) {
        if (error instanceof StatusError && error.code === 404) return false;
        throw error;
      }
    },
    compactHistory: () => store.compact(),
    closeWatches: () => api.closeWatches(),
    async stop() {
      api.closeWatches();
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
