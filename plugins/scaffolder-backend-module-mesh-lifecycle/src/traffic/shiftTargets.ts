import { ConflictError, InputError } from '@backstage/errors';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  ServiceTarget,
  StepAnalysisResponse,
  StepFigures,
  VERSION_LABELS,
  belongsToService,
  describeDestination,
  hostNamesService,
  qualifyHost,
  workloadVersion,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { kubernetesFailure } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { ShiftTargetsSnapshot, findSubset } from './checkShiftTargets';
import { VirtualServiceObject } from './virtualServiceRoute';

/** The `networking.istio.io` versions a shift reads and writes, newest first. */
const ISTIO_VERSIONS = ['v1', 'v1beta1'];

type ListedObject = { metadata?: { name?: string; labels?: object } };

async function listOrNotServed(
  objects: KubernetesObjectApi,
  apiVersion: string,
  kind: string,
  namespace: string,
): Promise<ListedObject[] | undefined> {
  try {
    const list = await objects.list(apiVersion, kind, namespace);
    return list.items as ListedObject[];
  } catch (error) {
    if (kubernetesFailure(error).code === 404) return undefined;
    throw error;
  }
}

/** No VirtualService of the namespace routes the service. */
export class NoVirtualServiceError extends InputError {}

/**
 * The VirtualService a shift moves and the `networking.istio.io` version
 * the cluster serves: the one named, else the only one of the namespace
 * that carries the service's labels (the catalog's selector or
 * `backstage.io/kubernetes-id`), else the only one whose hosts name the
 * Kubernetes Service of that id. An `InputError` says which to name when
 * there is none or several.
 */
export async function findVirtualService(
  objects: KubernetesObjectApi,
  options: {
    namespace: string;
    name?: string;
    target: ServiceTarget;
  },
): Promise<{ virtualService: VirtualServiceObject; apiVersion: string }> {
  const { namespace, name, target } = options;
  for (const version of ISTIO_VERSIONS) {
    const apiVersion = `networking.istio.io/${version}`;
    const all = await listOrNotServed(
      objects,
      apiVersion,
      'VirtualService',
      namespace,
    );
    if (!all) continue;
    const vs = all as unknown as VirtualServiceObject[];
    let found: VirtualServiceObject[];
    if (name !== undefined) {
      found = vs.filter(v => v.metadata.name === name);
      if (found.length === 0) {
        throw new InputError(
          `Input virtualService: no VirtualService ${namespace}/${name}; the namespace has ${
            vs.map(v => v.metadata.name).join(', ') || 'none'
          }`,
        );
      }
    } else {
      const labelled = vs.filter(v =>
        belongsToService(target, {
          metadata: {
            labels: (v.metadata.labels ?? {}) as Record<string, string>,
          },
        }),
      );
      found = labelled.length
        ? labelled
        : vs.filter(v => {
            const hosts = v.spec.hosts;
            return (
              target.kubernetesId !== undefined &&
              Array.isArray(hosts) &&
              hosts.some(
                h =>
                  typeof h === 'string' &&
                  hostNamesService(h, namespace, {
                    name: target.kubernetesId!,
                    namespace,
                  }),
              )
            );
          });
      if (found.length === 0) {
        throw new NoVirtualServiceError(
          `No VirtualService of ${namespace} routes the service: give virtualService (the namespace has ${
            vs.map(v => v.metadata.name).join(', ') || 'none'
          })`,
        );
      }
      if (found.length > 1) {
        throw new InputError(
          `Several VirtualServices of ${namespace} route the service (${found
            .map(v => v.metadata.name)
            .join(', ')}): give virtualService`,
        );
      }
    }
    return { virtualService: found[0], apiVersion };
  }
  throw new ConflictError(
    `The cluster serves no networking.istio.io VirtualService (${ISTIO_VERSIONS.join(
      ', ',
    )}): is Istio installed?`,
  );
}

/** The Services, DestinationRules and Pods of the namespaces the hosts live in. */
export async function readShiftSnapshot(
  objects: KubernetesObjectApi,
  options: { namespace: string; apiVersion: string; hosts: string[] },
): Promise<ShiftTargetsSnapshot> {
  const namespaces = new Set([options.namespace]);
  for (const host of options.hosts) {
    const parts = qualifyHost(host, options.namespace).split('.');
    if (parts.length >= 3 && parts[2] === 'svc') namespaces.add(parts[1]);
  }
  const snapshot: ShiftTargetsSnapshot = {
    namespace: options.namespace,
    services: [],
    destinationRules: [],
    pods: [],
  };
  for (const ns of namespaces) {
    const [services, rules, pods] = await Promise.all([
      objects.list('v1', 'Service', ns),
      objects.list(options.apiVersion, 'DestinationRule', ns),
      objects.list('v1', 'Pod', ns),
    ]);
    // Listed objects carry their namespace: the checks read it from them.
    snapshot.services.push(
      ...(services.items as unknown as ShiftTargetsSnapshot['services']),
    );
    snapshot.destinationRules.push(
      ...(rules.items as unknown as ShiftTargetsSnapshot['destinationRules']),
    );
    snapshot.pods.push(
      ...(pods.items as unknown as ShiftTargetsSnapshot['pods']),
    );
  }
  return snapshot;
}

/** What the backend's analysis is asked for a destination. */
export interface AnalysisQuery {
  service: string;
  namespace: string;
  /** The pods' `version`; the whole service when the destination has no subset. */
  version?: string;
}

/**
 * Which service and version Istio's metrics name a destination by: the
 * Kubernetes Service of its host, and the version label of the pods its
 * subset selects (from the DestinationRule). An `InputError` when the host
 * is no Service of the cluster or the subset selects pods by no version
 * label (their traffic could not be told apart from the others').
 */
export function analysisQuery(
  destination: { host: string; subset?: string },
  snapshot: ShiftTargetsSnapshot,
): AnalysisQuery {
  const fqdn = qualifyHost(destination.host, snapshot.namespace);
  const [service, namespace, svc] = fqdn.split('.');
  if (svc !== 'svc' || !service || !namespace) {
    throw new InputError(
      `${describeDestination(
        destination,
      )} is not a Kubernetes Service of the cluster: its traffic cannot be analysed`,
    );
  }
  if (destination.subset === undefined) return { service, namespace };
  const labels = findSubset(snapshot, fqdn, destination.subset)?.labels;
  const version = workloadVersion(labels);
  if (version === undefined) {
    throw new InputError(
      `${describeDestination(
        destination,
      )}: its DestinationRule subset selects pods by ${
        Object.keys(labels ?? {}).join(', ') || 'no label'
      }, none of ${VERSION_LABELS.join(
        ', ',
      )}: Istio's metrics could not tell its traffic from the others'`,
    );
  }
  return { service, namespace, version };
}

const UNMEASURED: StepFigures = {
  requests: null,
  ratio5xx: null,
  p95LatencyMs: null,
};

/**
 * One set of figures from the answers of every Prometheus that watches the
 * cluster (replicas of one another, or shards): the fewest requests, the
 * highest 5xx ratio and the highest p95, so the judgement errs on the safe
 * side. Nothing is measured when no
 * Prometheus watches the cluster or one of them did not answer: a step is
 * never judged on part of its traffic. `unmeasured` says why.
 */
export function combineAnalysis(answer: StepAnalysisResponse): {
  figures: StepFigures;
  unmeasured?: string;
} {
  if (answer.sources.length === 0) {
    return {
      figures: UNMEASURED,
      unmeasured: `no Prometheus is configured for cluster ${answer.cluster}`,
    };
  }
  const failed = answer.sources.flatMap(s =>
    s.status === 'error' ? [`${s.source}: ${s.error.message}`] : [],
  );
  if (failed.length) {
    return {
      figures: UNMEASURED,
      unmeasured: `Prometheus did not answer (${failed.join('; ')})`,
    };
  }
  const ok = answer.sources.flatMap(s => (s.status === 'ok' ? [s] : []));
  const all = <K extends keyof StepFigures>(k: K) =>
    ok.every(s => s[k] !== null) ? ok.map(s => s[k] as number) : null;
  const requests = all('requests');
  const ratios = all('ratio5xx');
  const p95s = all('p95LatencyMs');
  return {
    figures: {
      requests: requests ? Math.min(...requests) : null,
      ratio5xx: ratios ? Math.max(...ratios) : null,
      p95LatencyMs: p95s ? Math.max(...p95s) : null,
    },
  };
}
