import { attachIstioObjects } from '../mesh/attachIstioObjects';
import { RouteDestination } from '../mesh/istioTypes';
import {
  MeshServiceRef,
  hostNamesService,
  qualifyHost,
  serviceFqdn,
} from '../mesh/serviceHosts';
import { isExportedTo, serviceExportTo } from './exportTo';
import { gatewayReferences } from './gatewayRefs';
import {
  GatewayLike,
  KubernetesServiceLike,
  MeshConfigSnapshot,
  ServiceEntryLike,
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
 * The objects whose findings are reported: those that concern the service
 * in service mode, those of the namespace (or cluster) otherwise. Rules
 * judge them against the whole snapshot.
 *
 * @internal
 */
export interface ValidationScope {
  virtualServices: ValidatedVirtualService[];
  destinationRules: ValidatedDestinationRule[];
  serviceEntries: ServiceEntryLike[];
  gateways: GatewayLike[];
  peerAuthentications: ValidatedPeerAuthentication[];
  authorizationPolicies: ValidatedAuthorizationPolicy[];
  services: KubernetesServiceLike[];
  workloads: WorkloadLike[];
}

/**
 * What the rules read: the snapshot, the objects in scope and the lookups
 * they share.
 *
 * @internal
 */
export interface ValidationContext {
  snapshot: MeshConfigSnapshot;
  rootNamespace: string;
  clusterDomain: string;
  trustDomain: string;
  autoMtls: boolean;
  /** `outboundTrafficPolicy.mode` is `ALLOW_ANY`. */
  allowAny: boolean;
  scopeGatewayToNamespace: boolean;
  scope: ValidationScope;
  /**
   * Whether a (qualified) host is one whose conflicts are reported: the
   * service's own in service mode, any otherwise.
   */
  concernsHost(host: string): boolean;
  namespaceExists(name: string): boolean;
  qualify(host: string, namespace: string | undefined): string;
  /** Whether a (qualified) host pattern covers a fully qualified host. */
  covers(pattern: string, host: string): boolean;
  /** Whether a qualified host is a service of this cluster's registry. */
  isClusterLocal(host: string): boolean;
  findService(host: string): KubernetesServiceLike | undefined;
  workloadsOf(service: KubernetesServiceLike): WorkloadLike[];
  /**
   * The pod labels of a namespace (of every namespace when undefined): of
   * the workloads' pod templates and of the Pods.
   */
  podLabelsIn(namespace: string | undefined): Array<Record<string, string>>;
  /**
   * Whether a ServiceEntry exported to `from` has the host, as Kiali
   * matches them: `*` and `*.<suffix>` hosts by suffix, other hosts as the
   * host itself or a domain of it.
   */
  matchesServiceEntry(host: string, from: string): boolean;
  /**
   * Whether a qualified host is in the service registry as seen from a
   * namespace: a Service exported to it, or a ServiceEntry host.
   */
  inRegistry(host: string, from: string): boolean;
  /** The DestinationRules exported to a namespace. */
  destinationRulesSeenFrom(namespace: string): ValidatedDestinationRule[];
  destinationsOf(vs: ValidatedVirtualService): LocatedDestination[];
  ref(
    kind: string,
    object: { metadata?: { name?: string; namespace?: string } },
  ): ValidationObjectRef;
}

/**
 * What a validation needs, its options resolved.
 *
 * @internal
 */
export interface ContextOptions {
  snapshot: MeshConfigSnapshot;
  rootNamespace: string;
  clusterDomain: string;
  trustDomain: string;
  autoMtls: boolean;
  allowAny: boolean;
  scopeGatewayToNamespace: boolean;
}

const ROUTE_KINDS = ['http', 'tcp', 'tls'] as const;

/**
 * Whether every label of a selector is on the object; an empty selector
 * selects every object, as Kubernetes' `labels.SelectorFromSet` does.
 *
 * @internal
 */
export function hasLabels(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector ?? {}).every(
    ([key, value]) => labels?.[key] === value,
  );
}

function createContext(
  options: ContextOptions,
  scoping: {
    service?: MeshServiceRef;
    fallbackNamespace: string;
    scope(context: ValidationContext): ValidationScope;
  },
): ValidationContext {
  const { snapshot, clusterDomain } = options;
  const qualify = (host: string, namespace: string | undefined) =>
    qualifyHost(host, namespace ?? scoping.fallbackNamespace, clusterDomain);
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
  const matchesServiceEntry = (host: string, from: string) =>
    snapshot.serviceEntries.some(
      se =>
        isExportedTo(se.spec?.exportTo, se.metadata?.namespace, from) &&
        (se.spec?.hosts ?? []).some(h => {
          const pattern = qualify(h, se.metadata?.namespace);
          return covers(pattern, host) || host.endsWith(`.${pattern}`);
        }),
    );
  const namespaces = new Set(snapshot.namespaces.map(n => n.metadata?.name));
  const fqdn = scoping.service
    ? serviceFqdn(scoping.service, clusterDomain)
    : undefined;

  const context: ValidationContext = {
    ...options,
    scope: {
      virtualServices: [],
      destinationRules: [],
      serviceEntries: [],
      gateways: [],
      peerAuthentications: [],
      authorizationPolicies: [],
      services: [],
      workloads: [],
    },
    concernsHost: host => fqdn === undefined || host === fqdn,
    namespaceExists: name => namespaces.has(name),
    qualify,
    covers,
    isClusterLocal,
    findService,
    workloadsOf: svc =>
      snapshot.workloads.filter(
        w =>
          w.metadata?.namespace === svc.metadata?.namespace &&
          Object.keys(svc.spec?.selector ?? {}).length > 0 &&
          hasLabels(svc.spec?.selector, w.spec?.template?.metadata?.labels),
      ),
    podLabelsIn: namespace =>
      [
        ...snapshot.workloads.map(w => ({
          namespace: w.metadata?.namespace,
          labels: w.spec?.template?.metadata?.labels,
        })),
        ...(snapshot.pods ?? []).map(p => ({
          namespace: p.metadata?.namespace,
          labels: p.metadata?.labels,
        })),
      ].flatMap(({ namespace: own, labels }) =>
        namespace === undefined || own === namespace ? [labels ?? {}] : [],
      ),
    matchesServiceEntry,
    inRegistry: (host, from) => {
      const service = findService(host);
      return (
        (service !== undefined &&
          isExportedTo(
            serviceExportTo(service.metadata?.annotations),
            service.metadata?.namespace,
            from,
          )) ||
        matchesServiceEntry(host, from)
      );
    },
    destinationRulesSeenFrom: namespace =>
      snapshot.destinationRules.filter(dr =>
        isExportedTo(dr.spec?.exportTo, dr.metadata?.namespace, namespace),
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
      namespace: object.metadata?.namespace ?? scoping.fallbackNamespace,
      name: object.metadata?.name ?? '',
    }),
  };
  context.scope = scoping.scope(context);
  return context;
}

/**
 * Builds the shared lookups for the validation of one service: in scope are
 * the objects Istio applies to it (see {@link attachIstioObjects}), the
 * ServiceEntries naming it, the Gateways its VirtualServices bind to, its
 * Service and the workloads that Service selects.
 *
 * @internal
 */
export function createServiceValidationContext(
  options: ContextOptions & { service: MeshServiceRef },
): ValidationContext {
  const { service, snapshot, clusterDomain } = options;
  return createContext(options, {
    service,
    fallbackNamespace: service.namespace,
    scope: context => {
      const kubernetesService = context.findService(
        serviceFqdn(service, clusterDomain),
      );
      const workloads = kubernetesService
        ? context.workloadsOf(kubernetesService)
        : [];
      const common = {
        service,
        podLabels: workloads.map(w => w.spec?.template?.metadata?.labels ?? {}),
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
      const bound = routing.virtualServices.flatMap(vs =>
        gatewayReferences(vs).map(g => `${g.namespace}/${g.name}`),
      );
      return {
        virtualServices: routing.virtualServices,
        destinationRules: routing.destinationRules,
        serviceEntries: snapshot.serviceEntries.filter(se =>
          (se.spec?.hosts ?? []).some(host =>
            hostNamesService(
              host,
              se.metadata?.namespace ?? service.namespace,
              service,
              clusterDomain,
            ),
          ),
        ),
        gateways: (snapshot.gateways ?? []).filter(gw =>
          bound.includes(`${gw.metadata?.namespace}/${gw.metadata?.name}`),
        ),
        peerAuthentications: routing.peerAuthentications.map(p => p.object),
        authorizationPolicies: authorization.authorizationPolicies.map(
          p => p.object,
        ),
        services: kubernetesService ? [kubernetesService] : [],
        workloads,
      };
    },
  });
}

/**
 * Builds the shared lookups for the validation of every object of a
 * namespace, or of the whole snapshot when `namespace` is undefined.
 *
 * @internal
 */
export function createNamespaceValidationContext(
  options: ContextOptions & { namespace?: string },
): ValidationContext {
  const { namespace, snapshot } = options;
  const inScope = <T extends { metadata?: { namespace?: string } }>(
    objects: T[],
  ) =>
    namespace === undefined
      ? objects
      : objects.filter(o => o.metadata?.namespace === namespace);
  return createContext(options, {
    fallbackNamespace: namespace ?? 'default',
    scope: () => ({
      virtualServices: inScope(snapshot.virtualServices),
      destinationRules: inScope(snapshot.destinationRules),
      serviceEntries: inScope(snapshot.serviceEntries),
      gateways: inScope(snapshot.gateways ?? []),
      peerAuthentications: inScope(snapshot.peerAuthentications),
      authorizationPolicies: inScope(snapshot.authorizationPolicies),
      services: inScope(snapshot.services),
      workloads: inScope(snapshot.workloads),
    }),
  });
}
