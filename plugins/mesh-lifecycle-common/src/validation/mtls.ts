import { WorkloadPolicyLike } from '../mesh/istioTypes';
import { ValidationContext, hasLabels } from './ValidationContext';
import { ValidatedDestinationRule, ValidatedPeerAuthentication } from './types';

/**
 * Whether a policy has no workload selector, so that it applies to its
 * whole namespace (or, in the root namespace, to the mesh).
 *
 * @internal
 */
export function isSelectorless(policy: WorkloadPolicyLike): boolean {
  return Object.keys(policy.spec?.selector?.matchLabels ?? {}).length === 0;
}

/**
 * The mTLS mode a PeerAuthentication sets: `UNSET` when it has an `mtls`
 * block without a mode, undefined when it has none.
 *
 * @internal
 */
export function peerMtlsMode(
  pa: ValidatedPeerAuthentication,
): string | undefined {
  const mtls = pa.spec?.mtls;
  return mtls ? mtls.mode ?? 'UNSET' : undefined;
}

/**
 * The mode a selector-less PeerAuthentication sets for its namespace (or
 * the mesh); undefined for one with a selector.
 *
 * @internal
 */
export function namespaceWideMtlsMode(
  pa: ValidatedPeerAuthentication,
): string | undefined {
  return isSelectorless(pa) ? peerMtlsMode(pa) : undefined;
}

/**
 * The TLS mode a DestinationRule's top-level traffic policy tells clients to
 * use: `DISABLE` (Istio's default) for a `tls` block without a mode,
 * undefined without a `tls` block.
 *
 * @internal
 */
export function clientTlsMode(
  dr: ValidatedDestinationRule,
): string | undefined {
  const tls = dr.spec?.trafficPolicy?.tls;
  return tls ? tls.mode ?? 'DISABLE' : undefined;
}

/**
 * A mesh-wide DestinationRule: host `*.local`, as Istio's guide to mesh-wide
 * mTLS writes it (and Kiali recognises it).
 *
 * @internal
 */
export function isMeshWideRule(dr: ValidatedDestinationRule): boolean {
  return dr.spec?.host === '*.local';
}

/**
 * A namespace-wide DestinationRule for `namespace`: host
 * `*.<namespace>.svc.<cluster domain>`.
 *
 * @internal
 */
export function isNamespaceWideRule(
  dr: ValidatedDestinationRule,
  namespace: string | undefined,
  clusterDomain: string,
): boolean {
  return (
    namespace !== undefined &&
    dr.spec?.host === `*.${namespace}.svc.${clusterDomain}`
  );
}

/**
 * Whether a client TLS mode sends mutual TLS.
 *
 * @internal
 */
export function isMutual(mode: string | undefined): boolean {
  return mode === 'ISTIO_MUTUAL' || mode === 'MUTUAL';
}

/**
 * The PeerAuthentications of a namespace, in snapshot order.
 *
 * @internal
 */
export function peerAuthenticationsIn(
  context: ValidationContext,
  namespace: string | undefined,
): ValidatedPeerAuthentication[] {
  return context.snapshot.peerAuthentications.filter(
    pa => pa.metadata?.namespace === namespace,
  );
}

type Status = 'ENABLED' | 'PARTIAL' | 'NOT_ENABLED' | 'DISABLED';

/** The modes a namespace's (or the mesh's) policies set, and the outcome. */
interface TlsStatus {
  /** DestinationRule mode, '' when none sets one. */
  dr: string;
  /** PeerAuthentication mode, '' when none sets one. */
  pa: string;
  overall?: Status;
}

interface StatusSettings {
  autoMtls: boolean;
  /** Whether PERMISSIVE counts as accepting mTLS. */
  permissive: boolean;
}

function combine(dr: string, pa: string, settings: StatusSettings): TlsStatus {
  const enabled = isMutual(dr) || (dr === '' && settings.autoMtls);
  const disabled = dr === 'DISABLE' || (dr === '' && settings.autoMtls);
  let overall: Status = 'PARTIAL';
  if (
    (pa === 'STRICT' || (pa === 'PERMISSIVE' && settings.permissive)) &&
    enabled
  ) {
    overall = 'ENABLED';
  } else if (pa === 'DISABLE' && disabled) {
    overall = 'DISABLED';
  } else if (pa === '' && dr === '') {
    overall = 'NOT_ENABLED';
  }
  return { dr, pa, overall };
}

const decided = (s: TlsStatus) =>
  s.overall === 'ENABLED' || s.overall === 'DISABLED';

/** The namespace's status if it decides, else what the mesh's gives. */
function overallStatus(
  namespace: TlsStatus,
  mesh: TlsStatus,
  settings: StatusSettings,
): Status {
  if (decided(namespace)) return namespace.overall!;
  if (namespace.overall === 'PARTIAL') {
    const inherited = combine(
      namespace.dr || mesh.dr,
      namespace.pa || mesh.pa,
      settings,
    );
    return overallStatus({ dr: '', pa: '' }, inherited, settings);
  }
  if (decided(mesh)) return mesh.overall!;
  if (mesh.pa === '' && mesh.dr === '') return 'NOT_ENABLED';
  if (
    (mesh.pa === 'DISABLE' && mesh.dr === '') ||
    (mesh.dr === 'DISABLE' && mesh.pa === '')
  ) {
    return 'DISABLED';
  }
  // One side set to mTLS and the other left to auto mTLS.
  const halfSet =
    settings.autoMtls &&
    ((mesh.pa === 'STRICT' && mesh.dr === '') ||
      (isMutual(mesh.dr) && mesh.pa === '') ||
      (settings.permissive && mesh.pa === 'PERMISSIVE' && mesh.dr === ''));
  return halfSet ? 'ENABLED' : 'PARTIAL';
}

function firstMode<T>(
  objects: T[],
  mode: (object: T) => string | undefined,
): string {
  for (const object of objects) {
    const found = mode(object);
    if (found) return found;
  }
  return '';
}

/** Whether the workloads of a namespace receive mTLS, as Kiali judges it. */
function namespaceReceivesMtls(
  context: ValidationContext,
  namespace: string,
): boolean {
  const { autoMtls, clusterDomain } = context;
  const rules = context.destinationRulesSeenFrom(namespace);
  const lenient = { autoMtls, permissive: true };
  const ownStatus = combine(
    firstMode(rules, dr =>
      isNamespaceWideRule(dr, namespace, clusterDomain)
        ? clientTlsMode(dr)
        : undefined,
    ),
    firstMode(peerAuthenticationsIn(context, namespace), namespaceWideMtlsMode),
    lenient,
  );
  const meshModes = combine(
    firstMode(rules, dr =>
      isMeshWideRule(dr) ? clientTlsMode(dr) : undefined,
    ),
    firstMode(
      peerAuthenticationsIn(context, context.rootNamespace),
      namespaceWideMtlsMode,
    ),
    lenient,
  );
  const meshStatus = {
    ...meshModes,
    overall: overallStatus({ dr: '', pa: '' }, meshModes, lenient),
  };
  const status = overallStatus(ownStatus, meshStatus, {
    autoMtls,
    permissive: false,
  });
  // Nothing configured: auto mTLS encrypts wherever it can.
  return status === 'ENABLED' || (status === 'NOT_ENABLED' && autoMtls);
}

/**
 * What a workload's own PeerAuthentication gives (for PERMISSIVE, what its
 * Services' DestinationRules tell clients).
 */
function workloadStatus(
  context: ValidationContext,
  labels: Record<string, string>,
  namespace: string,
): 'ENABLED' | 'DISABLED' | 'NOT_ENABLED' {
  const rules = context.destinationRulesSeenFrom(namespace);
  for (const pa of peerAuthenticationsIn(context, namespace)) {
    const selector = pa.spec?.selector?.matchLabels ?? {};
    if (Object.keys(selector).length === 0 || !hasLabels(selector, labels)) {
      continue;
    }
    const mode = peerMtlsMode(pa);
    if (mode === 'STRICT') return 'ENABLED';
    if (mode === 'DISABLE') return 'DISABLED';
    if (mode !== 'PERMISSIVE') continue;
    // PERMISSIVE: what the clients of the workload's Services are told.
    for (const service of context.snapshot.services) {
      const serviceSelector = service.spec?.selector ?? {};
      if (
        service.metadata?.namespace !== namespace ||
        Object.keys(serviceSelector).length === 0 ||
        !hasLabels(selector, serviceSelector)
      ) {
        continue;
      }
      const fqdn = context.qualify(service.metadata?.name ?? '', namespace);
      for (const dr of rules) {
        const host = dr.spec?.host;
        if (host === undefined) continue;
        if (context.qualify(host, dr.metadata?.namespace) !== fqdn) continue;
        const tls = clientTlsMode(dr);
        if (isMutual(tls)) return 'ENABLED';
        if (tls === 'DISABLE') return 'DISABLED';
      }
    }
    return 'NOT_ENABLED';
  }
  return 'NOT_ENABLED';
}

/**
 * Whether the workloads a policy with these selector labels applies to, in
 * `namespace`, receive mutual TLS: from their own PeerAuthentication, else
 * their namespace's and the mesh's policies, counting auto mTLS; Kiali's
 * reading, which KIA0105 follows.
 *
 * @internal
 */
export function receivesMtls(
  context: ValidationContext,
  labels: Record<string, string>,
  namespace: string,
): boolean {
  const own = workloadStatus(context, labels, namespace);
  if (own === 'ENABLED') return true;
  if (own === 'DISABLED') return false;
  return namespaceReceivesMtls(context, namespace);
}

/**
 * Whether a PeerAuthentication mode accepts mTLS (STRICT or PERMISSIVE), as
 * Kiali's mTLS checks count it.
 *
 * @internal
 */
export function acceptsMtls(mode: string | undefined): boolean {
  return mode === 'STRICT' || mode === 'PERMISSIVE';
}
