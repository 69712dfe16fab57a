import { workloadVersion } from './workloadVersion';
import {
  DestinationRuleLike,
  RouteDestination,
  VirtualServiceLike,
  WorkloadPolicyLike,
} from './istioTypes';
import { MeshServiceRef, hostNamesService, qualifyHost } from './serviceHosts';

/**
 * How a PeerAuthentication or AuthorizationPolicy applies to a service.
 *
 * @public
 */
export type PolicyScope = 'workload' | 'namespace' | 'mesh';

/**
 * A policy that applies to the service, and how.
 *
 * @public
 */
export interface AttachedPolicy<T> {
  object: T;
  scope: PolicyScope;
}

/**
 * The Istio objects that concern one service.
 *
 * @public
 */
export interface ServiceIstioObjects<
  VS extends VirtualServiceLike = VirtualServiceLike,
  DR extends DestinationRuleLike = DestinationRuleLike,
  P extends WorkloadPolicyLike = WorkloadPolicyLike,
> {
  virtualServices: VS[];
  destinationRules: DR[];
  peerAuthentications: AttachedPolicy<P>[];
  authorizationPolicies: AttachedPolicy<P>[];
}

/**
 * Where to look and what the service's workloads look like.
 *
 * @public
 */
export interface AttachIstioObjectsOptions<
  VS extends VirtualServiceLike,
  DR extends DestinationRuleLike,
  P extends WorkloadPolicyLike,
> {
  service: MeshServiceRef;
  /** Labels of the service's pods (its workloads' pod templates). */
  podLabels: Array<Record<string, string>>;
  virtualServices: VS[];
  destinationRules: DR[];
  peerAuthentications: P[];
  authorizationPolicies: P[];
  /** Istio's root namespace, whose selector-less policies are mesh-wide. */
  rootNamespace?: string;
  clusterDomain?: string;
}

function routesOf(vs: VirtualServiceLike): RouteDestination[] {
  const spec = vs.spec ?? {};
  return [
    ...(spec.http ?? []),
    ...(spec.tcp ?? []),
    ...(spec.tls ?? []),
  ].flatMap(route => route.route ?? []);
}

function matches(
  selector: Record<string, string>,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector).every(
    ([key, value]) => labels[key] === value,
  );
}

/**
 * Attaches Istio objects to a service the way Istio applies them: by host
 * (a VirtualService whose hosts or route destinations name the service, a
 * DestinationRule for its host; short names resolved relative to the
 * object's namespace) and by workload selector (policies whose selector
 * matches its pods, or that apply to its namespace or the whole mesh) — not
 * by labels on the objects themselves.
 *
 * @public
 */
export function attachIstioObjects<
  VS extends VirtualServiceLike,
  DR extends DestinationRuleLike,
  P extends WorkloadPolicyLike,
>(
  options: AttachIstioObjectsOptions<VS, DR, P>,
): ServiceIstioObjects<VS, DR, P> {
  const { service, clusterDomain } = options;
  const rootNamespace = options.rootNamespace ?? 'istio-system';
  const names = (host: string | undefined, namespace: string | undefined) =>
    host !== undefined &&
    hostNamesService(
      host,
      namespace ?? service.namespace,
      service,
      clusterDomain,
    );

  const attach = (policies: P[]): AttachedPolicy<P>[] =>
    policies.flatMap((object): AttachedPolicy<P>[] => {
      const namespace = object.metadata?.namespace;
      const selector = object.spec?.selector?.matchLabels ?? {};
      const selectorless = Object.keys(selector).length === 0;
      if (namespace === service.namespace) {
        if (selectorless) return [{ object, scope: 'namespace' }];
        return options.podLabels.some(labels => matches(selector, labels))
          ? [{ object, scope: 'workload' }]
          : [];
      }
      return namespace === rootNamespace && selectorless
        ? [{ object, scope: 'mesh' }]
        : [];
    });

  return {
    virtualServices: options.virtualServices.filter(vs => {
      const namespace = vs.metadata?.namespace;
      return (
        (vs.spec?.hosts ?? []).some(host => names(host, namespace)) ||
        routesOf(vs).some(route => names(route.destination?.host, namespace))
      );
    }),
    destinationRules: options.destinationRules.filter(dr =>
      names(dr.spec?.host, dr.metadata?.namespace),
    ),
    peerAuthentications: attach(options.peerAuthentications),
    authorizationPolicies: attach(options.authorizationPolicies),
  };
}

/**
 * One destination of a configured route, with the version its subset
 * selects when a DestinationRule defines it.
 *
 * @public
 */
export interface ConfiguredDestination {
  host: string;
  subset?: string;
  /** The `version` label of the subset, when the subset is defined. */
  version?: string;
  weight: number;
}

/**
 * A route of a VirtualService that concerns the service, as configured.
 *
 * @public
 */
export interface ConfiguredRoute {
  virtualService: string;
  namespace: string;
  route?: string;
  destinations: ConfiguredDestination[];
}

/**
 * The traffic split as configured: each HTTP route of the service's
 * VirtualServices with its destinations' weights (a lone destination without
 * a weight takes 100 %, as in Istio) and the versions their subsets select.
 *
 * @public
 */
export function configuredTrafficSplit(
  objects: Pick<ServiceIstioObjects, 'virtualServices' | 'destinationRules'>,
  clusterDomain?: string,
): ConfiguredRoute[] {
  const subsetVersion = (host: string, subset: string | undefined) => {
    if (!subset) return undefined;
    for (const dr of objects.destinationRules) {
      const drHost = dr.spec?.host;
      const namespace = dr.metadata?.namespace ?? '';
      if (drHost && qualifyHost(drHost, namespace, clusterDomain) === host) {
        const found = dr.spec?.subsets?.find(s => s.name === subset);
        if (found) return workloadVersion(found.labels);
      }
    }
    return undefined;
  };
  return objects.virtualServices.flatMap(vs => {
    const namespace = vs.metadata?.namespace ?? '';
    return (vs.spec?.http ?? []).map(http => {
      const route = http.route ?? [];
      return {
        virtualService: vs.metadata?.name ?? '',
        namespace,
        route: http.name,
        destinations: route.map(r => {
          const host = qualifyHost(
            r.destination?.host ?? '',
            namespace,
            clusterDomain,
          );
          const subset = r.destination?.subset;
          return {
            host,
            subset,
            version: subsetVersion(host, subset),
            weight: r.weight ?? (route.length === 1 ? 100 : 0),
          };
        }),
      };
    });
  });
}

/**
 * The mutual TLS mode in force for a service's workloads and the policy it
 * comes from: the workload's PeerAuthentication, else its namespace's, else
 * the mesh's (a mode of `UNSET` defers to the next); Istio's default,
 * `PERMISSIVE`, when none sets it.
 *
 * @public
 */
export function effectiveMtlsMode<P extends WorkloadPolicyLike>(
  peerAuthentications: AttachedPolicy<P>[],
): { mode: string; from?: AttachedPolicy<P> } {
  for (const scope of ['workload', 'namespace', 'mesh'] as const) {
    const from = peerAuthentications.find(
      p =>
        p.scope === scope &&
        p.object.spec?.mtls?.mode !== undefined &&
        p.object.spec.mtls.mode !== 'UNSET',
    );
    if (from) {
      return { mode: from.object.spec?.mtls?.mode ?? 'PERMISSIVE', from };
    }
  }
  return { mode: 'PERMISSIVE' };
}
