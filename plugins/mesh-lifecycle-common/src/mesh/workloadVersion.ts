/**
 * The pod labels Istio reads a workload's version from (its canonical
 * revision, `destination_version` in its metrics), in Istio's order.
 *
 * @public
 */
export const VERSION_LABELS: readonly string[] = [
  'service.istio.io/canonical-revision',
  'app.kubernetes.io/version',
  'version',
];

/**
 * The version Istio's metrics name the pods with these labels by (or the
 * pods a DestinationRule subset selects by them); `undefined` when none of
 * {@link VERSION_LABELS} is set.
 *
 * @public
 */
export function workloadVersion(
  labels: Readonly<Record<string, string>> | undefined,
): string | undefined {
  for (const label of VERSION_LABELS) {
    const value = labels?.[label];
    if (value !== undefined) return value;
  }
  return undefined;
}
