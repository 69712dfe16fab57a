import { AttachedPolicy, attachIstioObjects } from '../mesh/attachIstioObjects';
import { RouteDestination } from '../mesh/istioTypes';
import { MeshServiceRef, qualifyHost, serviceFqdn } from '../mesh/serviceHosts';
import { matchesLabelSelector } from '../query/matchesLabelSelector';
import {
  KubernetesServiceLike,
  MeshConfigSnapshot,
  ValidatedAuthorizationPolicy,
  ValidatedDestinationRule,
  ValidatedPeerAuthentication,
  ValidatedVirtualService,
  ValidationObjectRef,
  WorkloadLike,
} from './types';

/**
 * One destination of a VirtualService route, where it is written.
 *
 * @internal
 */
export interface LocatedDestination {
  /** Path of the destination's entry, e.g. `spec.http[0].route[1]`. */
  path: string;
  /** Path of the route list it belongs to, e.g. `spec.http[0]`. */
  routePath: string;
  entry: RouteDestination;
  index: number;
  /** All destinations of the same route. */
  siblings: RouteDestination[];
  /** The host, fully qualified relative to the VirtualService's namespace. */
  host?: string;
}

/**
 * What the rules read: the snapshot, the objects attached to the service
 * and the lookups they share.
 *
 * @internal
 */
export interface ValidationContext {
  service: MeshServiceRef;
  fqdn: string;
  snapshot: MeshConfigSnapshot;
  rootNamespace: string;
  clusterDomain: string;
  trustDomain: string;
  /** The Kubernetes Service itself, when the snapshot has it. */
  kubernetesService?: KubernetesServiceLike;
  /** The workloads the Service selects. */
  workloads: WorkloadLike[];
  attached: {
    virtualServices: ValidatedVirtualService[];
    destinationRules: ValidatedDestinationRule[];
    peerAuthentications: AttachedPolicy<ValidatedPeerAuthentication>[];
    authorizationPolicies: AttachedPolicy<ValidatedAuthorizationPolicy>[];
  };
  qualify(host: string, namespace: string | undefined): string;
  /** Whether a (qualified) host pattern covers a fully qualified host. */
  covers(pattern: string, host: string): boolean;
  /** Whether a qualified host is a service of this cluster's registry. */
  isClusterLocal(host: string): boolean;
  findService(host: string): KubernetesServiceLike | undefined;
  workloadsOf(service: KubernetesServiceLike): WorkloadLike[];
  matchesServiceEntry(host: string): boolean;
  destinationsOf(vs: ValidatedVirtualService): LocatedDestination[];
  ref(
    kind: string,
    object: { metadata?: { name?: string; namespace?: string } },
  ): ValidationObjectRef;
}

const ROUTE_KINDS = ['http', 'tcp', 'tls'] as const;

/**
 * Builds the shared lookups once per validation.
 *
 * @internal
 */
export function createValidationContext(options: {
  service: MeshServiceRef;
  snapshot: MeshConfigSnapshot;
  rootNamespace: string;
  clusterDomain: string;
  trustDomain: string;
}): ValidationContext {
  const { service, snapshot, clusterDomain } = options;
  const fqdn = serviceFqdn(service, clusterDomain);
  const qualify = (host: string, namespace: string | undefined) =>
    qualifyHost(host, namespace ?? service.namespace, clusterDomain);
  const covers = (pattern: string, host: string) =>
    pattern === '*' ||
    pattern === host ||
    (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)));
  const suffix = `.svc.${clusterDomain}`;
  const isClusterLocal = (host: string) =>
    host.endsWith(suffix) && !host.includes('*');
  const findService = (host: string) => {
    if (!isClusterLocal(host)) return undefined;
    const [name, namespace] = host.slice(0, -suffix.length).split('.');
    return snapshot.services.find(
      s => s.metadata?.name === name && s.metadata?.namespace === namespace,
    );
  };
  const workloadsOf = (svc: KubernetesServiceLike) =>
    snapshot.workloads.filter(
      w =>
        w.metadata?.namespace === svc.metadata?.namespace &&
        matchesLabelSelector(
          { matchLabels: svc.spec?.selector ?? {} },
          w.spec?.template?.metadata?.labels,
        ),
    );
  const kubernetesService = findService(fqdn);
  const workloads = kubernetesService ? workloadsOf(kubernetesService) : [];
  const podLabels = workloads.map(
    w => w.spec?.template?.metadata?.labels ?? {},
  );
  const common = {
    service,
    podLabels,
    rootNamespace: options.rootNamespace,
    clusterDomain,
  };
  const routing = attachIstioObjects({
    ...common,
    virtualServices: snapshot.virtualServices,
    destinationRules: snapshot.destinationRules,
    peerAuthentications: snapshot.peerAuthentications,
    authorizationPolicies: [],
  });
  const authorization = attachIstioObjects({
    ...common,
    virtualServices: [],
    destinationRules: [],
    peerAuthentications: [],
    authorizationPolicies: snapshot.authorizationPolicies,
  });
  const attached = {
    virtualServices: routing.virtualServices,
    destinationRules: routing.destinationRules,
    peerAuthentications: routing.peerAuthentications,
    authorizationPolicies: authorization.authorizationPolicies,
  };

  return {
    ...options,
    fqdn,
    kubernetesService,
    workloads,
    attached,
    qualify,
    covers,
    isClusterLocal,
    findService,
    workloadsOf,
    matchesServiceEntry: host =>
      snapshot.serviceEntries.some(se =>
        (se.spec?.hosts ?? []).some(h =>
          covers(qualify(h, se.metadata?.namespace), host),
        ),
      ),
    destinationsOf: vs =>
      ROUTE_KINDS.flatMap(kind =>
        (vs.spec?.[kind] ?? []).flatMap((route, r) => {
          const siblings = route.route ?? [];
          return siblings.map((entry, index) => ({
            path: `spec.${kind}[${r}].route[${index}]`,
            routePath: `spec.${kind}[${r}]`,
            entry,
            index,
            siblings,
            host:
              entry.destination?.host === undefined
                ? undefined
                : qualify(entry.destination.host, vs.metadata?.namespace),
          }));
        }),
      ),
    ref: (kind, object) => ({
      kind,
      namespace: object.metadata?.namespace ?? service.namespace,
      name: object.metadata?.name ?? '',
    }),
  };
}
