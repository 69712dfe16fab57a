/** The annotation by which a Service limits the namespaces that see it. */
const SERVICE_EXPORT_TO = 'networking.istio.io/exportTo';

/**
 * Whether an object with the given `exportTo` list, in `namespace`, is
 * visible from `viewer`, as Istio (and Kiali) read the list: none means every
 * namespace, `*` every namespace, `.` its own, `~` none, else the names.
 *
 * @internal
 */
export function isExportedTo(
  exportTo: readonly string[] | undefined,
  namespace: string | undefined,
  viewer: string,
): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  return exportTo.some(
    entry =>
      entry === '*' ||
      (entry === '.' && namespace === viewer) ||
      (entry !== '~' && entry === viewer),
  );
}

/**
 * The `exportTo` of a Kubernetes Service, from its annotation (a
 * comma-separated list); undefined when it has none.
 *
 * @internal
 */
export function serviceExportTo(
  annotations: Record<string, string> | undefined,
): string[] | undefined {
  const value = annotations?.[SERVICE_EXPORT_TO];
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map(part => part.trim())
    .filter(part => part.length > 0);
}
