import {
  stringifyKubernetesYaml,
  withoutBookkeeping,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * The annotation an archived Secret carries instead of its values: the
 * names of its keys, comma-separated, for whoever restores it.
 */
export const ARCHIVED_SECRET_KEYS = 'mesh-lifecycle.io/archived-secret-keys';

type Json = { [key: string]: unknown };
const fields = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};

/**
 * An object about to be deleted, as YAML to keep (YAML 1.1-safe, so
 * `kubectl apply` reads it back as written): as the cluster served it,
 * without the field managers' bookkeeping. A Secret's values (`data`,
 * `stringData`) are left out unless `includeSecretValues`; its key names are
 * kept in the annotation {@link ARCHIVED_SECRET_KEYS}.
 */
export function archiveManifest(
  object: { kind: string },
  options: { includeSecretValues?: boolean } = {},
): string {
  const copy = withoutBookkeeping(object);
  if (object.kind === 'Secret' && !options.includeSecretValues) {
    const keys = [
      ...new Set([
        ...Object.keys(fields(copy.data)),
        ...Object.keys(fields(copy.stringData)),
      ]),
    ].sort();
    delete copy.data;
    delete copy.stringData;
    const metadata = fields(copy.metadata);
    copy.metadata = {
      ...metadata,
      annotations: {
        ...fields(metadata.annotations),
        [ARCHIVED_SECRET_KEYS]: keys.join(','),
      },
    };
  }
  return stringifyKubernetesYaml(copy);
}
