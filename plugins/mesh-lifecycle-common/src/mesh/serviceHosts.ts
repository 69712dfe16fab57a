/**
 * A Kubernetes Service on the mesh.
 *
 * @public
 */
export interface MeshServiceRef {
  name: string;
  namespace: string;
}

const DEFAULT_DOMAIN = 'cluster.local';

/**
 * The fully qualified host of a service, e.g.
 * `reviews.shop.svc.cluster.local`.
 *
 * @public
 */
export function serviceFqdn(
  service: MeshServiceRef,
  clusterDomain = DEFAULT_DOMAIN,
): string {
  return `${service.name}.${service.namespace}.svc.${clusterDomain}`;
}

/**
 * The fully qualified form of a host written in an Istio object of the given
 * namespace: short names (`reviews`, `reviews.shop`, `reviews.shop.svc`)
 * resolve as Istio resolves them, relative to the object's namespace.
 *
 * @public
 */
export function qualifyHost(
  host: string,
  objectNamespace: string,
  clusterDomain = DEFAULT_DOMAIN,
): string {
  const parts = host.split('.');
  if (host.includes('*') || host.endsWith(`.svc.${clusterDomain}`)) {
    return host;
  }
  if (parts.length === 1) {
    return `${host}.${objectNamespace}.svc.${clusterDomain}`;
  }
  if (parts.length === 2) {
    return `${host}.svc.${clusterDomain}`;
  }
  if (parts.length === 3 && parts[2] === 'svc') {
    return `${host}.${clusterDomain}`;
  }
  // An external or otherwise qualified name.
  return host;
}

/**
 * Whether a host written in an Istio object of the given namespace names the
 * service, including wildcard hosts such as `*.shop.svc.cluster.local`.
 *
 * @public
 */
export function hostNamesService(
  host: string,
  objectNamespace: string,
  service: MeshServiceRef,
  clusterDomain = DEFAULT_DOMAIN,
): boolean {
  const fqdn = serviceFqdn(service, clusterDomain);
  const qualified = qualifyHost(host, objectNamespace, clusterDomain);
  if (qualified === '*') {
    return true;
  }
  if (qualified.startsWith('*.')) {
    return fqdn.endsWith(qualified.slice(1));
  }
  return qualified === fqdn;
}
