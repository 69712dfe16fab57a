const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A copy of a Kubernetes object as the cluster serves it, for people to
 * read or keep: without the field managers' bookkeeping
 * (`metadata.managedFields`) and kubectl's copy of the last applied version,
 * keys in the object's own order (apiVersion, kind, metadata, spec, …).
 *
 * @public
 */
export function withoutBookkeeping(object: object): { [key: string]: unknown } {
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => {
      if (key !== 'metadata' || typeof value !== 'object' || value === null) {
        return [key, value];
      }
      const { managedFields: _managed, ...metadata } = value as {
        [field: string]: unknown;
      };
      const annotations = Object.entries(
        (metadata.annotations ?? {}) as { [name: string]: unknown },
      ).filter(([name]) => name !== LAST_APPLIED);
      if (annotations.length) {
        metadata.annotations = Object.fromEntries(annotations);
      } else {
        delete metadata.annotations;
      }
      return [key, metadata];
    }),
  );
}
